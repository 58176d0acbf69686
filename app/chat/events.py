"""Socket.IO handlers of chat on the default namespace. Thin: each loads its payload, calls the service the
REST views call, commits and answers the ack; every error is the one envelope, as the ack. The chat events
run in an app context, with the connection's sid as their argument (bind() says why). `chat:send`
hands its message to the process's writer (writer.py), which stores it with the sends waiting beside it in
one transaction and tells its audience once that commits.

A connection is refused without a valid access token. Its token is verified (signature, login, user) once,
on connect; every event then re-checks its `exp`: once it has expired the event is refused with
`token_expired` and the connection leaves its rooms, so a client must reconnect with a fresh token to hear
anything more. A sweep does the same to idle connections.

Revocation (logout, a reused refresh token, a deactivated user) is checked again against the database at
most every AUTH_RECHECK_SECONDS per connection, and at once on the next event after this process itself
revoked a login or deactivated a user. So a login revoked by another server process stops a connection
within AUTH_RECHECK_SECONDS (5 s), and so does a user deactivated there, or a worker's membership changed
there (the staff scope a connection keeps, by which each event is still authorized). In between, an event
reads nothing about its user (SocketUser: what the last check found), and the re-check itself is one Core
row (the login joined to its user) instead of the join of login, user, memberships and units that a REST
call does. In a server a background task re-checks every connection's login in one query every
RECHECK_EVERY_SECONDS (recheck_logins), so that events seldom need their own.
"""

import functools
import time
from collections import deque

import sqlalchemy as sa
from flask import current_app, request
from flask_jwt_extended import decode_token
from flask_socketio import join_room
from jwt import ExpiredSignatureError
from marshmallow import ValidationError

from app.auth.models import AuthSession, User
from app.chat import access, service
from app.chat.schemas import ReadEventSchema, SendEventSchema, SyncEventSchema, TypingEventSchema
from app.chat.views import message_view
from app.chat.writer import writer
from app.core.after_commit import commit
from app.core.errors import ApiError, UnauthorizedError, UnprocessableError, validation_fields
from app.extensions import db, socketio

# Schemas are stateless on load: one instance each instead of one per event.
_SEND, _SYNC, _TYPING, _READ = SendEventSchema(), SyncEventSchema(), TypingEventSchema(), ReadEventSchema()
# sid -> the access token's claims; per process, like the socket itself.
_connections: dict[str, dict] = {}
# sid -> (monotonic time of the last full check of its login, _changes() then, the user it found).
_checked: dict[str, tuple[float, tuple[int, int], "SocketUser"]] = {}
AUTH_RECHECK_SECONDS = 5.0
# The background re-check's period: often enough that an event finds a check younger than
# AUTH_RECHECK_SECONDS (a round takes milliseconds), and no oftener, for a round costs per connection: at half
# the period it was 4 % of the CPU under the chat benchmark's load.
RECHECK_EVERY_SECONDS = AUTH_RECHECK_SECONDS * 0.8
# Bumped whenever this process ends a login or deactivates a user (even if that transaction then rolls
# back: the cost is one early re-check), so its own revocations reach every connection's next event.
_revocations = {"n": 0}


def _changes() -> tuple[int, int]:
    """What a connection's last check saw: this process's revocations, and its membership or region writes
    (after which the staff scope a SocketUser keeps is stale)."""
    return _revocations["n"], access.membership_writes["n"]


@sa.event.listens_for(AuthSession.revoked_at, "set")
def _login_revoked(_target, value, _old, _initiator):
    if value is not None:
        _revocations["n"] += 1


@sa.event.listens_for(User.is_active, "set")
def _user_deactivated(_target, value, _old, _initiator):
    if not value:
        _revocations["n"] += 1


# sid -> when its recent messages were sent, for the per-connection send limit.
_recent_sends: dict[str, deque] = {}


def _refuse(code: str, message: str):
    return ConnectionRefusedError({"error": {"code": code, "message": message}})


@socketio.on("connect")
def on_connect(auth=None):
    token = (auth or {}).get("token") if isinstance(auth, dict) else None
    if not token:
        raise _refuse("unauthorized", "Connect with auth={token: <access token>}.")
    try:
        claims = decode_token(token)
    except ExpiredSignatureError:
        raise _refuse("token_expired", "The access token has expired.") from None
    except Exception:  # noqa: BLE001  (any undecodable token is simply refused)
        raise _refuse("invalid_token", "The access token is invalid.") from None
    user = SocketUser.check(claims) if claims.get("type") == "access" else None
    if user is None:
        raise _refuse("invalid_token", "The access token is invalid.")
    _connections[request.sid] = claims
    _checked[request.sid] = (time.monotonic(), _changes(), user)
    join_room(f"user:{claims['sub']}")
    _start_sweeper()
    return True


@socketio.on("disconnect")
def on_disconnect(*_args):
    _connections.pop(request.sid, None)
    _checked.pop(request.sid, None)
    _recent_sends.pop(request.sid, None)


