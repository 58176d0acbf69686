"""HTTP endpoints for report categories, departments and reports (随手拍)."""

from flask_jwt_extended import jwt_required, verify_jwt_in_request
from flask_smorest import Blueprint

from app.core.after_commit import commit
from app.core.auth import current_user
from app.reports import service
from app.reports.schemas import CategoryListArgs, CategorySchema, CategoryUpdateSchema

bp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Reports (随手拍) and their categories")


@bp.get("/report-categories")
@bp.arguments(CategoryListArgs, location="query")
@bp.response(200, CategorySchema(many=True))
def list_categories(args):
    """The subject tree: subjects with their leaves; leaves carry the deadlines (public)."""
    viewer = None
    if args["include_inactive"]:
        verify_jwt_in_request()
        viewer = current_user()
    return service.category_tree(viewer=viewer, include_inactive=args["include_inactive"])


@bp.patch("/report-categories/<string:code>")
@jwt_required()
@bp.arguments(CategoryUpdateSchema)
@bp.response(200, CategorySchema)
def update_category(data, code: str):
    """Edit a category's names, flags or deadlines (admins); new reports get the new deadlines."""
    category = service.update_category(code, data, by=current_user())
    commit()
    return service.category_view(category)
