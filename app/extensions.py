"""The Flask extensions, created unbound here and bound to the app in create_app()."""

from flask import request
from flask_jwt_extended import JWTManager, get_jwt_identity, verify_jwt_in_request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy

from app.core.db import Base


def _user_or_ip() -> str:
    """Writes are limited per signed-in user, falling back to the client address."""
    try:
        verify_jwt_in_request(optional=True)
        identity = get_jwt_identity()
    except Exception:
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
