"""Rules for uploads: clean images only, one per idempotency key, and links only for those who may see them.

Functions here flush but never commit. Files are written before the row; a lost race deletes its files.
"""

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import ApiError, ForbiddenError, NotFoundError, UnauthorizedError, UnprocessableError
from app.core.storage import get_storage
from app.core.unique import first_write_guard
from app.extensions import db
from app.uploads.images import InvalidImageError, clean_image
from app.uploads.models import Upload

IDEMPOTENCY_KEY_RE = re.compile(r"^[\x21-\x7e]{1,80}$")
VARIANTS = ("full", "thumb")
# Links are valid to the end of the next whole hour: the same link all hour long, so caches can keep it.
LINK_HOURS = 2


class PayloadTooLargeError(ApiError):
    status, code, message = 413, "payload_too_large", "The file is too large."


def check_idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    if not IDEMPOTENCY_KEY_RE.match(value):
        raise UnprocessableError(fields={"Idempotency-Key": ["Use 1 to 80 visible ASCII characters."]})
    return value


def _replay(owner: User, key: str | None) -> Upload | None:
    if key is None:
        return None
    return db.session.scalar(
        sa.select(Upload).where(Upload.owner_id == owner.id, Upload.idempotency_key == key)
    )


def create_upload(data: bytes, *, by: User, idempotency_key: str | None = None) -> tuple[Upload, bool]:
    """Returns (upload, replayed): a retry with the same key gets the first upload and stores nothing."""
    existing = _replay(by, idempotency_key)
    if existing is not None:
        return existing, True
    if len(data) > current_app.config["UPLOAD_MAX_BYTES"]:
        limit = current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)
        raise PayloadTooLargeError(f"Images may be at most {limit} MB.")
    try:
        image = clean_image(data)
    except InvalidImageError as exc:
        raise UnprocessableError(str(exc), code="invalid_image", fields={"file": [str(exc)]}) from exc

    storage = get_storage()
    stem = f"{utcnow():%Y/%m}/{secrets.token_urlsafe(18)}"
    upload = Upload(
        owner_id=by.id,
        idempotency_key=idempotency_key,
        key=f"{stem}.jpg",
        thumb_key=f"{stem}.thumb.jpg",
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        size=len(image.data),
    )
    storage.save(upload.key, image.data)
    storage.save(upload.thumb_key, image.thumb)
    try:
        with first_write_guard():
            db.session.add(upload)
            db.session.flush()
    except IntegrityError:
        # The same key raced in from another request, which won: drop our copy, answer with theirs.
        storage.delete(upload.key)
        storage.delete(upload.thumb_key)
        existing = _replay(by, idempotency_key)
        if existing is None:
            raise
        return existing, True
    return upload, False


# --- links and access ------------------------------------------------------------------------------------


def _signature(upload_id: int, variant: str, expires: int) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    message = f"upload:{upload_id}:{variant}:{expires}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def signed_url(upload_id: int, variant: str = "full", *, now: datetime | None = None) -> str:
    """A link that works in an <img> tag (no Authorization header) until the end of the next hour."""
    now = now or utcnow()
    expires = (int(now.timestamp()) // 3600 + LINK_HOURS) * 3600
    suffix = "/thumb" if variant == "thumb" else ""
    return f"/api/v1/uploads/{upload_id}{suffix}?exp={expires}&sig={_signature(upload_id, variant, expires)}"


def _link_state(upload_id: int, variant: str, expires: int | None, sig: str | None) -> str:
    if expires is None or not sig:
        return "absent"
    if not hmac.compare_digest(sig, _signature(upload_id, variant, expires)):
        return "invalid"
    return "valid" if expires > utcnow().timestamp() else "expired"


def can_view(upload: Upload, user: User) -> bool:
    """The uploader, and whoever may see the report the image is attached to."""
    if upload.owner_id == user.id:
        return True
    if upload.consultation_id is not None:
        from app.consultations.service import can_view_upload_of_consultation

        return can_view_upload_of_consultation(upload, user)
    from app.chat.service import can_view_upload_in_chat
    from app.reports.service import can_view_upload_of_report

    return can_view_upload_of_report(upload, user) or can_view_upload_in_chat(upload, user)


def get_upload_to_serve(
    upload_id: int, variant: str, *, viewer: User | None, expires: int | None = None, sig: str | None = None
) -> Upload:
    state = _link_state(upload_id, variant, expires, sig)
    if state == "valid":
        upload = db.session.get(Upload, upload_id)
        if upload is None:
            raise NotFoundError("No such upload.")
        return upload
    if viewer is None:
        if state == "expired":
            raise ForbiddenError("This link has expired; reload to get a new one.", code="link_expired")
        raise UnauthorizedError()
    upload = db.session.get(Upload, upload_id)
    if upload is None or not can_view(upload, viewer):
        raise NotFoundError("No such upload.")
    return upload


# --- housekeeping ------------------------------------------------------------------------------------------

ORPHAN_HOURS = 24


def unattached() -> sa.ColumnElement[bool]:
    """The one rule for an upload still free to claim: on no report, no consultation, in no chat message
    (app/chat keeps that link in its own table) and nobody's profile photo (users.photo_id). Every feature
    that attaches photos claims through this."""
    from app.chat.models import ChatAttachment

    # An alias, so that inside a statement on users (claiming a photo) the check still asks about every
    # user rather than correlating to the row being updated.
    holder = aliased(User)
    return sa.and_(
        Upload.report_id.is_(None),
        Upload.consultation_id.is_(None),
        ~sa.exists().where(ChatAttachment.upload_id == Upload.id),
        ~sa.exists().where(holder.photo_id == Upload.id),
    )


def purge_orphans(before: datetime, *, chunk: int = 500) -> int:
    """Delete images never attached to anything and uploaded before `before` (a report abandoned halfway),
    files first, so a crash between the two leaves a row whose file is gone rather than an untracked file."""
    storage = get_storage()
    total = 0
    while True:
        rows = db.session.execute(
            sa.select(Upload.id, Upload.key, Upload.thumb_key)
            .where(unattached(), Upload.created_at < before)
            .limit(chunk)
        ).all()
        if not rows:
            return total
        for row in rows:
            storage.delete(row.key)
            storage.delete(row.thumb_key)
        db.session.execute(
            sa.delete(Upload)
            .where(Upload.id.in_([r.id for r in rows]), unattached())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        total += len(rows)
