"""HTTP endpoints for admins to issue, list and revoke Open311 API keys."""

from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.core.after_commit import commit
from app.core.auth import current_user
from app.core.pagination import PageArgs, SortKey, paginate
from app.core.schemas import page_schema
from app.extensions import db
from app.open311 import keys
from app.open311.models import ApiKey

bp = Blueprint(
    "open311_keys", __name__, url_prefix="/api/v1/open311", description="Open311 API keys (admins)"
)

KEY_ORDER = [SortKey(ApiKey.id, "id")]


class KeyCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    user_id = fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "the staff member it is for, if any"}
    )


class KeySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "the key's first characters, to tell keys apart"})
    user_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    last_used_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)


class IssuedKeySchema(KeySchema):
    key = fields.String(metadata={"description": "shown this once; only its hash is kept"})


KeyPageSchema = page_schema(KeySchema, "Open311KeyPage")


@bp.post("/keys")
@jwt_required()
@bp.arguments(KeyCreateSchema)
@bp.response(201, IssuedKeySchema)
def issue_key(data):
    """Issue a key to a partner system or a staff member; the key is in this response only."""
    row, key = keys.issue_key(by=current_user(), **data)
    commit()
    fields_ = ("id", "name", "prefix", "user_id", "created_at", "last_used_at", "revoked_at")
    return {**{name: getattr(row, name) for name in fields_}, "key": key}


@bp.get("/keys")
@jwt_required()
@bp.arguments(PageArgs, location="query")
@bp.response(200, KeyPageSchema)
def list_keys(args):
    """Every key, newest first, without the keys themselves."""
    rows, next_cursor = paginate(db.session, keys.list_keys(viewer=current_user()), KEY_ORDER, **args)
    return {"data": rows, "next_cursor": next_cursor}


@bp.delete("/keys/<int:key_id>")
@jwt_required()
@bp.response(204)
def revoke_key(key_id: int):
    """Revoke a key: POSTs with it are refused from now on (403)."""
    keys.revoke_key(key_id, by=current_user())
    commit()
