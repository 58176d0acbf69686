"""Shapes shared by every domain: the error envelope and the paginated list."""

from marshmallow import Schema, fields


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String())


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """A `{data: [...], next_cursor}` list schema for `item_schema`."""
    return Schema.from_dict(
        {"data": fields.List(fields.Nested(item_schema)), "next_cursor": fields.String(allow_none=True)},
        name=name,
    )
