"""Request and response shapes for the region tree, units and memberships."""

from marshmallow import Schema, fields, validate

from app.auth.schemas import RegionRefSchema, UnitRefSchema
from app.core.pagination import PageArgs
from app.core.permissions import Role
from app.core.schemas import page_schema
from app.regions.models import MembershipStatus


class RegionNodeSchema(RegionRefSchema):
    """A region with its descendants; only grids carry a `boundary` (a GeoJSON polygon)."""

    parent_id = fields.Integer(allow_none=True)
    boundary = fields.Dict(metadata={"description": "GeoJSON polygon; grids only"})
    children = fields.List(fields.Nested(lambda: RegionNodeSchema()))


class LocateArgs(Schema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lng = fields.Float(required=True, validate=validate.Range(min=-180, max=180))


class LocationSchema(Schema):
    grid = fields.Nested(RegionRefSchema)
    community = fields.Nested(RegionRefSchema, allow_none=True)
    street = fields.Nested(RegionRefSchema, allow_none=True)
    district = fields.Nested(RegionRefSchema, allow_none=True)


class UnitListArgs(PageArgs):
    q = fields.String(
        load_default=None,
        validate=validate.Length(max=60),
        metadata={"description": "words matched against building, unit and room, e.g. `3栋 302`"},
    )


class UnitSchema(Schema):
    id = fields.Integer()
    building = fields.String()
    entrance = fields.String(
        metadata={"description": "the 单元 (stairwell) within the building; may be empty"}
    )
    room = fields.String()
    label = fields.String()
    grid_id = fields.Integer(allow_none=True)


class UnitStaffSchema(UnitSchema):
    """What staff serving the community see: the registered floor area as well."""

    floor_area = fields.Decimal(as_string=True)


class UnitPageSchema(Schema):
    # Either shape: floor_area is present only for staff who serve the community.
    data = fields.List(fields.Nested(UnitStaffSchema))
    next_cursor = fields.String(allow_none=True)


class UnitImportResultSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    total = fields.Integer(metadata={"description": "data rows in the file"})
    owners = fields.Dict(
        metadata={"description": "With owner columns: parties, units owned, phones not found."}
    )


class MembershipApplySchema(Schema):
    unit_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1))


class MembershipRejectSchema(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class MembershipListArgs(PageArgs):
    status = fields.Enum(MembershipStatus, by_value=True, load_default=None)
    role = fields.Enum(Role, by_value=True, load_default=None)


class MemberUserSchema(Schema):
    """The applicant as staff see them: the full phone, since they call to verify residence."""

    id = fields.Integer()
    name = fields.String()
    phone = fields.String()


class MembershipSchema(Schema):
    id = fields.Integer()
    status = fields.Enum(MembershipStatus, by_value=True)
    role = fields.Enum(Role, by_value=True)
    created_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)
    reject_reason = fields.String(allow_none=True)
    user = fields.Nested(MemberUserSchema)
    unit = fields.Nested(UnitRefSchema, allow_none=True)
    region = fields.Nested(RegionRefSchema)


MembershipPageSchema = page_schema(MembershipSchema, "MembershipPage")
