"""HTTP endpoint for reading the audit log, limited to the regions the caller serves as staff."""

import sqlalchemy as sa
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint

from app.audit.models import AuditLog
from app.audit.schemas import AuditListArgs, AuditPageSchema
from app.audit.service import list_audit
from app.core.auth import current_user
from app.core.errors import NotFoundError
from app.core.pagination import SortKey, paginate
from app.core.permissions import is_staff
from app.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/api/v1", description="The append-only audit log")

AUDIT_ORDER = [SortKey(AuditLog.id, "id")]


@bp.get("/audit")
@jwt_required()
@bp.arguments(AuditListArgs, location="query")
@bp.response(200, AuditPageSchema)
def list_entries(args):
    """Who did what to which object, newest first (staff, within the regions they serve)."""
    user = current_user()
    if not is_staff(user):
        raise NotFoundError()
    stmt = list_audit(viewer=user, object_type=args["object_type"], object_id=args["object_id"])
    rows, next_cursor = paginate(db.session, stmt, AUDIT_ORDER, limit=args["limit"], cursor=args["cursor"])
    if not rows and not args["cursor"] and args["object_type"] and args["object_id"] is not None:
        _hide_unseen_object(args["object_type"], args["object_id"])
    return {"data": rows, "next_cursor": next_cursor}


def _hide_unseen_object(object_type: str, object_id: int) -> None:
    """An object whose history exists but lies outside the caller's regions is a 404, as the object is."""
    logged = db.session.scalar(
        sa.select(sa.exists().where(AuditLog.object_type == object_type, AuditLog.object_id == object_id))
    )
    if logged:
        raise NotFoundError()
