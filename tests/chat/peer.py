"""A real python-socketio client (websocket transport) that records what it hears, for journey tests."""

import contextlib
import threading
import time

import socketio


class Peer:
    def __init__(self, url: str, token: str, *, transports=("websocket",)):
        self.url, self.transports = url, list(transports)
        self.client = socketio.Client(reconnection=False)
        self.heard: list[tuple[str, dict]] = []
        self._changed = threading.Condition()
        for event in ("chat:message", "chat:typing", "chat:read", "chat:conversation"):
            self.client.on(event, self._recorder(event))
        self.connect(token)

    def _recorder(self, event):
        def record(data):
            with self._changed:
                self.heard.append((event, data))
                self._changed.notify_all()

        return record

    def connect(self, token: str) -> None:
        self.client.connect(self.url, auth={"token": token}, transports=self.transports, wait_timeout=5)

    def call(self, event: str, payload: dict, timeout: float = 5) -> dict:
        return self.client.call(event, payload, timeout=timeout)

    def events(self, name: str) -> list[dict]:
        with self._changed:
            return [data for event, data in self.heard if event == name]

    def wait_for(self, name: str, count: int, timeout: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len([1 for e, _ in self.heard if e == name]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
        return self.events(name)

    def close(self) -> None:
        if self.client.connected:
            with contextlib.suppress(OSError):  # its transport was cut on purpose
                self.client.disconnect()
