"""Push in the PWA: the offer after a first report/message/vote (never on load), turning push on (Chromium's
own subscribe, and a browser-like subscription whose pushes the outbox worker delivers to a local push
service), the notification settings screen, and the service worker's notificationclick."""

import json
import tempfile

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.outbox.worker import Worker
from app.push.models import PushSubscription
from app.push.vapid import keys
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.e2e.helpers import (
    WAIT_MS,
    post_notice,
    screenshot,
    seed_storage,
    serious_violations,
    sign_in,
    wait_for_service_worker,
    watch,
)
from tests.e2e.test_ui import GO, MEASURE, TARGETS

pytestmark = pytest.mark.e2e

ENGAGED = "kind => dispatchEvent(new CustomEvent('linli:engaged', {detail: {kind}}))"
OFFER = ".push-offer"
SUBSCRIBE_TIMEOUT_MS = 12_000  # pwa/js/push.js
SCROLL_ABOVE_CARD = "el => { el.scrollIntoView({block: 'start'}); scrollBy(0, -innerHeight / 4); }"

# A browser-like PushManager: PushManager.subscribe() cannot reach a push service here, so the page gets a
# subscription to the local receiver whose keys were made in Python; it records what the app asked for.
FAKE_PUSH_MANAGER = """(({endpoint, p256dh, auth}) => {
    let current = null;
    const b64url = (bytes) => btoa(String.fromCharCode(...bytes))
        .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
    window.pushCalls = [];
    PushManager.prototype.subscribe = async function (options) {
        const key = new Uint8Array(options.applicationServerKey);
        window.pushCalls.push({subscribe: {userVisibleOnly: options.userVisibleOnly, key: b64url(key)}});
        current = {
            endpoint, expirationTime: null,
            options: {userVisibleOnly: options.userVisibleOnly, applicationServerKey: key.buffer},
            toJSON: () => ({endpoint, expirationTime: null, keys: {p256dh, auth}}),
            unsubscribe: async () => {
                current = null;
                window.pushCalls.push({unsubscribe: endpoint});
                return true;
            },
        };
        return current;
    };
    PushManager.prototype.getSubscription = async function () { return current; };
})(%s);"""


@pytest.fixture
def persistent_context(playwright_session, live_server):
    """A Chromium profile on disk: incognito contexts refuse push outright, a real profile gets as far as
    PushManager.subscribe() (which then never settles, there being no push service)."""
    made = []

    def make():
        folder = tempfile.TemporaryDirectory()
        context = playwright_session.chromium.launch_persistent_context(
            folder.name, executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=live_server, **PHONE
        )
        context.set_default_timeout(WAIT_MS)
        made.append((context, folder))
        return context

    yield make
    for context, folder in made:
        context.close()
        folder.cleanup()


def subscriptions_of(user) -> list[PushSubscription]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(PushSubscription).where(PushSubscription.user_id == user.id)))


def test_the_offer_waits_for_a_first_report_and_not_now_holds_it_back(world, new_context):
    page = watch(new_context().new_page())
    sign_in(page, world.resident)
    page.wait_for_selector(".notice-card, .empty")
    page.reload()
    page.wait_for_selector("#tabbar:not([hidden])")
    page.wait_for_timeout(500)
    assert page.locator(OFFER).count() == 0
    assert page.evaluate("Notification.permission") == "default"

    page.evaluate(ENGAGED, "report")
    offer = page.locator(OFFER)
    offer.wait_for()
    assert "随手拍有了进展" in offer.inner_text()
    assert offer.get_by_role("button", name="开启通知").is_visible()
    page.evaluate(GO, "/me")  # the card stays while the user moves on
    page.wait_for_selector("[data-elder]")
    assert offer.is_visible()
    page.click("[data-lang=en]")
    page.wait_for_selector(".push-offer:has-text('Turn on notifications so you')")
    assert offer.get_by_role("button", name="Not now").is_visible()
    # The card covers the bottom of the screen; the page has room to scroll what it covers above it.
    page.locator("[data-lang=zh-CN]").evaluate(SCROLL_ABOVE_CARD)
    page.click("[data-lang=zh-CN]")
    page.wait_for_selector(".push-offer:has-text('开启通知，进展不错过')")

    offer.get_by_role("button", name="以后再说").click()
    offer.wait_for(state="detached")
    page.evaluate(ENGAGED, "vote")
    page.reload()
    page.evaluate(ENGAGED, "message")
    page.wait_for_timeout(300)
    assert page.locator(OFFER).count() == 0
    assert page.errors == []


