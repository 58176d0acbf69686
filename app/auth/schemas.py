"""Request and response shapes for accounts and tokens."""

from marshmallow import Schema, ValidationError, fields, validate

from app.auth.service import PHONE_RE, normalize_phone, photo_url
from app.core.permissions import Role
from app.regions.models import Level, MembershipStatus


class PhoneField(fields.String):
    """A mainland mobile number; stored as its 11 digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        phone = normalize_phone(super()._deserialize(value, attr, data, **kwargs))
        if not PHONE_RE.match(phone):
            raise ValidationError("Enter an 11-digit mainland mobile number, e.g. 13800000000.")
        return phone


class RegisterSchema(Schema):
    phone = PhoneField(required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=128))
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))


class LoginSchema(Schema):
    phone = PhoneField(required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128))


class RegionRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    level = fields.Enum(Level, by_value=True)


class UnitRefSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    grid_id = fields.Integer(allow_none=True)


class MembershipBriefSchema(Schema):
    id = fields.Integer()
    role = fields.Enum(Role, by_value=True)
    status = fields.Enum(MembershipStatus, by_value=True)
    region = fields.Nested(RegionRefSchema)
    unit = fields.Nested(UnitRefSchema, allow_none=True)


class UserSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String()


class MeSchema(UserSchema):
    photo_url = fields.Function(
        photo_url, metadata={"description": "the photo's thumbnail, a link valid 1–2 hours; null without one"}
    )
    memberships = fields.List(fields.Nested(MembershipBriefSchema))


class MePhotoSchema(Schema):
    upload_id = fields.Integer(required=True, metadata={"description": "an id from POST /uploads"})


class PublicUserSchema(Schema):
    """How one user appears to others: the phone number masked."""

    id = fields.Integer()
    name = fields.String()
    phone = fields.String(attribute="masked_phone")


class TokensSchema(Schema):
    access_token = fields.String()
    refresh_token = fields.String()


class AuthResultSchema(TokensSchema):
    user = fields.Nested(MeSchema)
