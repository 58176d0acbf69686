"""The server's VAPID key pair (RFC 8292): from the environment in production, generated once into
instance/ elsewhere, so subscriptions made against it keep working across restarts."""

import base64
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask, current_app
from py_vapid import Vapid02

KEY_FILE = "vapid_private.pem"
_lock = threading.Lock()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class VapidKeys:
    vapid: Vapid02
    # The applicationServerKey browsers subscribe with: the uncompressed P-256 point, base64url.
    public_key: str


def _from_config(private: str) -> Vapid02:
    private = private.strip()
    if private.startswith("-----BEGIN"):
        return Vapid02(serialization.load_pem_private_key(private.encode(), password=None))
    return Vapid02.from_string(private)


def _from_file(path: Path) -> Vapid02:
    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        try:
            # A hard link never replaces: when two processes start at once, the first complete key wins.
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return Vapid02(serialization.load_pem_private_key(path.read_bytes(), password=None))


def load(app: Flask) -> VapidKeys:
    private = app.config.get("VAPID_PRIVATE_KEY")
    vapid = _from_config(private) if private else _from_file(Path(app.instance_path) / KEY_FILE)
    public = b64url(
        vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    configured = app.config.get("VAPID_PUBLIC_KEY")
    if configured and configured.strip().rstrip("=") != public:
        raise RuntimeError("VAPID_PUBLIC_KEY is not the public half of VAPID_PRIVATE_KEY")
    return VapidKeys(vapid, public)


def keys() -> VapidKeys:
    app = current_app._get_current_object()
    found = app.extensions.get("push_vapid")
    if found is None:
        with _lock:
            found = app.extensions.get("push_vapid") or load(app)
            app.extensions["push_vapid"] = found
    return found
