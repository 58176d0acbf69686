"""The Flask extensions, created unbound here and bound to the app in create_app()."""

import time

from flask import request
from flask.sessions import SessionInterface
from flask_jwt_extended import JWTManager, decode_token, get_unverified_jwt_headers, view_decorators
from flask_jwt_extended.config import config as jwt_config
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


class VerifiedTokenCache(JWTManager):
    """JWTManager that remembers tokens whose signature it has verified.

    A PWA sends the same access token with every request for up to 15 minutes, and verifying it (PyJWT
    decodes it three times, checking each base64 character in Python) cost more than a bare Flask request.
    The signature of a given token under a given key never changes, so it is checked once per process;
    expiry is still checked on every use, and revocation is the user loader's job as before.
    """

    MAX_ENTRIES = 4096

    def __init__(self, *args, **kwargs):
        self._verified: dict[tuple, dict] = {}
        self._headers: dict[str, dict] = {}
        super().__init__(*args, **kwargs)

    def init_app(self, app, *args, **kwargs) -> None:
        super().init_app(app, *args, **kwargs)
        # jwt_required() reads the header of the token it has just decoded, through PyJWT again (a tenth of a
        # signed-in notices request): answer it from what this cache already verified.
        view_decorators.get_unverified_jwt_headers = self.header_of

    def header_of(self, encoded_token: str) -> dict:
        header = self._headers.get(encoded_token)
        return dict(header) if header is not None else get_unverified_jwt_headers(encoded_token)

    def _decode_jwt_from_config(
        self, encoded_token: str, csrf_value=None, allow_expired: bool = False
    ) -> dict:
        key = (encoded_token, csrf_value, jwt_config.decode_key)
        claims = self._verified.get(key)
        if claims is not None and claims["exp"] > time.time() - jwt_config.leeway:
            return dict(claims)
        claims = super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        if "exp" in claims and claims["exp"] > time.time():
            if len(self._verified) >= self.MAX_ENTRIES:
                self._verified.clear()  # cheaper than LRU bookkeeping; a miss only costs one verification
                self._headers.clear()
            self._verified[key] = dict(claims)
            self._headers[encoded_token] = get_unverified_jwt_headers(encoded_token)
        return claims


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
jwt = VerifiedTokenCache()
socketio = SocketIO()


class ReadSkippingLimiter(Limiter):
    """Flask-Limiter without its before-request pass over reads, which cost as much as a bare Flask request
    and found nothing to do: the default limit is for writes only, and a read with a limit of its own (the
    CSV exports) is checked by that limit's decorator when the view runs."""

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and _is_read():
            return
        super()._check_request_limit(callable_name, in_middleware)


limiter = ReadSkippingLimiter(
    key_func=_user_or_ip,
    default_limits=[lambda: _config("WRITE_RATE_LIMIT")],
    default_limits_exempt_when=_is_read,
)


class NoCookieSessions(SessionInterface):
    """The API signs people in with bearer tokens; no request reads or writes a cookie session, so none is
    opened (Flask's default builds a signing serializer on every request); writing to one fails."""

    def open_session(self, app, request):
        return None

    def save_session(self, app, session, response):
        pass


def _config(key: str) -> str:
    from flask import current_app

    return current_app.config[key]
