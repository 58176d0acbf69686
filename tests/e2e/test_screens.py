"""The feed (pinned first, endless scroll, search), the staff side (compose, schedule, edit, withdraw), and
one's photo on 我的."""

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from tests.e2e.helpers import LOADED_WIDTH, post_notice, screenshot, sign_in, watch
from tests.uploads.images import phone_jpeg

pytestmark = pytest.mark.e2e


def test_the_feed_lists_pinned_first_scrolls_on_and_searches(world, client, auth, page):
    headers = auth(world.worker)
    post_notice(client, headers, world.c1, title="置顶：社区服务热线", pinned=True)
    for i in range(24):
        post_notice(client, headers, world.c1, title=f"第{i + 1}号通知", body="日常事务。")
    post_notice(client, headers, world.c1, title="游泳池开放", body="夏季游泳池下周一开放。")
    sign_in(page, world.resident)
    cards = page.locator(".notice-card")
    assert cards.first.locator(".card-title").inner_text() == "置顶：社区服务热线"
    assert cards.count() == 20

    page.locator(".sentinel").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('.notice-card').length === 26")
    page.wait_for_selector(".list-status:text-is('没有更多了')")

    page.fill("#feed-search", "游泳")
    page.press("#feed-search", "Enter")
    page.wait_for_function("() => document.querySelectorAll('.notice-card').length === 1")
    assert cards.first.locator(".card-title").inner_text() == "游泳池开放"
    assert page.errors == []


def test_a_worker_schedules_edits_and_withdraws_a_notice_and_rejects_an_application(world, new_context):
    page = watch(new_context().new_page())
    sign_in(page, world.worker, "/staff/notices/new")
    # The tab bar shows before the form has loaded the regions it may post to.
    page.wait_for_selector("select[name=region_id] option >> nth=2", state="attached")
    regions = page.locator("select[name=region_id] option").all_inner_texts()
    # Only the regions this worker serves: the community and its grids, nothing in other communities.
    assert [r.strip() for r in regions] == [
        "海裕社区（社区）",
        "海裕第一网格（网格）",
        "海裕第二网格（网格）",
    ]

    page.click("button[type=submit]")
    assert page.inner_text("[data-field=title] .field-error") == "请输入标题。"
    page.fill("input[name=title]", "消防演练")
    page.fill("textarea[name=body]", "下周六上午十点，全体居民到广场集合。")
    page.select_option("select[name=region_id]", label="　海裕第一网格（网格）")
    page.select_option("select[name=category]", "safety")
    page.fill("input[name=publish_at]", "2099-06-01T09:30")
    page.click("button[type=submit]")
    page.wait_for_selector(".notice-detail")
    assert page.inner_text(".notice-heading") == "消防演练"
    assert "定时发布" in page.inner_text(".notice-detail .badges")
    assert "2099/6/1 09:30" in page.inner_text(".notice-meta")
    page.wait_for_selector(".stats:has-text('阅读情况')")

    page.click("a:has-text('编辑')")
    page.wait_for_selector("input[name=title]")
    assert page.input_value("input[name=publish_at]") == "2099-06-01T09:30"
    page.fill("input[name=title]", "消防演练（改期）")
    page.click("button:has-text('保存修改')")
    page.wait_for_selector(".notice-heading:text-is('消防演练（改期）')")

    page.goto("/staff/notices?status=scheduled")
    page.wait_for_selector(".notice-card:has-text('消防演练（改期）')")
    page.click(".notice-card:has-text('消防演练（改期）')")
    withdraw = page.get_by_role("button", name="撤回")
    withdraw.click()
    page.get_by_role("button", name="再点一次确认撤回").click()
    page.wait_for_selector(".notice-detail .badges:has-text('已撤回')")

    page.goto("/staff/applications")
    card = page.locator("li.application", has_text="pending")
    card.get_by_role("button", name="不通过", exact=True).click()
    card.locator("textarea").fill("查无此户")
    card.get_by_role("button", name="确认不通过").click()
    card.wait_for(state="detached")
    page.wait_for_selector(".list-status:text-is('没有待审核的申请。')")

    page.goto("/me")
    page.click("button:has-text('退出登录')")
    page.wait_for_url("**/login")
    assert page.evaluate("localStorage.getItem('linli.tokens')") is None
    assert page.errors == []


def test_use_my_location_finds_the_community(world, new_context):
    context = new_context(permissions=["geolocation"], geolocation={"latitude": 22.555, "longitude": 113.885})
    page = watch(context.new_page())
    sign_in(page, world.stranger, "/join")
    page.click("button:has-text('使用我的位置')")
    page.wait_for_selector(".locate-result:has-text('海裕社区 海裕第一网格')")
    page.click(".locate-result a:has-text('选择 海裕社区')")
    page.wait_for_url(f"**/join/{world.c1.id}")
    page.wait_for_selector("label:has-text('1栋1单元101')")

    context.set_geolocation({"latitude": 30.0, "longitude": 120.0})
    page.goto("/join")
    page.click("button:has-text('使用我的位置')")
    page.wait_for_selector(".locate-result:has-text('没有找到您所在的社区')")
    # The one console error is Chromium logging the 404 that says "no grid here".
    assert [e for e in page.errors if "status of 404" not in e] == []


@pytest.mark.usefixtures("upload_dir")
def test_a_worker_sets_and_removes_their_photo_on_the_me_screen(world, page):
    def photo_id():
        return db.session.scalar(sa.select(User.photo_id).where(User.id == world.grid_worker.id))

    sign_in(page, world.grid_worker, "/me")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="设置我的照片").click()
    chooser.value.set_files(files={"name": "me.jpg", "mimeType": "image/jpeg", "buffer": phone_jpeg(64, 64)})

    page.wait_for_selector(".profile-status:text-is('照片已更新。')")
    assert page.locator(".profile img[alt='我的照片']").evaluate(LOADED_WIDTH) > 0
    assert page.get_by_role("button", name="更换我的照片").is_visible()
    assert photo_id() is not None
    screenshot(page, "me-photo")
    page.reload()
    assert page.locator(".profile img[alt='我的照片']").evaluate(LOADED_WIDTH) > 0

    page.get_by_role("button", name="删除照片").click()
    page.wait_for_selector(".profile-status:text-is('照片已删除。')")
    assert page.locator(".profile img").count() == 0
    assert page.get_by_role("button", name="删除照片").is_hidden()
    assert page.get_by_role("button", name="设置我的照片").is_visible()
    assert photo_id() is None
    assert page.errors == []
