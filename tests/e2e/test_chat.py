"""Chat in two Chromium contexts: a resident and their grid worker talk over websockets (typing, read ticks),
then the resident's connection is cut while both keep writing; after it returns every message is there once,
in order, and the resident's offline outbox went out."""

import time

import pytest

from app.extensions import socketio
from tests.e2e.helpers import LOADED_WIDTH, WAIT_MS, give_photo, screenshot, sign_in, watch

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _open_all_day(app, monkeypatch):
    monkeypatch.setitem(app.config, "CHAT_WORKING_HOURS", "00:00-24:00")
    monkeypatch.setitem(app.config, "CHAT_WORKING_DAYS", "1,2,3,4,5,6,7")


def wait_until(check, timeout: float = WAIT_MS / 1000):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def bodies(page) -> list[str]:
    return page.locator(".chat-log .msg-body").all_inner_texts()


def send(page, text: str) -> None:
    page.fill(".chat-composer textarea", text)
    page.click(".chat-send")


def drop_sockets(user) -> int:
    """Cut the user's websockets from the server side, as a dying network would."""
    sids = [sid for sid, _ in socketio.server.manager.get_participants("/", f"user:{user.id}")]
    for sid in sids:
        socketio.server.disconnect(sid)
    return len(sids)


@pytest.mark.usefixtures("upload_dir")
def test_resident_and_grid_worker_chat_through_a_forced_disconnect(world, new_context, client, auth):
    give_photo(client, auth(world.grid_worker))
    resident = watch(new_context().new_page())
    sign_in(resident, world.resident, "/messages")
    resident.wait_for_selector(".worker-card:has-text('grid_worker')")
    # The card shows who will answer: their photo, named for screen readers.
    assert resident.locator(".worker-card .worker-avatar img[alt='grid_worker']").evaluate(LOADED_WIDTH) > 0
    resident.evaluate(
        "window.__engaged = []; addEventListener('linli:engaged', e => __engaged.push(e.detail.kind))"
    )
    resident.wait_for_selector(".chat.is-connected")
    send(resident, "你好，3栋电梯坏了")
    resident.wait_for_selector(".msg-mine:has-text('已送达')")
    assert wait_until(lambda: resident.evaluate("__engaged") == ["message"])

    worker_ctx = new_context()
    worker = watch(worker_ctx.new_page())
    sign_in(worker, world.grid_worker, "/messages")
    row = worker.locator(".inbox-link", has_text="resident")
    row.wait_for()
    assert row.locator(".inbox-unread").inner_text() == "1"
    screenshot(worker, "chat-inbox")
    row.click()
    worker.wait_for_selector(".msg-theirs:has-text('3栋电梯坏了')")
    worker.wait_for_selector(".chat.is-connected")
    assert worker.get_by_role("button", name="认领").is_visible()  # nobody has answered yet
    # The worker has read it: the resident's tick turns to 已读.
    resident.wait_for_selector(".msg-mine:has-text('已读')")
    worker.type(".chat-composer textarea", "收到")
    resident.wait_for_selector(".chat-typing:not([hidden]):has-text('工作人员正在输入')")
    worker.fill(".chat-composer textarea", "")
    send(worker, "收到，马上联系物业")
    resident.wait_for_selector(".msg-theirs:has-text('马上联系物业')")
    # The first answer made the worker its assignee. The worker's own screen learns it from its send's ack
    # (the server sends that connection no chat:conversation of its own).
    worker.wait_for_selector(".chat-assignee:has-text('grid_worker')")
    assert worker.get_by_role("button", name="认领").count() == 0
    screenshot(resident, "chat-resident")

    # The resident's network goes; the server drops its socket; both sides keep writing.
    resident.context.set_offline(True)
    drop_sockets(world.resident)
    resident.wait_for_selector(".chat:not(.is-connected)")
    send(worker, "物业说下午两点到")
    send(worker, "请您留意")
    send(resident, "好的，谢谢")
    resident.wait_for_selector(".msg-mine:has-text('等待联网发送')")
    assert wait_until(lambda: bodies(worker)[-2:] == ["物业说下午两点到", "请您留意"])
    assert "好的，谢谢" not in bodies(worker)

    resident.context.set_offline(False)
    resident.wait_for_selector(".chat.is-connected", timeout=20_000)
    expected = ["你好，3栋电梯坏了", "收到，马上联系物业", "物业说下午两点到", "请您留意", "好的，谢谢"]
    assert wait_until(lambda: bodies(resident) == expected), bodies(resident)
    assert wait_until(lambda: bodies(worker) == expected), bodies(worker)
    resident.wait_for_selector(".msg-mine:has-text('好的，谢谢'):not(:has-text('等待联网发送'))")
    assert resident.evaluate("__engaged") == ["message"]
    # Reloading syncs from the server: still each message once.
    resident.reload()
    assert wait_until(lambda: bodies(resident) == expected), bodies(resident)
    # Chromium logs the reconnection attempts made while offline; those are expected.
    assert [e for e in resident.errors if "ERR_INTERNET_DISCONNECTED" not in e] == []
    assert worker.errors == []