def _check_send_rate(sid: str) -> None:
    """At most CHAT_SENDS_PER_MINUTE messages a minute per connection (REST writes have their own limit)."""
    limit = current_app.config["CHAT_SENDS_PER_MINUTE"]
    now = time.monotonic()
    recent = _recent_sends.setdefault(sid, deque())
    while recent and recent[0] <= now - 60:
        recent.popleft()
    if len(recent) >= limit:
        raise ApiError("Too many messages; please wait a moment.", code="rate_limited")
    recent.append(now)


SWEEP_SECONDS = 15
_sweeper = {"started": False}


def _start_sweeper() -> None:
    """One task per process: idle connections whose token has expired stop hearing events too. With
    CHAT_BATCH_RECHECK, another re-checks the logins of all connections together (recheck_logins) and
    reads the audiences of the conversations in use again (access.refresh_audiences)."""
    if not _sweeper["started"]:
        _sweeper["started"] = True
        socketio.start_background_task(_sweep_forever)
        if current_app.config["CHAT_BATCH_RECHECK"]:
            socketio.start_background_task(_recheck_forever, current_app._get_current_object())


def _recheck_forever(app) -> None:
    while True:
        socketio.sleep(RECHECK_EVERY_SECONDS)
        try:
            with app.app_context():
                recheck_logins()
                access.refresh_audiences()
                db.session.rollback()
        except Exception:  # noqa: BLE001  (a failed round leaves each event to check its own)
            app.logger.exception("Re-checking the logins and audiences of chat connections failed")


def recheck_logins() -> int:
    """Re-check the login of every connection of this process in one query, as each event's own re-check
    would (SocketUser.check), so that events find a fresh check and run none themselves: a third of the
    events under load did. A connection whose login no longer holds is left as it was: its next event
    past AUTH_RECHECK_SECONDS checks it alone and is refused. A worker's staff scope is read again with it.
    Returns how many were confirmed."""
    by_login: dict[str, list[str]] = {}
    for sid, claims in list(_connections.items()):
        if claims.get("sid") and sid in _checked:
            by_login.setdefault(claims["sid"], []).append(sid)
    if not by_login:
        return 0
    started, seen = time.monotonic(), _changes()
    confirmed = 0
    logins = list(by_login)
    try:
        for i in range(0, len(logins), 500):
            found = db.session.connection().execute(SocketUser.RECHECK, {"sids": logins[i : i + 500]})
            users = {row.login_id: SocketUser(row) for row in found}
            # Their staff scopes too, in one more query: the events need not load them one by one.
            scopes = access.staff_scopes({user.id for user in users.values()})
            for login_id, user in users.items():
                user.scope_cache.append(scopes[user.id])
                for sid in by_login[login_id]:
                    claims = _connections.get(sid)
                    if claims is not None and claims["sub"] == str(user.id) and sid in _checked:
                        _checked[sid] = (started, seen, user)
                        confirmed += 1
    finally:
        db.session.rollback()
    return confirmed


def _sweep_forever() -> None:
    while True:
        socketio.sleep(SWEEP_SECONDS)
        sweep_expired()


def _leave_user_room(sid: str, claims: dict) -> None:
    """The connection hears nothing more of its user (outside a request context: a sweep, a chat event)."""
    socketio.server.leave_room(sid, f"user:{claims['sub']}", namespace="/")


def sweep_expired(now: float | None = None) -> int:
    """Take connections with an expired token out of their rooms and tell them `token_expired`
    (the client reconnects with a fresh token); returns how many."""
    now = time.time() if now is None else now
    expired = 0
    for sid, claims in list(_connections.items()):
        if claims["exp"] > now or claims.get("swept"):
            continue
        claims["swept"] = True
        _leave_user_room(sid, claims)
        socketio.emit(
            "token_expired",
            {"error": {"code": "token_expired", "message": "Reconnect with a fresh token."}},
            to=sid,
        )
        expired += 1
    return expired


class SocketUser:
    """The user of an event between full login checks, as that check found them: id, name and is_active,
    with no query, and a worker's staff scope once an event has needed it (access.staff_scope keeps it in
    `scope_cache`; a re-check starts afresh, and so does any membership or region written by this process).
    Anything else loads the User itself on first use, from this session's identity map after that."""

    __slots__ = ("id", "is_active", "name", "scope_cache")
    _users, _logins = User.__table__, AuthSession.__table__
    # The sign-in rule of app.auth.principal (the login exists, is not revoked, is this user's, and the user
    # is active) as Core rows, for one login (connect, an event's re-check) or many at once (recheck_logins):
    # no memberships, stamps or ORM objects.
    RECHECK = (
        sa.select(_logins.c.id.label("login_id"), _users.c.id, _users.c.name, _users.c.is_active)
        .select_from(_logins.join(_users, _users.c.id == _logins.c.user_id))
        .where(
            _logins.c.id.in_(sa.bindparam("sids", expanding=True)),
            _logins.c.revoked_at.is_(None),
            _users.c.is_active,
        )
    )

    def __init__(self, user):
        self.id, self.name, self.is_active = user.id, user.name, user.is_active
        self.scope_cache: list = []  # access.staff_scope keeps the worker's scope here on first use

    @classmethod
    def check(cls, claims: dict) -> "SocketUser | None":
        """The user behind these claims if their login still holds, else None."""
        if not claims.get("sid"):
            return None
        row = db.session.connection().execute(cls.RECHECK, {"sids": [claims["sid"]]}).first()
        return cls(row) if row is not None and str(row.id) == claims["sub"] else None

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(db.session.get(User, self.id), attr)


