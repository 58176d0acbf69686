"""Request and response shapes for notices; shapes only, the service checks regions and rights."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.pagination import PageArgs
from app.regions.models import Level

# The categories a notice may carry; the PWA shows the label and may style `urgent` and `safety`.
CATEGORIES = {
    "general": "综合 general information (default)",
    "urgent": "紧急 urgent: outages, severe weather, road closures — things to act on today",
    "event": "活动 events: meetings, volunteering, cultural and sports activities",
    "safety": "安全 safety: fire, gas, anti-fraud, flood and typhoon preparation",
    "service": "便民 services: clinics, repairs, vaccination, certificate handling",
    "policy": "政策 policy: new rules, subsidies, consultations opened by the government",
}
STATUSES = ("published", "scheduled", "expired", "withdrawn", "all")

TITLE_MAX = 120
BODY_MAX = 10000


class TrimmedString(fields.String):
    """A string with surrounding whitespace removed before length checks, so "   " is empty."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class NonBlankString(fields.String):
    """Kept as written (a notice body may be indented), but it must contain something besides whitespace."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text.strip():
            raise ValidationError("Must not be blank.")
        return text


_DATETIME_HELP = "ISO 8601 with a zone offset, e.g. 2026-12-01T08:00:00+08:00."


def _aware(**kwargs) -> fields.AwareDateTime:
    return fields.AwareDateTime(
        format="iso", error_messages={"invalid_awareness": f"Give a time zone. {_DATETIME_HELP}"}, **kwargs
    )


def _check_window(data: dict) -> None:
    publish_at, expires_at = data.get("publish_at"), data.get("expires_at")
    if publish_at is not None and expires_at is not None and expires_at <= publish_at:
        raise ValidationError({"expires_at": ["Must be after publish_at."]})


class NoticeCreateSchema(Schema):
    title = TrimmedString(required=True, validate=validate.Length(min=1, max=TITLE_MAX))
    body = NonBlankString(required=True, validate=validate.Length(min=1, max=BODY_MAX))
    region_id = fields.Integer(required=True, strict=True, metadata={"description": "The region it is for."})
    category = fields.String(
        load_default="general",
        validate=validate.OneOf(list(CATEGORIES)),
        metadata={"description": "; ".join(f"`{k}`: {v}" for k, v in CATEGORIES.items())},
    )
    pinned = fields.Boolean(load_default=False, metadata={"description": "Pinned notices list first."})
    publish_at = _aware(
        load_default=None,
        metadata={"description": f"When readers start to see it; omitted means now. {_DATETIME_HELP}"},
    )
    expires_at = _aware(
        load_default=None,
        allow_none=True,
        metadata={"description": f"When it stops being shown; must be after publish_at. {_DATETIME_HELP}"},
    )

    @validates_schema
    def _window(self, data, **kwargs):
        _check_window(data)


class NoticeUpdateSchema(Schema):
    """Every field optional; `expires_at: null` clears the expiry, a time in the past expires it now."""

    title = TrimmedString(validate=validate.Length(min=1, max=TITLE_MAX))
    body = NonBlankString(validate=validate.Length(min=1, max=BODY_MAX))
    region_id = fields.Integer(strict=True)
    category = fields.String(validate=validate.OneOf(list(CATEGORIES)))
    pinned = fields.Boolean()
    publish_at = _aware()
    expires_at = _aware(allow_none=True)

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("Send at least one field to change.")
        _check_window(data)


class NoticeListArgs(PageArgs):
    q = fields.String(
        load_default=None,
        validate=validate.Length(max=100),
        metadata={"description": "Words to find in the title or body."},
    )
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(STATUSES),
        metadata={"description": "Staff only: list the notices of the regions they manage in this state."},
    )
    region_id = fields.Integer(
        load_default=None, metadata={"description": "Only notices of this region and the regions under it."}
    )


class NoticeRegionSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    level = fields.Enum(Level, by_value=True)


class NoticeAuthorSchema(Schema):
    """Who posted it; never the phone number."""

    id = fields.Integer()
    name = fields.String()


class NoticeSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    body = fields.String()
    category = fields.String()
    pinned = fields.Boolean()
    publish_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime(allow_none=True)
    withdrawn_at = fields.AwareDateTime(allow_none=True)
    status = fields.String(metadata={"description": "published, scheduled, expired or withdrawn."})
    region = fields.Nested(NoticeRegionSchema)
    author = fields.Nested(NoticeAuthorSchema)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    read = fields.Boolean(metadata={"description": "Whether the caller has marked it read."})
    can_edit = fields.Boolean(metadata={"description": "Whether the caller may edit or withdraw it."})


class NoticeStatsSchema(Schema):
    audience_count = fields.Integer(
        metadata={"description": "Active residents living in the notice's region."}
    )
    read_count = fields.Integer(metadata={"description": "How many of them marked it read."})
    read_rate = fields.Float(
        metadata={"description": "read_count / audience_count, 4 places; 0 with no audience."}
    )


def dump_feed_item(item: dict) -> dict:
    """A feed item (from service.list_notices) in the NoticeSchema shape, written out by hand: the feed is
    the hot path, and marshmallow would cost more than the query for a page. A test keeps the two equal.
    Times stay datetimes: orjson writes them in ISO 8601 as the schema does."""
    return {
        "id": item["id"],
        "title": item["title"],
        "body": item["body"],
        "category": item["category"],
        "pinned": item["pinned"],
        "publish_at": item["publish_at"],
        "expires_at": item["expires_at"],
        "withdrawn_at": item["withdrawn_at"],
        "status": item["status"],
        "region": {"id": item["region_id"], "name": item["region_name"], "level": str(item["region_level"])},
        "author": {"id": item["author_id"], "name": item["author_name"]},
        "created_at": item["created_at"],
        "updated_at": item["updated_at"],
        "read": item["read"],
        "can_edit": item["can_edit"],
    }
