"""HTTP endpoints for images: upload one (multipart `file`), and fetch it or its thumbnail back."""

from flask import current_app, request
from flask_jwt_extended import jwt_required, verify_jwt_in_request
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from werkzeug.exceptions import UnsupportedMediaType

from app.core.after_commit import commit
from app.core.auth import current_user
from app.core.errors import UnprocessableError
from app.core.storage import get_storage
from app.uploads import jobs, service  # noqa: F401  (jobs registers the orphan purge)

bp = Blueprint("uploads", __name__, url_prefix="/api/v1", description="Uploaded images")

# Multipart framing around the largest accepted file; a larger request is refused before it is read.
_MULTIPART_OVERHEAD = 64 * 1024
_IMAGE_RESPONSES = {
    "200": {
        "description": "The image (JPEG)",
        "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
    },
    "401": {"description": "Neither a valid link nor a sign-in"},
    "403": {"description": "The link has expired (`link_expired`)"},
    "404": {"description": "No such image, or not yours to see"},
}


class UploadSchema(Schema):
    id = fields.Integer()
    url = fields.Function(lambda u: service.signed_url(u.id), metadata={"description": "valid for 1–2 hours"})
    thumb_url = fields.Function(lambda u: service.signed_url(u.id, "thumb"))
    width = fields.Integer()
    height = fields.Integer()
    size = fields.Integer(metadata={"description": "bytes of the stored JPEG"})
    content_type = fields.String()
    created_at = fields.AwareDateTime()


class LinkArgs(Schema):
    exp = fields.Integer(load_default=None)
    sig = fields.String(load_default=None)


@bp.post("/uploads")
@jwt_required()
@bp.doc(
    parameters=[{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}, "required": False}],
    requestBody={
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            }
        }
    },
)
@bp.response(201, UploadSchema)
def create_upload():
    """Upload an image (at most 10 MB): checked by its content, re-encoded without EXIF/GPS, thumbnailed."""
    user = current_user()
    key = service.check_idempotency_key(request.headers.get("Idempotency-Key"))
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    request.max_content_length = limit + _MULTIPART_OVERHEAD
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the image as multipart/form-data in the field `file`.")
    upload = request.files.get("file")
    if upload is None:
        raise UnprocessableError(fields={"file": ["Attach the image as the `file` field."]})
    created, replayed = service.create_upload(upload.read(limit + 1), by=user, idempotency_key=key)
    commit()
    return created, 201, {"Idempotent-Replayed": "true"} if replayed else {}


def _serve(upload_id: int, variant: str, args: dict):
    verify_jwt_in_request(optional=True)
    upload = service.get_upload_to_serve(
        upload_id, variant, viewer=current_user(), expires=args["exp"], sig=args["sig"]
    )
    from flask import send_file

    path = get_storage().path(upload.thumb_key if variant == "thumb" else upload.key)
    response = send_file(path, mimetype=upload.content_type, max_age=3600, conditional=True, etag=True)
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/uploads/<int:upload_id>")
@bp.arguments(LinkArgs, location="query")
@bp.doc(responses=_IMAGE_RESPONSES)
def get_upload(args, upload_id: int):
    """The image, by a signed link (`url` in any response) or for a signed-in user who may see it."""
    return _serve(upload_id, "full", args)


@bp.get("/uploads/<int:upload_id>/thumb")
@bp.arguments(LinkArgs, location="query")
@bp.doc(responses=_IMAGE_RESPONSES)
def get_upload_thumb(args, upload_id: int):
    """The thumbnail (at most 320 px), on the same terms as the image."""
    return _serve(upload_id, "thumb", args)
