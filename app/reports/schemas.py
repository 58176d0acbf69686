"""Request and response shapes for report categories, departments and reports."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.reports.models import ReportType

MAX_MINUTES = 60 * 24 * 60  # sixty days


class DeadlinesSchema(Schema):
    dispatch_minutes = fields.Integer(
        validate=validate.Range(min=1, max=MAX_MINUTES), metadata={"description": "to sign for (签收)"}
    )
    contact_minutes = fields.Integer(
        validate=validate.Range(min=1, max=MAX_MINUTES), metadata={"description": "to first contact"}
    )
    resolve_minutes = fields.Integer(
        validate=validate.Range(min=1, max=MAX_MINUTES), metadata={"description": "to resolve (办结)"}
    )


class CategorySchema(Schema):
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    icon = fields.String(allow_none=True)
    keywords = fields.String()
    default_type = fields.Enum(ReportType, by_value=True)
    deadlines = fields.Nested(DeadlinesSchema, allow_none=True, metadata={"description": "leaves only"})
    proof_photo_required = fields.Boolean()
    is_public = fields.Boolean()
    active = fields.Boolean()
    children = fields.List(fields.Nested(lambda: CategorySchema()))


class CategoryListArgs(Schema):
    include_inactive = fields.Boolean(
        load_default=False, metadata={"description": "admins only: also list deactivated categories"}
    )


class CategoryUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=40))
    name_en = fields.String(validate=validate.Length(min=1, max=80))
    icon = fields.String(allow_none=True, validate=validate.Length(max=40))
    keywords = fields.String(validate=validate.Length(max=200))
    default_type = fields.Enum(ReportType, by_value=True)
    deadlines = fields.Nested(DeadlinesSchema)
    proof_photo_required = fields.Boolean()
    is_public = fields.Boolean()
    active = fields.Boolean()

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("Change at least one field.", "_schema")
