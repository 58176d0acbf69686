"""随手拍 in Chromium: a report made with no network waits on the phone and is delivered exactly once."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.reports.models import Report
from app.uploads.models import Upload
from tests.e2e.helpers import WAIT_MS, screenshot, sign_in, wait_for_service_worker, watch
from tests.e2e.test_journey import wait_until
from tests.uploads.images import phone_jpeg

pytestmark = pytest.mark.e2e

# Inside 海裕第一网格 (g1).
HERE = {"latitude": 22.555, "longitude": 113.885}


def count(model) -> int:
    with db.engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_report_made_offline_is_sent_exactly_once_when_the_network_returns(world, reporting, new_context):
    context = new_context(service_workers="allow", permissions=["geolocation"], geolocation=HERE)
    # Record the engagement event the push feature listens for, across reloads of the tab.
    context.add_init_script(
        "addEventListener('linli:engaged', e => sessionStorage.setItem('engaged', "
        "(sessionStorage.getItem('engaged') || '') + e.detail.kind + ','))"
    )
    # Note whether the outbox ever claims to be sending while the phone knows it has no network: a glance at
    # the list after the reload could miss a claim that lasts only until the attempt fails.
    context.add_init_script(
        "new MutationObserver(() => { if (!navigator.onLine"
        " && document.querySelector('.queue-item.state-sending'))"
        " sessionStorage.setItem('sent-offline', '1'); })"
        ".observe(document, {subtree: true, childList: true, attributes: true});"
    )
    page = watch(context.new_page())
    sign_in(page, world.resident, "/report")
    wait_for_service_worker(page)
    page.reload()  # now through the service worker, which keeps the categories for offline use
    page.wait_for_selector(".report-form .cat-choice")
    page.wait_for_selector(".location-status:has-text('已定位')")
    page.wait_for_selector(".location-place:has-text('海裕第一网格')")

    context.set_offline(True)
    page.set_input_files(
        ".report-photos input[type=file]",
        files=[{"name": "garbage.jpg", "mimeType": "image/jpeg", "buffer": phone_jpeg()}],
    )
    page.wait_for_selector(".thumb img")
    page.fill(".cat-search", "垃圾")
    page.click(".cat-choice label:has-text('暴露垃圾')")
    page.fill("textarea[name=description]", "小区东门垃圾三天没人清")
    page.click(".report-form button[type=submit]")
    page.wait_for_selector("text=已保存，等待网络")
    assert count(Report) == 0

    page.reload()
    item = page.wait_for_selector(".queue-item:has-text('小区东门垃圾三天没人清')")
    assert "等待网络" in item.inner_text()
    assert "1 张照片" in item.inner_text()
    page.wait_for_timeout(500)  # time enough for an attempt the phone should not make
    assert page.evaluate("sessionStorage.getItem('sent-offline')") is None
    screenshot(page, "report-queued-offline")

    context.set_offline(False)
    arrived = wait_until(lambda: count(Report) == 1, timeout=WAIT_MS / 1000 * 2)
    assert arrived, "the queued report never arrived"
    page.wait_for_selector(".report-queue", state="hidden")
    # Nothing further is sent: the queue is empty, and a second attempt would reuse the same key anyway.
    page.wait_for_timeout(1500)
    assert count(Report) == 1
    assert count(Upload) == 1
    report = db.session.scalar(sa.select(Report))
    assert report.reporter_id == world.resident.id
    assert report.idempotency_key.startswith("report-")
    assert report.description == "小区东门垃圾三天没人清"
    assert report.grid_id == world.g1.id
    assert report.anonymous is True
    assert report.photo_ids == [db.session.scalar(sa.select(Upload.id))]

    assert page.evaluate("sessionStorage.getItem('engaged')") == "report,"

    page.goto("/report/mine")
    page.wait_for_selector(".report-card:has-text('暴露垃圾')")
    # Chromium logs each request that failed while offline; anything else is a bug.
    assert [e for e in page.errors if "ERR_INTERNET_DISCONNECTED" not in e] == []
