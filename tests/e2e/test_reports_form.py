"""The report form's "me too" offer, and reports seen before opening with no network."""

import io
import os

import pytest
import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from app.reports.models import Report
from app.uploads import service as upload_service
from app.uploads.models import Upload
from tests.e2e.helpers import screenshot, sign_in, wait_for_service_worker, watch
from tests.reports.helpers import IN_G1

pytestmark = pytest.mark.e2e


def file_report(client, headers, description: str) -> dict:
    body = {"category": "env.garbage", "description": description, **IN_G1}
    response = client.post("/api/v1/reports", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_resident_says_me_too_instead_of_filing_a_duplicate(world, reporting, client, auth, new_context):
    first = file_report(client, auth(world.resident2), "篮球场边垃圾堆积")
    # About 30 m from the first report.
    context = new_context(
        permissions=["geolocation"], geolocation={"latitude": 22.5552, "longitude": 113.8851}
    )
    page = watch(context.new_page())
    sign_in(page, world.resident, "/report")
    page.wait_for_selector(".location-status:has-text('已定位')")
    assert page.is_hidden(".nearby")
    page.click(".cat-choice label:has-text('暴露垃圾')")
    offer = page.wait_for_selector(".nearby .nearby-item:has-text('篮球场边垃圾堆积')")
    assert "相距约" in offer.inner_text()
    screenshot(page, "report-me-too-offer")
    page.click(".nearby button:has-text('我也遇到了')")
    page.wait_for_url(f"**/reports/{first['id']}")
    page.wait_for_selector(".report-detail:has-text('1 人也遇到了')")
    assert page.locator(".report-detail button:has-text('我也遇到了')").count() == 0

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 1
    db.session.expire_all()
    assert db.session.get(Report, first["id"]).me_too_count == 1
    assert page.errors == []


def test_reports_seen_before_open_with_no_network(world, reporting, client, auth, new_context):
    report = file_report(client, auth(world.resident), "单车堆在消防通道")
    context = new_context(service_workers="allow")
    page = watch(context.new_page())
    sign_in(page, world.resident, "/report/mine")
    wait_for_service_worker(page)
    page.reload()  # through the service worker, which keeps what is read
    page.click(f".report-card[href='/reports/{report['id']}']")
    page.wait_for_selector(".timeline .step-route")

    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#offline-banner:not([hidden])")
    page.wait_for_selector(".report-detail:has-text('单车堆在消防通道')")
    assert page.locator(".timeline .step").count() == 2
    page.goto("/report/mine")
    page.wait_for_selector(f".report-card[href='/reports/{report['id']}']")
    screenshot(page, "report-offline-mine")
    context.set_offline(False)


def big_photo() -> bytes:
    """A 4000×3000 JPEG of noise: about 14 MB, over the 10 MB the server takes unless the phone shrinks it."""
    image = Image.frombytes("RGB", (4000, 3000), os.urandom(4000 * 3000 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_big_camera_photo_is_shrunk_on_the_phone_before_it_is_sent(
    world, reporting, new_context, monkeypatch
):
    photo = big_photo()
    received = []
    real_create = upload_service.create_upload

    def create_upload(data, **kwargs):
        received.append(len(data))
        return real_create(data, **kwargs)

    monkeypatch.setattr(upload_service, "create_upload", create_upload)
    context = new_context(permissions=["geolocation"], geolocation={"latitude": 22.555, "longitude": 113.885})
    page = watch(context.new_page())
    sign_in(page, world.resident, "/report")
    page.wait_for_selector(".location-status:has-text('已定位')")
    page.set_input_files(
        ".report-photos input[type=file]",
        files=[{"name": "big.jpg", "mimeType": "image/jpeg", "buffer": photo}],
    )
    page.click(".cat-choice label:has-text('暴露垃圾')")
    page.fill("textarea[name=description]", "垃圾桶旁堆满纸箱")
    page.click(".report-form button[type=submit]")
    page.wait_for_selector(".report-detail")
    assert len(received) == 1
    assert received[0] < len(photo) / 2  # re-encoded at 2048 px on the phone
    upload = db.session.scalar(sa.select(Upload))
    assert max(upload.width, upload.height) == 2048
    assert page.errors == []