def test_a_browser_that_blocks_notifications_gets_told_how_to_allow_them(world, new_context):
    # Headless Chromium answers the permission prompt itself with "denied", as a user tapping Block would.
    page = watch(new_context().new_page())
    sign_in(page, world.resident)
    page.evaluate(ENGAGED, "message")
    page.locator(OFFER).get_by_role("button", name="开启通知").click()
    page.wait_for_selector(f"{OFFER}[data-state=blocked]")
    text = page.inner_text(OFFER)
    assert "通知被浏览器禁止" in text
    assert "网站设置" in text
    assert "短信" in text  # PUSH_FALLBACK_KINDS is "all" here
    assert subscriptions_of(world.resident) == []

    page.evaluate(GO, "/settings/notifications")
    page.wait_for_selector(".push-device[data-state=blocked]")
    assert page.locator(".push-device button").count() == 0
    assert page.errors == []


def test_when_the_push_service_never_answers_the_user_is_told_so(world, live_server, persistent_context):
    context = persistent_context()
    context.grant_permissions(["notifications"], origin=live_server)
    page = watch(context.new_page())
    sign_in(page, world.resident)
    wait_for_service_worker(page)
    page.evaluate(ENGAGED, "report")
    page.locator(OFFER).get_by_role("button", name="开启通知").click()
    page.wait_for_selector(f"{OFFER}[aria-busy=true]")
    assert "正在开启" in page.inner_text(OFFER)
    page.wait_for_selector(f"{OFFER}[data-state=unreachable]", timeout=SUBSCRIBE_TIMEOUT_MS + WAIT_MS)
    assert "连接不上浏览器的推送服务" in page.inner_text(OFFER)
    assert subscriptions_of(world.resident) == []
    assert page.errors == []


def test_turning_on_registers_the_device_and_a_published_notice_arrives_encrypted(
    app, world, client, auth, live_server, persistent_context, receiver
):
    device = receiver.new_subscription()
    context = persistent_context()
    context.grant_permissions(["notifications"], origin=live_server)
    context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(device.json() | device.json()["keys"]))
    page = watch(context.new_page())
    sign_in(page, world.resident)
    wait_for_service_worker(page)
    page.evaluate(ENGAGED, "report")
    page.locator(OFFER).get_by_role("button", name="开启通知").click()
    page.wait_for_selector(f"{OFFER}[data-state=on]")
    assert "通知已开启" in page.inner_text(OFFER)
    assert page.evaluate("pushCalls") == [{"subscribe": {"userVisibleOnly": True, "key": keys().public_key}}]
    (stored,) = subscriptions_of(world.resident)
    assert (stored.endpoint, stored.p256dh, stored.auth) == (
        device.endpoint,
        device.p256dh,
        device.json()["keys"]["auth"],
    )

    notice = post_notice(
        client, auth(world.worker), world.c1, title="周六停电检修", body="上午 8:00-12:00 停电。"
    )
    worker = Worker(app, concurrency=2, periodic=False)
    try:
        worker.run_until_idle()
    finally:
        worker.close()
    assert receiver.errors() == []
    (delivered,) = receiver.for_endpoint(device.endpoint)
    assert delivered.message == {
        "title": "周六停电检修",
        "body": "上午 8:00-12:00 停电。",
        "url": f"/notices/{notice['id']}",
        "tag": f"notice-{notice['id']}",
        "kind": "notice",
    }

    # Turning it off on the settings screen: the server forgets the device and the browser unsubscribes.
    page.locator(OFFER).get_by_role("button", name="知道了").click()
    page.evaluate(GO, "/settings/notifications")
    page.wait_for_selector(".push-device[data-state=on]")
    page.get_by_role("button", name="关闭这台设备的通知").click()
    page.wait_for_selector(".push-device[data-state=off]")
    assert "已关闭" in page.inner_text(".push-device")
    assert subscriptions_of(world.resident) == []
    assert page.evaluate("pushCalls.at(-1)") == {"unsubscribe": device.endpoint}

    # On again from the settings screen; signing out then forgets the device, server and browser alike.
    page.get_by_role("button", name="开启通知").click()
    page.wait_for_selector(".push-device[data-state=on]")
    assert [s.endpoint for s in subscriptions_of(world.resident)] == [device.endpoint]
    page.evaluate(GO, "/me")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/login")
    assert subscriptions_of(world.resident) == []
    assert page.evaluate("pushCalls.at(-1)") == {"unsubscribe": device.endpoint}
    assert page.errors == []


