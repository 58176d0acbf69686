"""Staff in Chromium: a grid worker logs a fix made on patrol; a community worker dispatches a report to a
grid worker and whistles a department (吹哨), each move offered because the API allows it."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.reports.categories import seed_departments
from app.reports.deadlines import check_deadlines
from app.reports.models import Report, ReportStatus
from app.uploads.models import Upload
from tests.e2e.helpers import screenshot, sign_in, watch
from tests.reports.helpers import make_report
from tests.uploads.images import phone_jpeg

pytestmark = pytest.mark.e2e

HERE = {"latitude": 22.555, "longitude": 113.885}


@pytest.fixture
def reporting(reporting, world):
    """The categories of every report test (tests/e2e/conftest.py), and the departments to whistle."""
    seed_departments(world.district)
    db.session.commit()


def actions(page) -> list[str]:
    return page.eval_on_selector_all(".staff-actions [data-action]", "els => els.map(e => e.dataset.action)")


def test_a_grid_worker_logs_a_fix_on_the_spot_with_a_proof_photo(world, reporting, new_context):
    context = new_context(permissions=["geolocation"], geolocation=HERE)
    page = watch(context.new_page())
    sign_in(page, world.grid_worker, "/report/work")
    page.click("a:has-text('登记当场处理')")
    page.wait_for_selector(".report-form .cat-choice")
    page.wait_for_selector(".location-status:has-text('已定位')")
    page.set_input_files(
        ".report-photos input[type=file]",
        files=[{"name": "fixed.jpg", "mimeType": "image/jpeg", "buffer": phone_jpeg()}],
    )
    page.click(".cat-choice label:has-text('非法小广告')")
    page.fill("textarea[name=description]", "电线杆上的小广告")
    page.check("input[name=on_spot]")
    page.fill("textarea[name=on_spot_note]", "已清除")
    page.click(".report-form button[type=submit]")
    page.wait_for_selector(".report-detail")
    assert "已关闭" in page.inner_text(".report-detail .badges")
    page.wait_for_selector(".timeline .step-resolve:has-text('已清除')")
    assert page.locator(".timeline .step-resolve img").count() == 1
    assert actions(page) == []  # closed: nothing left to do

    report = db.session.scalar(sa.select(Report))
    assert report.status == ReportStatus.CLOSED
    assert report.channel.value == "patrol"
    assert report.assignee_id == world.grid_worker.id
    assert db.session.scalar(sa.select(Upload.report_id)) == report.id
    assert page.errors == []


def test_a_community_worker_dispatches_to_a_grid_worker_then_whistles_a_department(
    world, reporting, client, auth, new_context
):
    body = {"category": "street.outdoor", "description": "烧烤摊占了人行道", "lat": 22.555, "lng": 113.885}
    report = client.post("/api/v1/reports", json=body, headers=auth(world.resident)).get_json()
    page = watch(new_context().new_page())
    sign_in(page, world.worker, f"/reports/{report['id']}")
    page.wait_for_selector(".staff-actions")
    assert actions(page) == ["accept", "assign", "transfer", "reject"]

    page.click(".staff-actions [data-action=assign]")
    page.wait_for_selector(
        ".action-panel select[name=assignee_id] option:has-text('grid_worker')", state="attached"
    )
    page.select_option(".action-panel select[name=assignee_id]", label="grid_worker · 网格员 · 海裕第一网格")
    page.click(".action-panel button[type=submit]")
    page.wait_for_selector(".timeline .step-assign:has-text('grid_worker')")
    assert "处理人: grid_worker" in page.inner_text(".report-detail")

    page.click(".staff-actions [data-action=transfer]")
    page.wait_for_selector(".action-panel select[name=target] option:has-text('城管执法')", state="attached")
    page.select_option(".action-panel select[name=target]", label="职能部门: 城管执法")
    page.fill(".action-panel textarea[name=note]", "占道经营，请城管执法")
    page.click(".action-panel button[type=submit]")
    page.wait_for_selector(".timeline .step-transfer:has-text('城管执法')")
    assert "职能部门: 城管执法" in page.inner_text(".report-detail")
    screenshot(page, "report-whistled")

    db.session.expire_all()
    stored = db.session.get(Report, report["id"])
    assert stored.department.code == "urban"
    assert stored.assignee_id is None  # the department must sign for it itself
    assert stored.status == ReportStatus.SUBMITTED
    assert page.errors == []


def test_the_queue_puts_the_most_urgent_first_with_yellow_and_red_badges(world, reporting, new_context):
    now = utcnow()
    # Signing for a general report is due within 2 h: 100 minutes in is past 75 % (yellow), 3 h is red.
    late = make_report(world.resident, now=now - timedelta(hours=3), description="路灯坏了三天")
    soon = make_report(world.resident2, now=now - timedelta(minutes=100), description="井盖松动")
    fresh = make_report(world.resident, now=now - timedelta(minutes=5), description="长椅断了")
    tally = check_deadlines(now)
    assert (tally["yellow"], tally["red"]) == (1, 1)

    page = watch(new_context().new_page())
    sign_in(page, world.grid_worker, "/report/work")
    page.wait_for_selector(".report-card >> nth=2")
    cards = page.locator(".report-card")
    assert [cards.nth(i).get_attribute("href") for i in range(3)] == [
        f"/reports/{late.id}",
        f"/reports/{soon.id}",
        f"/reports/{fresh.id}",
    ]
    assert "已超时" in cards.nth(0).inner_text()
    assert "即将超时" in cards.nth(1).inner_text()
    assert "超时" not in cards.nth(2).inner_text()
    assert "warn-red" in cards.nth(0).get_attribute("class")
    screenshot(page, "report-queue-warnings")

    # The red one escalated to the community: its worker finds it among everything overdue there.
    community = watch(new_context().new_page())
    sign_in(community, world.worker, "/report/work?scope=community&overdue=1")
    community.wait_for_selector(".list-status:has-text('没有更多了')")
    hrefs = community.eval_on_selector_all(".report-card", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs == [f"/reports/{late.id}"]
    community.click(".report-card")
    community.wait_for_selector(".timeline .step-escalate:has-text('海裕社区')")
    assert page.errors == []
    assert community.errors == []
