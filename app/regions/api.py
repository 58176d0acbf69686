"""HTTP endpoints for regions."""

from flask_smorest import Blueprint

bp = Blueprint("regions", __name__, url_prefix="/api/v1", description="regions")