def test_each_kind_switch_saves_at_once_survives_reload_and_rolls_back_on_error(
    world, auth, client, new_context
):
    page = watch(new_context().new_page())
    sign_in(page, world.resident, "/me")
    page.get_by_role("link", name="通知设置").click()
    page.wait_for_url("**/settings/notifications")
    switches = page.get_by_role("switch")
    switches.first.wait_for()
    assert switches.count() == 6  # no staff kinds for a resident
    assert page.locator("[data-kind=staff_deadline]").count() == 0

    notice = page.get_by_role("switch", name="社区通知", exact=True)
    assert notice.is_checked()
    notice.click()
    page.wait_for_selector(".switch-note.is-ok:text-is('已关闭，已保存')")
    assert not notice.is_checked()
    settings = client.get("/api/v1/me/notification-settings", headers=auth(world.resident)).get_json()
    assert settings["notice"] is False
    assert settings["poll"] is True
    page.reload()
    page.get_by_role("switch", name="投票").wait_for()
    assert not page.get_by_role("switch", name="社区通知", exact=True).is_checked()

    # The network fails mid-save: the switch goes back and says so; the server keeps its value.
    page.route(
        "**/api/v1/me/notification-settings",
        lambda route: route.abort() if route.request.method == "PATCH" else route.continue_(),
    )
    poll = page.get_by_role("switch", name="投票", exact=True)
    poll.click()
    page.wait_for_selector(".switch-note.is-error")
    assert poll.is_checked()
    assert (
        client.get("/api/v1/me/notification-settings", headers=auth(world.resident)).get_json()["poll"]
        is True
    )
    assert [e for e in page.errors if "ERR_FAILED" not in e] == []


def test_staff_see_their_own_kinds(world, new_context):
    page = watch(new_context().new_page())
    sign_in(page, world.worker, "/settings/notifications")
    page.get_by_role("switch", name="办理时限预警").wait_for()
    assert page.get_by_role("switch").count() == 9
    assert page.errors == []


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_the_settings_screen_and_the_offer_pass_axe(world, new_context, elder):
    from axe_playwright_python.sync_playwright import Axe

    context = new_context()
    seed_storage(context, world.worker, elder=elder)
    page = watch(context.new_page())
    page.goto("/me")
    page.wait_for_selector("[data-elder]")
    page.evaluate(Axe().axe_script)
    page.evaluate(GO, "/settings/notifications")
    page.get_by_role("switch", name="办理时限预警").wait_for()
    page.wait_for_selector(".push-device[data-state]")
    page.evaluate(ENGAGED, "vote")
    page.wait_for_selector(OFFER)
    screenshot(page, f"push-settings-{'elder' if elder else 'normal'}")
    assert serious_violations(page) == []
    if elder:
        small = [t for t in page.evaluate(MEASURE, TARGETS) if t["width"] < 60 or t["height"] < 60]
        assert small == [], f"targets under 60×60 px: {small}"
    assert page.errors == []


OPEN_APP = """async (url) => {
    const client = await openApp(url);
    return client ? client.url : null;
}"""


def test_a_notification_click_takes_the_open_window_to_its_page_on_this_site_only(
    world, live_server, new_context
):
    context = new_context(service_workers="allow")
    page = watch(context.new_page())
    sign_in(page, world.resident)
    wait_for_service_worker(page)
    (worker,) = context.service_workers
    # openApp is what the notificationclick handler runs; Chromium offers no way to click a notification.
    assert worker.evaluate(OPEN_APP, "/me") == f"{live_server}/me"
    page.wait_for_url("**/me")
    page.wait_for_selector("[data-elder]")
    assert len(context.pages) == 1

    assert worker.evaluate(OPEN_APP, "https://evil.example/phish") == f"{live_server}/"
    page.wait_for_url(f"{live_server}/")
    assert len(context.pages) == 1