def socket_user(sid: str):
    claims = _connections.get(sid)
    if claims is None:
        raise UnauthorizedError()
    if claims["exp"] <= time.time():
        _leave_user_room(sid, claims)
        raise ApiError("The access token has expired; reconnect with a fresh one.", code="token_expired")
    checked_at, seen, user = _checked.get(sid, (float("-inf"), None, None))
    now = time.monotonic()
    if now - checked_at >= AUTH_RECHECK_SECONDS or seen != _changes():
        user = SocketUser.check(claims)
        if user is None:
            # Every later event checks again in full (and fails): an ended login stays ended.
            _checked.pop(sid, None)
            _leave_user_room(sid, claims)
            raise ApiError("This sign-in has ended; please sign in again.", code="token_revoked")
        _checked[sid] = (now, _changes(), user)
    return user


# name -> handler(sid, payload), bound to each new Socket.IO server by bind().
_EVENTS: dict = {}


def chat_event(name: str):
    """Register a handler `fn(sid, payload)` whose return value (or error envelope) is the ack."""

    def register(fn):
        _EVENTS[name] = fn
        return fn

    return register


def bind(app) -> None:
    """Give this app's Socket.IO server the chat events (create_app, after socketio.init_app).

    They go to python-socketio itself, each in an app context, rather than through Flask-SocketIO's
    handlers, which build a request context per event (the handshake's environ, URL routing, session):
    a chat event uses none of it, and building it cost about 0.2 ms of CPU per send in the benchmark, an
    eighth of the whole (bench/README.md, fifth pass). Connect and disconnect, once per connection, keep
    Flask-SocketIO's."""
    for name, fn in _EVENTS.items():
        socketio.server.on(name, _dispatch(app, fn), namespace="/")


def _dispatch(app, fn):
    @functools.wraps(fn)
    def handle(sid, payload=None):
        with app.app_context():
            return _answer(fn, sid, payload if isinstance(payload, dict) else {})

    return handle


def _answer(fn, sid: str, payload: dict):
    try:
        return fn(sid, payload)
    except ApiError as exc:
        db.session.rollback()
        return exc.to_dict()
    except ValidationError as exc:
        db.session.rollback()
        return UnprocessableError("The event is invalid.", fields=validation_fields(exc)).to_dict()


@chat_event("chat:send")
def on_send(sid, payload):
    user = socket_user(sid)
    _check_send_rate(sid)
    data = _SEND.load(payload)
    conversation_id = data.pop("conversation_id")
    body, replayed, conversation = writer().send(conversation_id, user, data, sid)
    answer = {"message": body, "replayed": replayed}
    if conversation is not None:  # this connection's chat:conversation, in its ack instead (notify.py)
        answer["conversation"] = conversation
    return answer


@chat_event("chat:sync")
def on_sync(sid, payload):
    user = socket_user(sid)
    data = _SYNC.load(payload)
    cid, limit = data["conversation_id"], data["limit"]
    rows, has_more = service.list_messages(cid, viewer=user, after_seq=data["after_seq"], limit=limit)
    conv, side = service.get_conversation(cid, viewer=user)
    answer = {
        "messages": [message_view(m, conv) for m in rows],
        "has_more": has_more,
        "last_seq": conv.last_seq,
    }
    if side == "staff" and data["after_note_seq"] is not None:
        notes, more = service.list_messages(
            cid, viewer=user, after_seq=data["after_note_seq"], limit=limit, internal=True
        )
        answer["notes"] = [message_view(m, conv) for m in notes]
        answer["has_more"] = has_more or more
    return answer


@chat_event("chat:typing")
def on_typing(sid, payload):
    user = socket_user(sid)
    data = _TYPING.load(payload)
    service.typing(data["conversation_id"], by=user, is_typing=data["typing"], internal=data["internal"])
    return {"ok": True}


@chat_event("chat:read")
def on_read(sid, payload):
    user = socket_user(sid)
    data = _READ.load(payload)
    _conv, seq = service.mark_read(data["conversation_id"], by=user, seq=data["seq"])
    commit()
    return {"ok": True, "seq": seq}
