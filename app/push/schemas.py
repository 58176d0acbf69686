"""Request and response shapes for push subscriptions and notification settings; shapes only."""

import binascii

from marshmallow import Schema, ValidationError, fields, validate

from app.push.models import PushKind
from app.push.vapid import b64url_decode

_B64URL = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
KIND_HELP = {
    PushKind.NOTICE: "A new notice for where I live.",
    PushKind.NOTICE_URGENT: "A new urgent notice (sent at high urgency).",
    PushKind.REPORT_UPDATE: "My report changed state.",
    PushKind.CHAT_REPLY: "A worker replied while I was away.",
    PushKind.POLL: "A poll opened, closes within 24 hours, or has results.",
    PushKind.CONSULTATION_OUTCOME: "A consultation published its outcome.",
    PushKind.STAFF_NEW_REPORT: "Staff: a new report in my grid.",
    PushKind.STAFF_DEADLINE: "Staff: a report's deadline turned yellow or red.",
    PushKind.STAFF_NEW_CONVERSATION: "Staff: a new conversation is waiting.",
}


class Base64UrlKey(fields.String):
    """A base64url key (padding optional) that must decode to exactly `size` bytes."""

    def __init__(self, size: int, **kwargs):
        super().__init__(**kwargs)
        self.size = size

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text or any(c not in _B64URL for c in text.rstrip("=")):
            raise ValidationError("Must be base64url.")
        try:
            raw = b64url_decode(text.rstrip("="))
        except (binascii.Error, ValueError) as exc:
            raise ValidationError("Must be base64url.") from exc
        if len(raw) != self.size:
            raise ValidationError(f"Must decode to {self.size} bytes, not {len(raw)}.")
        return text.rstrip("=")


class P256dhKey(Base64UrlKey):
    """The browser's ECDH public key: an uncompressed point on P-256 (65 bytes, 0x04 first)."""

    def __init__(self, **kwargs):
        super().__init__(65, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        from cryptography.hazmat.primitives.asymmetric import ec

        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(text))
        except ValueError as exc:
            raise ValidationError("Is not a point on P-256.") from exc
        return text


class SubscriptionKeysSchema(Schema):
    p256dh = P256dhKey(
        required=True, metadata={"description": "base64url, 65-byte uncompressed P-256 point."}
    )
    auth = Base64UrlKey(16, required=True, metadata={"description": "base64url, 16-byte auth secret."})


class SubscriptionCreateSchema(Schema):
    """What `PushSubscription.toJSON()` gives in the browser."""

    endpoint = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1024),
        metadata={"description": "The push service URL (https)."},
    )
    keys = fields.Nested(SubscriptionKeysSchema, required=True)
    expirationTime = fields.Integer(  # noqa: N815  (the browser's own field name)
        allow_none=True, load_default=None, metadata={"description": "Sent by browsers; ignored."}
    )


class SubscriptionDeleteSchema(Schema):
    endpoint = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class SubscriptionSchema(Schema):
    id = fields.Integer()
    endpoint = fields.String()
    created_at = fields.AwareDateTime()
    last_success_at = fields.AwareDateTime(allow_none=True)


class VapidKeySchema(Schema):
    public_key = fields.String(
        metadata={"description": "The applicationServerKey for PushManager.subscribe(), base64url."}
    )
    fallback_kinds = fields.List(
        fields.String(),
        metadata={"description": "Kinds sent by SMS to users without push (PUSH_FALLBACK_KINDS)."},
    )


class StrictBoolean(fields.Boolean):
    """JSON true or false only: a switch is not set by "yes" or 0."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


NotificationSettingsSchema = Schema.from_dict(
    {kind.value: fields.Boolean(metadata={"description": KIND_HELP[kind]}) for kind in PushKind},
    name="NotificationSettings",
)
NotificationSettingsUpdateSchema = Schema.from_dict(
    {kind.value: StrictBoolean(metadata={"description": KIND_HELP[kind]}) for kind in PushKind},
    name="NotificationSettingsUpdate",
)
