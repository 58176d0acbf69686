"""A resident's first day: register, apply to a community, get approved by a worker, read a notice."""

import time

import pytest

from tests.e2e.helpers import WAIT_MS, post_notice, screenshot, sign_in, watch

pytestmark = pytest.mark.e2e


def wait_until(check, timeout: float = WAIT_MS / 1000):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_resident_registers_applies_is_approved_and_reads_a_notice(world, client, auth, new_context):
    notice = post_notice(
        client, auth(world.worker), world.c1, title="垃圾分类宣传周", body="周六上午在社区广场。"
    )
    resident = watch(new_context().new_page())

    resident.goto("/")
    resident.wait_for_url("**/login")
    resident.click("text=注册新账号")
    resident.fill("input[name=name]", "王阿姨")
    resident.fill("input[name=phone]", "139 1234 5678")
    resident.fill("input[name=password]", "short")
    resident.click("button[type=submit]")
    assert resident.locator("[data-field=password] .field-error").inner_text() == "密码至少需要 8 位。"
    resident.fill("input[name=password]", "good-password-1")
    resident.click("button[type=submit]")

    resident.wait_for_url("**/join")
    resident.click("a.choice:has-text('海裕社区')")
    resident.wait_for_url(f"**/join/{world.c1.id}")
    resident.fill("#unit-search", "101")
    resident.wait_for_selector("label:has-text('2栋1单元202')", state="detached")  # the search has answered
    resident.click("label:has-text('1栋1单元101')")
    resident.click("button:has-text('提交申请')")
    resident.wait_for_selector("text=申请审核中")
    assert "海裕社区" in resident.inner_text(".callout-pending")
    screenshot(resident, "journey-pending")

    worker = watch(new_context().new_page())
    sign_in(worker, world.worker, "/staff/applications")
    card = worker.locator("li.application", has_text="王阿姨")
    assert "13912345678" in card.inner_text()
    assert "1栋1单元101" in card.inner_text()
    card.get_by_role("button", name="通过", exact=True).click()
    card.wait_for(state="detached")
    worker.wait_for_selector("#announcer:has-text('已通过 王阿姨 的申请')", state="attached")

    resident.click("button:has-text('刷新审核状态')")
    resident.wait_for_selector(".notice-card:has-text('垃圾分类宣传周')")
    assert resident.locator(".callout-pending").count() == 0
    assert "未读" in resident.inner_text(".notice-card:has-text('垃圾分类宣传周')")
    resident.click(".notice-card:has-text('垃圾分类宣传周')")
    resident.wait_for_selector(".notice-detail")
    assert resident.inner_text(".notice-heading") == "垃圾分类宣传周"
    assert "周六上午在社区广场。" in resident.inner_text(".notice-body")

    def read_count():
        stats = client.get(f"/api/v1/notices/{notice['id']}/stats", headers=auth(world.worker)).get_json()
        return stats["read_count"] == 1

    assert wait_until(read_count), "the read receipt never arrived"
    resident.click("a.back")
    resident.wait_for_selector(".notice-card:has-text('垃圾分类宣传周')")
    assert "未读" not in resident.inner_text(".notice-card:has-text('垃圾分类宣传周')")
    assert resident.errors == []
    assert worker.errors == []
