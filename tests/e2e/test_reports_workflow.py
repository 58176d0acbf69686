"""随手拍 in Chromium, two phones: a grid worker works a report to resolution with a proof photo while the
resident watches its timeline, then the resident rates it."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.reports.models import Report, ReportStatus
from app.reports.workflow import Action
from tests.e2e.helpers import WAIT_MS, screenshot, sign_in, watch
from tests.reports.helpers import IN_G1, advance, make_report
from tests.uploads.images import phone_jpeg

pytestmark = pytest.mark.e2e


def file_report(client, headers, **fields) -> dict:
    body = {"category": "env.garbage", "description": "3栋门口的垃圾桶满了", **IN_G1, **fields}
    response = client.post("/api/v1/reports", json=body, headers={**headers, "Idempotency-Key": "e2e-1"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def steps(page) -> list[str]:
    return page.eval_on_selector_all(".timeline .step", "els => els.map(e => e.dataset.action)")


def test_a_worker_resolves_with_a_proof_photo_while_the_resident_watches_then_rates(
    world, reporting, client, auth, new_context
):
    report = file_report(client, auth(world.resident))
    resident = watch(new_context().new_page())
    sign_in(resident, world.resident, f"/reports/{report['id']}")
    resident.wait_for_selector(".report-detail:has-text('3栋门口的垃圾桶满了')")
    assert "待签收" in resident.inner_text(".report-detail .badges")
    assert steps(resident) == ["submit", "route"]
    assert resident.locator(".staff-actions").count() == 0  # the reporter has no moves to make

    worker = watch(new_context().new_page())
    sign_in(worker, world.grid_worker, "/report/work")
    card = worker.wait_for_selector(f".report-card[href='/reports/{report['id']}']")
    assert "待签收" in card.inner_text()
    assert "时限" in card.inner_text()
    screenshot(worker, "report-worker-queue")
    card.click()
    worker.wait_for_selector(".staff-actions")
    # The buttons are the moves the server allows this worker now.
    offered = worker.eval_on_selector_all(".staff-actions button", "els => els.map(e => e.dataset.action)")
    assert offered == ["accept", "reject"]
    assert world.resident.phone in worker.inner_text(".reporter")

    worker.click(".staff-actions button[data-action=accept]")
    worker.wait_for_selector(".staff-actions button[data-action=start]")
    worker.click(".staff-actions button[data-action=contact]")
    worker.fill(".action-panel textarea[name=note]", "已电话联系居民，下午处理")
    worker.click(".action-panel button[type=submit]")
    worker.wait_for_selector(".timeline .step-contact:has-text('已电话联系居民')")
    worker.click(".staff-actions button[data-action=start]")
    worker.wait_for_selector(".staff-actions button[data-action=resolve]")

    # The resident's page follows along without a reload.
    resident.wait_for_selector(".timeline .step-start", timeout=WAIT_MS * 2)
    assert "处理中" in resident.inner_text(".report-detail .badges")

    worker.click(".staff-actions button[data-action=resolve]")
    worker.click(".action-panel button[type=submit]")
    assert "请填写说明" in worker.inner_text(".action-panel .form-alert")
    worker.fill(".action-panel textarea[name=note]", "垃圾已清运，垃圾桶已清洗")
    worker.set_input_files(
        ".action-panel input[type=file]",
        files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": phone_jpeg()}],
    )
    worker.click(".action-panel button[type=submit]")
    worker.wait_for_selector(".timeline .step-resolve:has-text('垃圾已清运')")
    assert worker.locator(".timeline .step-resolve img").count() == 1

    resident.wait_for_selector(".timeline .step-resolve", timeout=WAIT_MS * 2)
    assert "垃圾已清运，垃圾桶已清洗" in resident.inner_text(".report-detail .resolution")
    assert resident.locator(".timeline .step-resolve img").count() == 1  # the proof photo
    resident.wait_for_selector(".rating-form")
    screenshot(resident, "report-resolved-resident")

    resident.click(".rating-form button[type=submit]")
    assert "请选择是否解决" in resident.inner_text(".rating-form .form-alert")
    resident.click(".rating-form label:has-text('已解决')")
    resident.click(".rating-form label[aria-label='5 星']")
    resident.fill(".rating-form textarea[name=comment]", "很快，谢谢")
    resident.click(".rating-form button[type=submit]")
    resident.wait_for_selector(".timeline .step-rate")
    assert resident.locator(".rating-form").count() == 0
    assert "已关闭" in resident.inner_text(".report-detail .badges")

    db.session.expire_all()
    stored = db.session.get(Report, report["id"])
    assert stored.status == ReportStatus.CLOSED
    assert stored.assignee_id == world.grid_worker.id
    assert len(db.session.scalars(sa.select(Report)).all()) == 1
    detail = client.get(f"/api/v1/reports/{report['id']}", headers=auth(world.resident)).get_json()
    assert [e["action"] for e in detail["timeline"]] == [
        "submit", "route", "accept", "contact", "start", "resolve", "rate", "close",
    ]  # fmt: skip
    assert detail["ratings"][0]["satisfaction"] == 5
    screenshot(resident, "report-rated")
    assert resident.errors == []
    assert worker.errors == []


def test_not_resolved_twice_sends_it_back_and_puts_it_under_supervision(world, reporting, new_context):
    report = make_report(world.resident, category="noise.living", description="楼下KTV每晚唱到一点")
    advance(report, world.grid_worker, Action.ACCEPT, Action.START, Action.RESOLVE)
    page = watch(new_context().new_page())
    sign_in(page, world.resident, f"/reports/{report.id}")

    page.click(".rating-form label:has-text('没解决')")
    page.click(".rating-form label[aria-label='2 星']")
    page.click(".rating-form button[type=submit]")
    page.wait_for_selector(".timeline .step-redo")
    assert "处理中" in page.inner_text(".report-detail .badges")
    assert "重办 1 次" in page.inner_text(".report-detail .badges")
    assert page.locator(".rating-form").count() == 0

    db.session.expire_all()
    advance(db.session.get(Report, report.id), world.grid_worker, Action.RESOLVE)
    page.wait_for_selector(".rating-form", timeout=WAIT_MS * 2)  # the page picks up the new resolution
    page.click(".rating-form label:has-text('已解决')")
    page.click(".rating-form label[aria-label='1 星']")
    page.click(".rating-form button[type=submit]")
    page.wait_for_selector(".timeline .step-supervise")
    badges = page.inner_text(".report-detail .badges")
    assert "督办" in badges
    assert "重办 2 次" in badges
    screenshot(page, "report-supervised")
    db.session.expire_all()
    assert db.session.get(Report, report.id).supervised is True
    assert page.errors == []
