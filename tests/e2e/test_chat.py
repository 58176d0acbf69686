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
    # What the worker writes often becomes a canned reply, then one pick away.
    worker.fill(".chat-composer textarea", "工作日 9:00–18:00 可来社区服务站办理")
    worker.get_by_role("button", name="存为快捷回复").click()
    worker.fill(".chat-canned-name", "办理时间")
    worker.press(".chat-canned-name", "Enter")
    worker.wait_for_selector(".chat-canned option:has-text('办理时间')", state="attached")
    worker.fill(".chat-composer textarea", "")
    worker.select_option(".chat-canned", label="办理时间：工作日 9:00–18:00 可来社区服务站办理")
    assert worker.input_value(".chat-composer textarea") == "工作日 9:00–18:00 可来社区服务站办理"
    worker.fill(".chat-composer textarea", "")
    canned = client.get("/api/v1/canned-replies", headers=auth(world.worker)).get_json()
    assert [(c["shortcut"], c["body"]) for c in canned] == [
        ("办理时间", "工作日 9:00–18:00 可来社区服务站办理")
    ]
    screenshot(worker, "chat-worker")
    worker.get_by_role("button", name="结束会话").click()
    worker.wait_for_selector(".chat-actions:has-text('已结束')")

    resident = watch(new_context().new_page())
    sign_in(resident, world.resident2, "/messages")
    resident.wait_for_selector(".msg-theirs:has-text('身份证')")
    assert "租房合同" not in resident.inner_text(".chat-log")
    assert "工作日" not in resident.inner_text(".chat-log")  # saving a canned reply sent nothing
    resident.get_by_role("button", name="5 星").click()
    resident.wait_for_selector(".chat-rating:has-text('谢谢')")
    # The worker's open screen shows the rating as it comes, and so does their inbox.
    worker.wait_for_selector(".chat-csat:has-text('★★★★★')")
    worker.goto("/messages")
    worker.get_by_role("tab", name="全部").click()
    worker.wait_for_selector(".inbox-link:has-text('resident2') .inbox-rating:has-text('★★★★★')")
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


def test_the_outbox_sends_again_what_was_not_stored_and_keeps_what_was_refused(
    world, new_context, monkeypatch
):
    import sqlalchemy as sa

    from app.chat import writer as chat_writer
    from app.chat.models import ChatMessage, Conversation
    from app.core.errors import UnavailableError, UnprocessableError
    from app.extensions import db

    # What the writer answers before it stores for real (a failed batch says "send it again").
    faults = [UnavailableError(chat_writer.NOT_STORED), UnavailableError(chat_writer.NOT_STORED)]
    real_send = chat_writer.GroupWriter.send

    def faulty(self, *args, **kwargs):
        if faults:
            raise faults.pop(0)
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(chat_writer.GroupWriter, "send", faulty)
    resident = watch(new_context().new_page())
    sign_in(resident, world.resident, "/messages")
    resident.wait_for_selector(".chat.is-connected")
    send(resident, "第一次没存上")
    # Sent again after a pause, twice, with the same client_id, until it was stored.
    resident.wait_for_selector(".msg-mine:has-text('第一次没存上'):has-text('已送达')", timeout=20_000)
    assert faults == []

    # Refused for good: kept on screen and marked, without holding back the next message; sent again on
    # the resident's word.
    faults.append(UnprocessableError("The event is invalid."))
    send(resident, "被拒收的")
    resident.wait_for_selector(".msg-mine:has-text('被拒收的'):has-text('未发送')")
    send(resident, "后面的照常发出")
    resident.wait_for_selector(".msg-mine:has-text('后面的照常发出'):has-text('已送达')")
    resident.locator(".msg-mine", has_text="被拒收的").get_by_role("button", name="重新发送").click()
    resident.wait_for_selector(".msg-mine:has-text('被拒收的'):has-text('已送达')")

    # A photo whose upload is gone (purged while the phone was away) is refused by the server itself; the
    # resident deletes it.
    mine = sa.select(Conversation.id).where(Conversation.resident_id == world.resident.id)
    conv_id = db.session.scalar(mine)
    resident.evaluate(
        "async (id) => { (await import('/js/chat.js')).queue(id, '', { attachmentIds: [987654] }); }", conv_id
    )
    refused = resident.locator(".msg-mine", has_text="未发送")
    refused.wait_for()
    refused.get_by_role("button", name="删除").click()
    refused.wait_for(state="detached")
    assert resident.evaluate(f"localStorage.getItem('linli.chat.outbox.{world.resident.id}')") == "[]"

    db.session.expire_all()
    stored = db.session.scalars(
        sa.select(ChatMessage.body).where(ChatMessage.conversation_id == conv_id).order_by(ChatMessage.seq)
    ).all()
    assert stored == ["第一次没存上", "后面的照常发出", "被拒收的"]
    assert resident.errors == []


def test_off_duty_the_community_answers_and_history_loads_on_scrolling_up(world, new_context, client, auth):
    from tests.chat.helpers import open_conv
    from tests.chat.helpers import send as rest_send

    worker = watch(new_context().new_page())
    sign_in(worker, world.grid_worker, "/messages")
    switch = worker.locator("#chat-duty")
    worker.wait_for_selector("#chat-duty:not([disabled])")
    assert switch.is_checked()
    switch.uncheck()
    worker.wait_for_selector(".chat-duty-hint:has-text('离岗中')")

    # The resident's card says their grid worker is away; the community's worker sees the question at once.
    conv = open_conv(client, auth, world.resident)
    for n in range(1, 71):
        rest_send(client, auth(world.resident), conv["id"], f"第{n}条")
    resident = watch(new_context().new_page())
    sign_in(resident, world.resident, "/messages")
    resident.wait_for_selector(".worker-card .worker-away")
    community = watch(new_context().new_page())
    sign_in(community, world.worker, "/messages")
    community.locator(".inbox-link", has_text="resident").wait_for()

    # History: the last page first; scrolling to the top brings the pages before it, keeping one's place.
    resident.wait_for_selector(".msg-mine:has-text('第70条')")
    assert "第1条" not in bodies(resident)
    first = resident.locator(".msg-body", has_text="第41条")  # the top of the last page
    log = resident.locator(".chat-log")
    log.evaluate("log => { log.scrollTop = 0; }")
    resident.wait_for_selector(".msg-body:text-is('第11条')")
    # The message that was on top is still where it was; the page before it is above, out of view.
    place = first.evaluate(
        "m => m.getBoundingClientRect().top - m.closest('.chat-log').getBoundingClientRect().top"
    )
    assert abs(place) < 20, place
    for _ in range(10):
        if "第1条" in bodies(resident):
            break
        log.evaluate("log => { log.scrollTop = 0; }")
        resident.wait_for_timeout(300)
    assert bodies(resident) == [f"第{n}条" for n in range(1, 71)]
    assert resident.locator(".chat-older").is_hidden()
    assert resident.errors == worker.errors == community.errors == []
