"""HTTP endpoints for the region tree, locating a point, community units and memberships."""

from flask import request
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint
from werkzeug.exceptions import UnsupportedMediaType

from app.core.after_commit import commit
from app.core.auth import current_user
from app.core.errors import UnprocessableError
from app.core.pagination import SortKey, paginate
from app.extensions import db
from app.regions import service, units_csv
from app.regions.models import Level, Membership, Unit
from app.regions.schemas import (
    LocateArgs,
    LocationSchema,
    MembershipApplySchema,
    MembershipListArgs,
    MembershipPageSchema,
    MembershipRejectSchema,
    MembershipSchema,
    RegionNodeSchema,
    UnitImportResultSchema,
    UnitListArgs,
    UnitPageSchema,
    UnitSchema,
    UnitStaffSchema,
)

bp = Blueprint("regions", __name__, url_prefix="/api/v1", description="Regions, units and memberships")

UNIT_ORDER = [
    SortKey(Unit.building, "building", descending=False),
    SortKey(Unit.entrance, "entrance", descending=False),
    SortKey(Unit.room, "room", descending=False),
    SortKey(Unit.id, "id", descending=False),
]
MEMBERSHIP_ORDER = [SortKey(Membership.id, "id")]
# Multipart framing around a 2 MB file; a larger request is refused before it is read.
_UPLOAD_OVERHEAD = 64 * 1024


@bp.get("/regions")
@bp.etag
@bp.response(200, RegionNodeSchema(many=True))
def region_tree():
    """The whole region tree, district down to grids (public)."""
    return service.region_tree()


@bp.get("/regions/locate")
@bp.arguments(LocateArgs, location="query")
@bp.response(200, LocationSchema)
def locate(args):
    """The grid containing a point, with its community, street and district (public)."""
    return service.locate(args["lat"], args["lng"])


@bp.get("/regions/<int:region_id>")
@bp.etag
@bp.response(200, RegionNodeSchema)
def region_detail(region_id: int):
    """One region with its descendants (public)."""
    return service.region_subtree(region_id)


@bp.get("/communities/<int:community_id>/units")
@jwt_required()
@bp.arguments(UnitListArgs, location="query")
@bp.response(200, UnitPageSchema)
def list_units(args, community_id: int):
    """The community's dwelling units; floor areas only for staff serving the community."""
    user = current_user()
    community = service.get_region(community_id, level=Level.COMMUNITY)
    stmt = service.list_units(community, q=args["q"])
    rows, next_cursor = paginate(db.session, stmt, UNIT_ORDER, limit=args["limit"], cursor=args["cursor"])
    schema = UnitStaffSchema if service.sees_floor_area(user, community) else UnitSchema
    return {"data": schema(many=True).dump(rows), "next_cursor": next_cursor}


@bp.post("/communities/<int:community_id>/units/import")
@jwt_required()
@bp.doc(
    requestBody={
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            },
            "text/csv": {"schema": {"type": "string"}},
        }
    }
)
@bp.response(200, UnitImportResultSchema)
def import_units(community_id: int):
    """Create or update units from CSV (`building,unit,room,floor_area[,grid]`); all rows or none."""
    user = current_user()
    community = service.get_region(community_id, level=Level.COMMUNITY)
    service.check_can_import_units(community, by=user)
    request.max_content_length = units_csv.MAX_BYTES + _UPLOAD_OVERHEAD
    result = service.import_units(community, _uploaded_csv(), by=user)
    commit()
    return result


def _uploaded_csv() -> bytes:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise UnprocessableError(fields={"file": ["Attach the CSV file as the `file` field."]})
        return upload.read(units_csv.MAX_BYTES + 1)
    if request.mimetype in ("text/csv", "text/plain"):
        return request.get_data(cache=False)
    raise UnsupportedMediaType("Send the CSV as multipart/form-data (field `file`) or as text/csv.")


@bp.post("/communities/<int:community_id>/memberships")
@jwt_required()
@bp.arguments(MembershipApplySchema)
@bp.response(201, MembershipSchema)
def apply_for_membership(data, community_id: int):
    """Apply to join a community as a resident, optionally naming your unit; a worker verifies it."""
    community = service.get_region(community_id, level=Level.COMMUNITY)
    membership = service.apply_for_membership(community, by=current_user(), unit_id=data["unit_id"])
    commit()
    return membership


@bp.get("/communities/<int:community_id>/memberships")
@jwt_required()
@bp.arguments(MembershipListArgs, location="query")
@bp.response(200, MembershipPageSchema)
def list_memberships(args, community_id: int):
    """Applications and members of a community, newest first (staff who verify residents)."""
    community = service.get_region(community_id, level=Level.COMMUNITY)
    stmt = service.list_memberships(
        community, viewer=current_user(), status=args["status"], role=args["role"]
    )
    rows, next_cursor = paginate(
        db.session, stmt, MEMBERSHIP_ORDER, limit=args["limit"], cursor=args["cursor"]
    )
    return {"data": rows, "next_cursor": next_cursor}


@bp.post("/memberships/<int:membership_id>/approve")
@jwt_required()
@bp.response(200, MembershipSchema)
def approve_membership(membership_id: int):
    """Verify a pending application: the applicant becomes an active member."""
    user = current_user()
    membership = service.get_membership_to_decide(membership_id, by=user)
    service.approve_membership(membership, by=user)
    commit()
    return membership


@bp.post("/memberships/<int:membership_id>/reject")
@jwt_required()
@bp.arguments(MembershipRejectSchema)
@bp.response(200, MembershipSchema)
def reject_membership(data, membership_id: int):
    """Turn down a pending application, optionally saying why; the applicant may apply again."""
    user = current_user()
    membership = service.get_membership_to_decide(membership_id, by=user)
    service.reject_membership(membership, by=user, reason=data["reason"])
    commit()
    return membership
