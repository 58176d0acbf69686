"""HTTP endpoints for audit."""

from flask_smorest import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/api/v1", description="audit")
