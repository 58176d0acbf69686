"""Writing and reading audit entries; a write joins the caller's transaction and never commits."""

import sqlalchemy as sa

from app.audit.models import AuditLog
from app.auth.models import User
from app.core.permissions import staff_paths
from app.extensions import db
from app.regions.models import Region


def record(
    actor: User | None, action: str, obj, *, region_id: int | None, summary: str, data=None
) -> AuditLog:
    """Log a staff write on `obj` (any model with an integer id); flushed with the write itself."""
    if obj.id is None:
        db.session.flush()
    entry = AuditLog(
        actor_id=actor.id if actor else None,
        action=action,
        object_type=obj.__tablename__.removesuffix("s"),
        object_id=obj.id,
        region_id=region_id,
        summary=summary[:500],
        data=data,
    )
    db.session.add(entry)
    return entry


def list_audit(*, viewer: User, object_type: str | None = None, object_id: int | None = None) -> sa.Select:
    """Entries in the regions the viewer serves as staff; everything else stays invisible."""
    paths = staff_paths(viewer)
    stmt = sa.select(AuditLog).join(Region, AuditLog.region_id == Region.id)
    stmt = stmt.where(sa.or_(sa.false(), *[Region.path.startswith(p) for p in paths]))
    if object_type:
        stmt = stmt.where(AuditLog.object_type == object_type)
    if object_id is not None:
        stmt = stmt.where(AuditLog.object_id == object_id)
    return stmt
