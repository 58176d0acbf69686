"""The baseline of bench_chat.py: a bare python-socketio server (gevent, no Flask, no database) that relays
`chat:send` to the other clients of the pair's room and acks it, as the chat does minus everything else.

    gunicorn -k gevent -w 1 bench.chat_echo_server:app
"""

import itertools
from datetime import UTC, datetime

import socketio

sio = socketio.Server(async_mode="gevent", async_handlers=False)
app = socketio.WSGIApp(sio)
_ids = itertools.count(1)
_seq: dict[int, int] = {}


@sio.on("connect")
def connect(sid, environ, auth=None):
    room = (auth or {}).get("room")
    if room is None:
        raise ConnectionRefusedError("room required")
    sio.enter_room(sid, f"conv:{room}")


@sio.on("chat:send")
def send(sid, data):
    conv = int(data["conversation_id"])
    _seq[conv] = _seq.get(conv, 0) + 1
    message = {
        "id": next(_ids),
        "seq": _seq[conv],
        "conversation_id": conv,
        "body": data.get("body", ""),
        "client_id": data.get("client_id"),
        "created_at": datetime.now(UTC).isoformat(),
    }
    sio.emit("chat:message", message, room=f"conv:{conv}", skip_sid=sid)
    return {"message": message}
