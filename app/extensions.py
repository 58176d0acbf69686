"""The Flask extensions, created unbound here and bound to the app in create_app()."""

from flask import request
from flask_jwt_extended import JWTManager, decode_token
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy

from app.core.db import Base


def _user_or_ip() -> str:
    """Writes are limited per signed-in user, falling back to the client address."""
    # Only the signature is checked here; the view still verifies the token fully.
    header = request.headers.get("Authorization", "")
    identity = None
    if header.startswith("Bearer "):
        try:
            identity = decode_token(header[7:]).get("sub")
        except Exception:  # noqa: BLE001  (a bad token is limited by address instead)
            identity = None
    return f"user:{identity}" if identity else f"ip:{get_remote_address()}"


def _is_read() -> bool:
    return request.method in ("GET", "HEAD", "OPTIONS")


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
jwt = JWTManager()
socketio = SocketIO()
limiter = Limiter(
    key_func=_user_or_ip,
    default_limits=[lambda: _config("WRITE_RATE_LIMIT")],
    default_limits_exempt_when=_is_read,
)


def _config(key: str) -> str:
    from flask import current_app

    return current_app.config[key]
