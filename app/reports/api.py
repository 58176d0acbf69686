"""HTTP endpoints for report categories, departments and reports (随手拍)."""

from flask import current_app, jsonify, request
from flask_jwt_extended import jwt_required, verify_jwt_in_request
from flask_smorest import Blueprint

from app.core.after_commit import commit
from app.core.auth import current_user
from app.core.schemas import page_schema
from app.reports import categories, departments, jobs, queries, service  # noqa: F401  (jobs registers the deadline check)
from app.reports.access import View, view_of
from app.reports.assignees import list_assignees
from app.reports.schemas import (
    AssigneeSchema,
    CategoryListArgs,
    CategorySchema,
    CategoryUpdateSchema,
    DepartmentAdminSchema,
    DepartmentCreateSchema,
    DepartmentMemberAddSchema,
    DepartmentMemberSchema,
    DepartmentSchema,
    DepartmentUpdateSchema,
    MapPointSchema,
    MapSettingsSchema,
    MeTooSchema,
    NearbyArgs,
    NearbySchema,
    PublicListArgs,
    PublicReportSchema,
    RatingSchema,
    ReportCreateSchema,
    ReportListArgs,
    ReportSchema,
    ReportSummarySchema,
    TransitionSchema,
)
from app.uploads.service import check_idempotency_key

bp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Reports (随手拍) and their categories")

ReportPageSchema = page_schema(ReportSummarySchema, "ReportPage")
MapPageSchema = page_schema(MapPointSchema, "ReportMapPage")
NearbyPageSchema = page_schema(NearbySchema, "NearbyReports")


@bp.get("/report-categories")
@bp.arguments(CategoryListArgs, location="query")
@bp.response(200, CategorySchema(many=True))
def list_categories(args):
    """The subject tree: subjects with their leaves; leaves carry the deadlines (public)."""
    viewer = None
    if args["include_inactive"]:
        verify_jwt_in_request()
        viewer = current_user()
    return categories.category_tree(viewer=viewer, include_inactive=args["include_inactive"])


@bp.patch("/report-categories/<string:code>")
@jwt_required()
@bp.arguments(CategoryUpdateSchema)
@bp.response(200, CategorySchema)
def update_category(data, code: str):
    """Edit a category's names, flags or deadlines (admins); new reports get the new deadlines."""
    category = categories.update_category(code, data, by=current_user())
    commit()
    return categories.category_view(category)


@bp.get("/map-settings")
@bp.response(200, MapSettingsSchema)
def map_settings():
    """The base map for the PWA's maps: a tile URL template, or none (grids and reports drawn as vectors)."""
    config = current_app.config
    return {
        "tile_url": config.get("MAP_TILE_URL") or None,
        "attribution": config.get("MAP_TILE_ATTRIBUTION") or None,
        "max_zoom": 19,
    }


# --- departments -------------------------------------------------------------------------------------------


@bp.get("/departments")
@jwt_required()
@bp.response(200, DepartmentSchema(many=True))
def list_departments():
    """Departments a street or district can whistle (吹哨) into a report."""
    return queries.list_departments()


@bp.post("/departments")
@jwt_required()
@bp.arguments(DepartmentCreateSchema)
@bp.response(201, DepartmentAdminSchema)
def create_department(data):
    """Set up a department for a street or the district (admins)."""
    department = departments.create_department(by=current_user(), **data)
    commit()
    return department


@bp.patch("/departments/<int:department_id>")
@jwt_required()
@bp.arguments(DepartmentUpdateSchema)
@bp.response(200, DepartmentAdminSchema)
def update_department(data, department_id: int):
    """Rename or deactivate a department (admins); a deactivated one can no longer be whistled."""
    department = departments.update_department(department_id, data, by=current_user())
    commit()
    return department


@bp.get("/departments/<int:department_id>/members")
@jwt_required()
@bp.response(200, DepartmentMemberSchema(many=True))
def list_department_members(department_id: int):
    """Who works for the department (admins)."""
    return departments.list_members(department_id, by=current_user())


@bp.post("/departments/<int:department_id>/members")
@jwt_required()
@bp.arguments(DepartmentMemberAddSchema)
@bp.response(201, DepartmentMemberSchema)
@bp.alt_response(200, schema=DepartmentMemberSchema, description="Already a member")
def add_department_member(data, department_id: int):
    """Add a user to the department's staff, with the department_staff role on its region (admins)."""
    member, created = departments.add_member(department_id, user_id=data["user_id"], by=current_user())
    commit()
    return member, 201 if created else 200