def test_worker_claims_notes_and_resolves_and_the_resident_rates(world, new_context, client, auth):
    from tests.chat.helpers import open_conv
    from tests.chat.helpers import send as rest_send

    conv = open_conv(client, auth, world.resident2)  # grid g2 has no grid worker: the community sees it
    rest_send(client, auth(world.resident2), conv["id"], "想咨询一下居住证明")
    worker = watch(new_context().new_page())
    sign_in(worker, world.worker, "/messages")
    worker.locator(".inbox-link", has_text="resident2").click()
    worker.get_by_role("button", name="认领").click()
    worker.wait_for_selector(".chat-assignee:has-text('worker')")
    worker.check("#chat-note")
    send(worker, "该居民租房合同快到期")
    worker.wait_for_selector(".msg-note:has-text('租房合同')")
    worker.uncheck("#chat-note")
    send(worker, "请带身份证和租赁合同来社区办理")
    worker.wait_for_selector(".msg-mine:has-text('身份证')")
    screenshot(worker, "chat-worker")
    worker.get_by_role("button", name="结束会话").click()
    worker.wait_for_selector(".chat-actions:has-text('已结束')")

    resident = watch(new_context().new_page())
    sign_in(resident, world.resident2, "/messages")
    resident.wait_for_selector(".msg-theirs:has-text('身份证')")
    assert "租房合同" not in resident.inner_text(".chat-log")
    resident.get_by_role("button", name="5 星").click()
    resident.wait_for_selector(".chat-rating:has-text('谢谢')")
    assert resident.errors == []
    assert worker.errors == []


def test_an_expired_token_mid_conversation_reconnects_and_keeps_the_outbox(world, new_context):
    from datetime import timedelta

    from flask_jwt_extended import create_access_token, decode_token

    from app.auth.service import start_session
    from app.extensions import db
    from tests.e2e.helpers import store_tokens

    tokens = start_session(world.resident)
    db.session.commit()
    sid = decode_token(tokens["access_token"])["sid"]
    short = create_access_token(
        identity=str(world.resident.id), additional_claims={"sid": sid}, expires_delta=timedelta(seconds=4)
    )
    expires = decode_token(short)["exp"]
    resident = watch(new_context().new_page())
    resident.goto("/login")
    store_tokens(resident, {"access_token": short, "refresh_token": tokens["refresh_token"]})
    resident.goto("/messages")
    resident.wait_for_selector(".chat.is-connected")
    time.sleep(max(expires - time.time() + 0.5, 0))
    # The connection outlived its token: the send is refused, the app refreshes and reconnects, and the
    # message waiting in the outbox goes out once.
    send(resident, "令牌过期后发的")
    resident.wait_for_selector(".msg-mine:has-text('令牌过期后发的'):has-text('已送达')", timeout=20_000)
    assert resident.evaluate("JSON.parse(localStorage.getItem('linli.tokens')).access") != short
    worker = watch(new_context().new_page())
    sign_in(worker, world.grid_worker, "/messages")
    worker.locator(".inbox-link", has_text="resident").click()
    worker.wait_for_selector(".msg-theirs:has-text('令牌过期后发的')")
    assert bodies(worker).count("令牌过期后发的") == 1
    assert resident.errors == []
