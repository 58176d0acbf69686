"""HTTP endpoints for notices."""

from flask_smorest import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/api/v1", description="notices")