@bp.delete("/departments/<int:department_id>/members/<int:user_id>")
@jwt_required()
@bp.response(204)
def remove_department_member(department_id: int, user_id: int):
    """Take a user off the department (admins)."""
    departments.remove_member(department_id, user_id=user_id, by=current_user())
    commit()


# --- reports -----------------------------------------------------------------------------------------------

_IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "schema": {"type": "string"},
    "required": False,
}


@bp.post("/reports")
@jwt_required()
@bp.arguments(ReportCreateSchema)
@bp.doc(parameters=[_IDEMPOTENCY_HEADER])
@bp.response(201, ReportSchema)
def create_report(data):
    """Report a problem (随手拍); a retry with the same Idempotency-Key or `client_id` gets the same one."""
    user = current_user()
    key = check_idempotency_key(request.headers.get("Idempotency-Key")) or data.pop("client_id")
    data.pop("client_id", None)
    report, replayed = service.create_report(by=user, idempotency_key=key, **data)
    commit()
    body = queries.detail(report, View.REPORTER if report.reporter_id == user.id else View.STAFF, viewer=user)
    return body, 201, {"Idempotent-Replayed": "true"} if replayed else {}


@bp.get("/reports")
@jwt_required()
@bp.arguments(ReportListArgs, location="query")
@bp.response(200, ReportPageSchema)
def list_reports(args):
    """Reports in a scope: mine, assigned (to me or my department), or my grid / community / street."""
    rows, next_cursor = queries.list_reports(viewer=current_user(), **args)
    return {"data": [queries.summary(r) for r in rows], "next_cursor": next_cursor}


@bp.get("/reports/nearby")
@jwt_required()
@bp.arguments(NearbyArgs, location="query")
@bp.response(200, NearbyPageSchema)
def nearby_reports(args):
    """Open reports of this category within 250 m, nearest first: say "me too" instead of reporting again."""
    return {"data": queries.nearby(args["lat"], args["lng"], args["category"], viewer=current_user())}


@bp.get("/reports/public")
@bp.arguments(PublicListArgs, location="query")
@bp.response(200, MapPageSchema)
def public_reports(args):
    """Public reports of the last 90 days inside `bbox` for the map; no personal data (public)."""
    points, next_cursor = queries.public_map(
        args["bbox"], category=args["category"], limit=args["limit"], cursor=args["cursor"]
    )
    return {"data": points, "next_cursor": next_cursor}


@bp.get("/reports/<int:report_id>")
@jwt_required()
@bp.response(
    200, ReportSchema, description="For its staff and reporter; others see a public report's public face"
)
def get_report(report_id: int):
    """One report with its timeline, deadlines and warning."""
    user = current_user()
    report, view = service.get_report(report_id, viewer=user)
    return _answer(report, view, user)


def _answer(report, view: View | None, user):
    """The report as this user may see it now; after handing it on, a mover may see less or nothing."""
    body = queries.detail(report, view, viewer=user)
    if view in (View.STAFF, View.REPORTER):
        return body
    return jsonify(PublicReportSchema().dump(body))


@bp.get("/reports/<int:report_id>/assignees")
@jwt_required()
@bp.response(200, AssigneeSchema(many=True))
def report_assignees(report_id: int):
    """Who this report may be assigned to (for staff allowed to `assign` it), grid workers first."""
    return list_assignees(report_id, viewer=current_user())


@bp.post("/reports/<int:report_id>/transitions")
@jwt_required()
@bp.arguments(TransitionSchema)
@bp.response(200, ReportSchema)
def move_report(data, report_id: int):
    """Move the report: accept, contact, start, assign, transfer, extend, resolve, reject, reopen or close."""
    user = current_user()
    report = service.transition(report_id, data.pop("action"), by=user, **data)
    commit()
    return _answer(report, view_of(user, report), user)


@bp.post("/reports/<int:report_id>/rating")
@jwt_required()
@bp.arguments(RatingSchema)
@bp.response(201, ReportSchema)
def rate_report(data, report_id: int):
    """The reporter rates a resolution: not resolved or unsatisfied (1–2) sends it back for redo."""
    user = current_user()
    report = service.rate_report(report_id, by=user, **data)
    commit()
    return queries.detail(report, View.REPORTER, viewer=user)


@bp.post("/reports/<int:report_id>/me-too")
@jwt_required()
@bp.response(201, MeTooSchema)
@bp.alt_response(200, schema=MeTooSchema, description="Already counted; nothing changed")
def me_too(report_id: int):
    """Say "me too" on someone else's open report (once per person)."""
    report, counted = service.me_too(report_id, by=current_user())
    commit()
    body = {"report_id": report.id, "me_too": True, "me_too_count": report.me_too_count}
    return body, 201 if counted else 200
