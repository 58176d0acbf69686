"""How this app's Socket.IO packets are written and read: JSON by orjson, and no search for binary data.

python-socketio encodes with the standard library's json (its decoder calls back into Python for every
integer, to cap its length) and, before encoding, walks every payload in Python looking for bytes to send as
attachments. The app's payloads are JSON views and never hold bytes (photos go over REST). Under the chat
benchmark's load the walk and the codec were about 6 % of the server's CPU. orjson reads a number of any
length in linear time (beyond 64 bits, as a float), so the standard decoder's callback, which capped the
digits int() would parse, has nothing left to guard.
"""

import orjson
from socketio.packet import Packet


class _Json:
    """The json module's two functions, as python-socketio calls them."""

    @staticmethod
    def dumps(obj, **_kwargs) -> str:  # the separators it passes are orjson's own already
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode()

    @staticmethod
    def loads(text, **_kwargs):
        return orjson.loads(text)


class JsonPacket(Packet):
    uses_binary_events = False
    json = _Json
