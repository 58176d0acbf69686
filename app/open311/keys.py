"""Issuing, listing and revoking Open311 API keys (admins), and checking one on a POST; never commits."""

import secrets

import sqlalchemy as sa

from app.audit.service import record
from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from app.extensions import db
from app.open311.models import ApiKey, hash_key
from app.reports.access import admin_region_id, is_admin

PREFIX = "o311_"


def _require_admin(user: User) -> None:
    if not is_admin(user):
        raise ForbiddenError("Only admins manage Open311 API keys.")


def issue_key(*, by: User, name: str, user_id: int | None = None) -> tuple[ApiKey, str]:
    """Returns the key row and the key itself, which is never stored and cannot be shown again."""
    _require_admin(by)
    if user_id is not None and db.session.get(User, user_id) is None:
        raise UnprocessableError(fields={"user_id": ["No such user."]})
    key = PREFIX + secrets.token_urlsafe(24)
    row = ApiKey(
        name=name.strip(), key_hash=hash_key(key), prefix=key[:10], user_id=user_id, created_by_id=by.id
    )
    db.session.add(row)
    db.session.flush()
    record(
        by,
        "open311_key.issue",
        row,
        region_id=admin_region_id(by),
        summary=f"Issued Open311 key {row.prefix}… to {row.name}",
    )
    return row, key


def list_keys(*, viewer: User) -> sa.Select:
    _require_admin(viewer)
    return sa.select(ApiKey)


def revoke_key(key_id: int, *, by: User) -> ApiKey:
    _require_admin(by)
    row = db.session.get(ApiKey, key_id)
    if row is None:
        raise NotFoundError("No such key.")
    if row.revoked_at is not None:
        raise ConflictError("This key is already revoked.", code="already_revoked")
    row.revoked_at = utcnow()
    db.session.flush()
    record(
        by,
        "open311_key.revoke",
        row,
        region_id=admin_region_id(by),
        summary=f"Revoked Open311 key {row.prefix}… ({row.name})",
    )
    return row


def check_key(key: str | None) -> ApiKey | None:
    """The live key matching `key`, or None (missing, unknown or revoked all read the same)."""
    if not key:
        return None
    return db.session.scalar(
        sa.select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
    )
