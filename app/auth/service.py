"""Registration, password checks, the login lifecycle (issue, rotate, revoke tokens) and one's own photo."""

import re
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from sqlalchemy.orm import joinedload

from app.auth.models import AuthSession, RefreshToken, User
from app.core.db import utcnow
from app.core.errors import ConflictError, UnauthorizedError, UnprocessableError
from app.extensions import db
from app.uploads.models import Upload
from app.uploads.service import signed_url, unattached

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str) -> str:
    """Accepts 138 0000 0000, 138-0000-0000 and +86/0086 prefixes; returns the 11 digits."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["PASSWORD_TIME_COST"], memory_cost=cfg["PASSWORD_MEMORY_COST"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def register_user(*, phone: str, password: str, name: str) -> User:
    if db.session.scalar(sa.select(User.id).where(User.phone == phone)) is not None:
        raise ConflictError("This phone number is already registered.", code="phone_taken")
    user = User(phone=phone, name=name.strip(), password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(*, phone: str, password: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.phone == phone))
    hasher = _hasher()
    if user is None:
        # Hash anyway so response time does not reveal which numbers are registered.
        hasher.hash(password)
        raise UnauthorizedError("Wrong phone number or password.", code="invalid_credentials")
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError) as exc:
        raise UnauthorizedError("Wrong phone number or password.", code="invalid_credentials") from exc
    if not user.is_active:
        raise UnauthorizedError("This account is disabled.", code="account_disabled")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def _issue_tokens(session: AuthSession) -> dict:
    identity = str(session.user_id)
    claims = {"sid": session.id}
    refresh = create_refresh_token(identity=identity, additional_claims=claims)
    decoded = decode_token(refresh)
    db.session.add(
        RefreshToken(
            jti=decoded["jti"],
            session_id=session.id,
            expires_at=datetime.fromtimestamp(decoded["exp"], UTC),
        )
    )
    return {
        "access_token": create_access_token(identity=identity, additional_claims=claims),
        "refresh_token": refresh,
    }


def start_session(user: User, *, user_agent: str | None = None) -> dict:
    session = AuthSession(id=str(uuid.uuid4()), user_id=user.id, user_agent=(user_agent or "")[:255] or None)
    db.session.add(session)
    db.session.flush()
    return _issue_tokens(session)


def revoke_session(session_id: str, *, reason: str) -> None:
    session = db.session.get(AuthSession, session_id)
    if session is not None and session.revoked_at is None:
        session.revoked_at = utcnow()
        session.revoked_reason = reason


class RefreshReuseError(UnauthorizedError):
    code = "token_reused"
    message = "This sign-in was ended for safety; please sign in again."


def rotate_refresh_token(jwt_payload: dict) -> dict:
    """Trade a refresh token for a new pair; presenting a used one ends the whole login."""
    token = db.session.get(RefreshToken, jwt_payload["jti"], options=[joinedload(RefreshToken.session)])
    if token is None or token.session.revoked_at is not None:
        raise UnauthorizedError("This sign-in has ended; please sign in again.", code="token_revoked")
    if token.used_at is not None:
        # Someone holds a stolen copy, or the client replayed: either way the login is unsafe.
        revoke_session(token.session_id, reason="refresh_reuse")
        raise RefreshReuseError()
    token.used_at = utcnow()
    return _issue_tokens(token.session)


# --- profile photo -----------------------------------------------------------------------------------------


def photo_url(user: User) -> str | None:
    """A signed link to the thumbnail of the user's photo (an <img> needs no token), or None without one."""
    return None if user.photo_id is None else signed_url(user.photo_id, "thumb")


def set_photo(upload_id: int, *, by: User) -> User:
    """Makes one of the caller's own free uploads their photo, in one conditional update (a photo is claimed
    once). The photo it replaces is free again, so the orphan purge deletes it."""
    if by.photo_id == upload_id:
        return by
    mine = sa.exists().where(Upload.id == upload_id, Upload.owner_id == by.id, unattached())
    result = db.session.execute(
        sa.update(User)
        .where(User.id == by.id, mine)
        .values(photo_id=upload_id)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        raise UnprocessableError(
            fields={"upload_id": ["Use an id from POST /uploads: your own, not used elsewhere."]}
        )
    return by


def remove_photo(*, by: User) -> None:
    by.photo_id = None
    db.session.flush()
