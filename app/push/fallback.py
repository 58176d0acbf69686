"""The fallback channel for users without push (browser push often cannot reach mainland China): an SMS
sender interface with console and memory backends, chosen by SMS_BACKEND, and its outbox handler."""

import importlib
import logging
import threading
from typing import Protocol

from flask import current_app

from app.auth.models import User
from app.extensions import db
from app.outbox import handler
from app.push import service
from app.push.models import PushMessage

log = logging.getLogger(__name__)

SMS_MAX_CHARS = 140
_lock = threading.Lock()


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Send or raise; an exception makes the worker retry later."""


class ConsoleSms:
    """Development: the text goes to the log instead of a phone."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s****%s: %s", phone[:3], phone[-4:], text)


class MemorySms:
    """Tests: keeps what was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def send(self, phone: str, text: str) -> None:
        with self._lock:
            self.sent.append((phone, text))

    def clear(self) -> None:
        with self._lock:
            self.sent.clear()


BACKENDS: dict[str, type] = {"console": ConsoleSms, "memory": MemorySms}


def _build(name: str) -> SmsSender:
    if name in BACKENDS:
        return BACKENDS[name]()
    module, _, attr = name.partition(":")
    if not attr:
        raise RuntimeError(
            f"SMS_BACKEND must be one of {sorted(BACKENDS)} or 'package.module:Class', not {name!r}"
        )
    return getattr(importlib.import_module(module), attr)()


def sender() -> SmsSender:
    """The app's one sender, built on first use."""
    app = current_app._get_current_object()
    found = app.extensions.get("sms_sender")
    if found is None:
        with _lock:
            found = app.extensions.get("sms_sender") or _build(app.config["SMS_BACKEND"])
            app.extensions["sms_sender"] = found
    return found


def sms_text(message: PushMessage) -> str:
    """【邻里】title：body, shortened to fit, with the link when PUBLIC_BASE_URL is set."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    link = f" {base}{message.url}" if base else ""
    head = f"【邻里】{message.title}"
    room = SMS_MAX_CHARS - len(head) - len(link) - 1
    body = service.preview(message.body, room) if room > 1 else ""
    return f"{head}：{body}{link}" if body else f"{head}{link}"


@handler(service.FALLBACK)
def _send_fallback(payload: dict) -> None:
    user = db.session.get(User, payload["user_id"])
    message = db.session.get(PushMessage, payload["message_id"])
    if user is None or message is None or not user.is_active or not user.phone:
        return
    sender().send(user.phone, sms_text(message))
