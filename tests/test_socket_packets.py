"""The app's Socket.IO packets (app/core/socket_packets.py) read as python-socketio's own do, both ways."""

import pytest
from socketio.packet import ACK, EVENT, Packet

from app.core.socket_packets import JsonPacket


def test_an_event_the_app_writes_reads_the_same_in_a_stock_client():
    payload = {"body": "楼道灯坏了 🙏", "seq": 7, "sender": {"id": 3, "name": "王"}, "unread": {12: 1}}
    encoded = JsonPacket(EVENT, ["chat:message", payload]).encode()

    read = Packet(encoded_packet=encoded)
    assert (read.packet_type, read.data) == (EVENT, ["chat:message", {**payload, "unread": {"12": 1}}])


def test_an_ack_a_stock_client_writes_reads_the_same_here():
    sent = Packet(ACK, [{"message": {"id": 1, "body": "好的"}}], id=42).encode()

    read = JsonPacket(encoded_packet=sent)
    assert (read.packet_type, read.id, read.data) == (ACK, 42, [{"message": {"id": 1, "body": "好的"}}])


def test_bytes_are_refused_rather_than_sent_as_attachments():
    # The app sends views, never bytes: a payload holding some is a bug to hear of, not a binary packet.
    with pytest.raises(TypeError):
        JsonPacket(EVENT, ["chat:message", {"photo": b"\xff\xd8"}]).encode()
