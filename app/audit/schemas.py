"""Request and response shapes for reading the audit log."""

from marshmallow import Schema, fields, validate

from app.core.pagination import PageArgs
from app.core.schemas import page_schema


class AuditListArgs(PageArgs):
    object_type = fields.String(
        load_default=None,
        validate=[
            validate.Length(max=40),
            validate.Regexp(r"^[a-z_]+$", error="Use a type such as membership."),
        ],
        metadata={"description": "e.g. membership, unit, region, notice"},
    )
    object_id = fields.Integer(load_default=None, validate=validate.Range(min=1))


class ActorSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class AuditEntrySchema(Schema):
    id = fields.Integer()
    actor = fields.Nested(ActorSchema, allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.Integer()
    region_id = fields.Integer(allow_none=True)
    summary = fields.String()
    created_at = fields.AwareDateTime()


AuditPageSchema = page_schema(AuditEntrySchema, "AuditPage")
