"""The PWA as an installable, offline-capable app: installability, offline reading, deploy updates, weight."""

import json
import shutil

import pytest

from app import pwa
from tests.e2e.helpers import WAIT_MS, post_notice, screenshot, sign_in, wait_for_service_worker, watch

pytestmark = pytest.mark.e2e

BUDGET_BYTES = 150 * 1024


def test_chromium_reports_no_installability_errors(playwright_session, live_server, tmp_path):
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE

    # A persistent profile: the default context is incognito, where Chromium refuses to install anything.
    context = playwright_session.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=live_server, **PHONE
    )
    try:
        page = watch(context.new_page())
        page.goto("/")
        page.wait_for_selector("form")
        wait_for_service_worker(page)
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == []
        assert manifest["url"].endswith("/manifest.webmanifest")
        assert page.errors == []
    finally:
        context.close()


def test_offline_reload_shows_the_shell_and_the_notices_read_before(world, client, auth, new_context):
    post_notice(client, auth(world.worker), world.c1, title="电梯检修", body="3栋电梯周三检修，请走楼梯。")
    context = new_context(service_workers="allow")
    page = watch(context.new_page())
    sign_in(page, world.resident)
    wait_for_service_worker(page)
    # Now that the worker controls the page, reading goes through it and is kept for later.
    page.reload()
    page.click(".notice-card:has-text('电梯检修')")
    page.wait_for_selector(".notice-detail")
    page.click("a.back")
    page.wait_for_selector(".notice-card:has-text('电梯检修')")

    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#offline-banner:not([hidden])")
    assert "网络已断开" in page.inner_text("#offline-banner")
    page.wait_for_selector(".notice-card:has-text('电梯检修')")
    page.click(".notice-card:has-text('电梯检修')")
    page.wait_for_selector(".notice-detail")
    assert "请走楼梯" in page.inner_text(".notice-body")
    screenshot(page, "offline-notice")

    # Something not saved before says so plainly, and so does an action that needs the network.
    unit_requests = []
    page.on("request", lambda request: "/units" in request.url and unit_requests.append(request.url))
    page.goto(f"/join/{world.c2.id}")
    page.wait_for_selector("text=这部分内容还没有保存到本机")
    page.wait_for_timeout(500)
    assert len(unit_requests) == 1  # a failed page is retried by the button, not in a loop
    assert page.is_visible("button:has-text('重试')")
    page.click("label:has-text('暂不选择')")
    page.click("button:has-text('提交申请')")
    alert = page.wait_for_selector("form .form-alert:not([hidden])")
    assert "当前没有网络，无法完成此操作" in alert.inner_text()

    context.set_offline(False)
    page.goto("/")
    page.wait_for_selector("#offline-banner", state="hidden")


def test_a_new_deploy_is_picked_up_and_offered_as_an_update(app, world, new_context, tmp_path, monkeypatch):
    deployed = tmp_path / "pwa"
    shutil.copytree(pwa.PWA_DIR, deployed)
    monkeypatch.setitem(app.config, "PWA_DIR", str(deployed))
    page = watch(new_context(service_workers="allow").new_page())
    sign_in(page, world.resident)
    wait_for_service_worker(page)
    first = page.evaluate("caches.keys()")

    css = deployed / "css" / "app.css"
    css.write_text(css.read_text() + "\n/* release 2 */\n")
    pwa.shell_version.cache_clear()  # what restarting the server after a deploy does
    page.reload()
    page.wait_for_selector("#update-banner:not([hidden])")
    assert "有新版本" in page.inner_text("#update-banner")
    screenshot(page, "update-ready")

    with page.expect_navigation():
        page.click("#update-button")
    page.wait_for_selector("#tabbar:not([hidden])")
    caches = page.evaluate("caches.keys()")
    version = pwa.shell_version(deployed)
    assert f"linli-shell-{version}" in caches
    assert not set(first) & {name for name in caches if name.startswith("linli-shell-")}
    assert page.is_hidden("#update-banner")
    assert page.errors == []


def test_first_load_transfers_at_most_150_kb_of_js_and_css(new_context):
    page = new_context(service_workers="allow").new_page()
    transferred = {}

    def on_finished(request):
        if request.resource_type in ("script", "stylesheet"):
            transferred[request.url] = request.sizes()["responseBodySize"]

    page.on("requestfinished", on_finished)
    page.goto("/")
    page.wait_for_selector("form")
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("/js/main.js") for url in transferred)
    assert any(url.endswith("/css/app.css") for url in transferred)
    assert 0 < sum(transferred.values()) <= BUDGET_BYTES, transferred


SHOWN_NOTIFICATIONS = """async ms => {
    const registration = await navigator.serviceWorker.ready;
    for (const until = Date.now() + ms; Date.now() < until; ) {
        const found = await registration.getNotifications();
        if (found.length) return found.map(n => ({title: n.title, body: n.body, tag: n.tag, data: n.data}));
        await new Promise(resolve => setTimeout(resolve, 100));
    }
    return [];
}"""


def active_registration_id(page, cdp, scope: str) -> str:
    """The id of the scope's registration once it has an activated worker version (as DevTools reports it)."""
    registrations, versions = {}, {}
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: registrations.update({r["registrationId"]: r for r in e["registrations"]}),
    )
    cdp.on(
        "ServiceWorker.workerVersionUpdated",
        lambda e: versions.update({v["versionId"]: v for v in e["versions"]}),
    )
    cdp.send("ServiceWorker.enable")
    # A fixed pause raced a slow worker start under load: the push went to a version not yet activated.
    for _ in range(WAIT_MS // 100):
        live = {i for i, r in registrations.items() if r["scopeURL"] == scope and not r["isDeleted"]}
        for version in versions.values():
            if version["registrationId"] in live and version["status"] == "activated":
                return version["registrationId"]
        page.wait_for_timeout(100)
    raise AssertionError(f"no activated service worker for {scope}: {registrations} {versions}")


def test_a_push_message_becomes_a_notification(world, live_server, new_context):
    context = new_context(service_workers="allow", permissions=["notifications"])
    page = watch(context.new_page())
    sign_in(page, world.resident)
    wait_for_service_worker(page)
    cdp = context.new_cdp_session(page)
    registration_id = active_registration_id(page, cdp, f"{live_server}/")
    # The payload app/push/delivery.py sends.
    payload = {
        "title": "停水",
        "body": "明天上午停水",
        "url": "/notices/7",
        "tag": "notice-7",
        "kind": "notice",
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server,
            "registrationId": registration_id,
            "data": json.dumps(payload),
        },
    )
    shown = page.evaluate(SHOWN_NOTIFICATIONS, WAIT_MS)
    assert shown == [
        {"title": "停水", "body": "明天上午停水", "tag": "notice-7", "data": {"url": "/notices/7"}}
    ]
