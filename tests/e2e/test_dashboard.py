"""The staff dashboard and the residents' community page in Chromium, on the hand-built October scenario."""

import pytest

from app.extensions import db
from app.reports.categories import seed_categories
from tests.dashboard.scenario import Scenario
from tests.e2e.helpers import ARTIFACTS, screenshot, seed_storage, sign_in, watch

pytestmark = pytest.mark.e2e


@pytest.fixture
def scenario(world, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", tmp_path / "uploads")
    seed_categories()
    db.session.commit()
    return Scenario.build(world)


def test_street_staff_reads_the_month_drills_down_and_sees_the_chart(world, scenario, page):
    sign_in(page, world.street_staff, "/me")
    page.click("a.choice:has-text('数据看板')")
    page.wait_for_selector(".dash-rates")
    assert page.inner_text("#page-title") == "新安街道 · 数据看板"

    page.fill("#dash-month", "2026-10")
    page.click(".dash-period button[type=submit]")
    page.wait_for_selector(".dash-period-text:has-text('2026-10-01')")
    response = page.locator("[data-rate=response]")
    assert response.locator(".dash-rate-value").inner_text() == "80%"
    assert response.locator(".dash-rate-fraction").inner_text() == "4/5"
    assert page.inner_text("[data-rate=satisfaction] .dash-rate-fraction") == "3/5"
    assert page.inner_text("[data-count=submitted] dd") == "6"
    assert page.inner_text("[data-count=red_now] dd") == "4"
    # Ranking: 灵芝社区 (100) above 海裕社区; raw counts beside.
    ranks = page.locator("[data-section=dash-ranking-title] tbody tr")
    assert ranks.nth(0).locator("th").inner_text() == "灵芝社区"
    assert "3/4" in ranks.nth(1).inner_text()
    # Heat map: three grid polygons, 海裕第一网格 the darkest; overdue: R7 R9 R5 R6.
    assert page.locator("svg.dash-heat path").count() == 3
    assert page.get_attribute(f"svg.dash-heat path[data-grid='{world.g1.id}']", "data-count") == "5"
    assert page.locator(".dash-overdue-item").count() == 4
    assert page.locator(".dash-overdue-item").first.inner_text().startswith(f"#{scenario.reports[7].id}")
    overdue_link = page.locator(".dash-overdue-item a").first
    assert overdue_link.get_attribute("href") == f"/reports/{scenario.reports[7].id}"
    # The vendored chart library, loaded by this screen only.
    page.wait_for_selector(".dash-chart .uplot canvas")
    assert page.locator(".dash-trend-table tbody tr").count() == 6
    page.locator("[data-section=dash-rates-title]").scroll_into_view_if_needed()
    screenshot(page, "dashboard-street-october")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-street-october-full.png"), full_page=True)

    page.click(".dash-child:has-text('海裕社区')")
    page.wait_for_selector("#page-title:text-is('海裕社区 · 数据看板')")
    assert page.inner_text("[data-rate=response] .dash-rate-fraction") == "3/4"
    assert page.inner_text("[data-rate=response] .dash-rate-value") == "75%"
    assert page.inner_text("[data-count=excluded] dd") == "1"
    # An overdue report opens its own page, where the street can act on it.
    page.locator(f".dash-overdue-item a[href='/reports/{scenario.reports[7].id}']").click()
    page.wait_for_url(f"**/reports/{scenario.reports[7].id}")
    page.wait_for_selector(".timeline")
    assert page.errors == []


def test_dashboard_in_elder_mode_and_english(world, scenario, new_context):
    context = new_context()
    seed_storage(context, world.worker, lang="en", elder=True)
    page = watch(context.new_page())
    page.goto("/staff/dashboard?month=2026-10")
    page.wait_for_selector(".dash-chart .uplot canvas")

    assert page.inner_text("[data-rate=resolution] .dash-rate-name") == "Resolution rate"
    assert page.inner_text("[data-rate=resolution] .dash-rate-fraction") == "3/4"
    # Large type: the rate figure stays readable and nothing overflows the phone's width.
    size = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.dash-rate-value')).fontSize)"
    )
    assert size >= 36
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    screenshot(page, "dashboard-elder-en")
    assert page.errors == []


def test_a_worker_cannot_open_another_communitys_dashboard(world, scenario, page):
    sign_in(page, world.worker2, f"/staff/dashboard?region_id={world.c1.id}")

    page.wait_for_selector(".error-state")
    assert page.locator(".dash-rates").count() == 0


def test_a_resident_opens_the_community_report_card_from_me(world, scenario, page):
    sign_in(page, world.resident, "/me")
    page.click("a.choice:has-text('海裕社区成绩单')")
    page.wait_for_selector(".dash-fixed")

    assert page.inner_text(".dash-fixed").startswith("本月已解决")
    assert page.locator(".dash-rate").count() == 3
    assert page.locator("a.choice:has-text('数据看板')").count() == 0
    screenshot(page, "community-report-card")
    assert page.errors == []
