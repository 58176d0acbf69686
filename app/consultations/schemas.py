"""Request and response shapes for consultations, their opinions, outcome and follow-through."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from app.consultations.models import ConsultationStatus, Stance
from app.core.pagination import PageArgs
from app.regions.models import Level

MAX_PHOTOS = 9


def _photo_ids():
    return fields.List(
        fields.Integer(), validate=validate.Length(max=MAX_PHOTOS),
        metadata={"description": "ids from POST /uploads, yours and not yet attached"},
    )  # fmt: skip


# --- input -------------------------------------------------------------------------------------------------


class ConsultationCreateSchema(Schema):
    region_id = fields.Integer(required=True)
    title = fields.String(required=True, validate=validate.Length(min=2, max=120))
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    closes_at = fields.AwareDateTime(required=True)
    outcome_due_at = fields.AwareDateTime(
        required=True, metadata={"description": "when the committee's answer is due; late is flagged above"}
    )
    photo_ids = _photo_ids()
    open = fields.Boolean(load_default=False, metadata={"description": "open at once instead of a draft"})


class ConsultationUpdateSchema(Schema):
    title = fields.String(validate=validate.Length(min=2, max=120))
    body = fields.String(validate=validate.Length(min=1, max=5000))
    closes_at = fields.AwareDateTime()
    outcome_due_at = fields.AwareDateTime()
    photo_ids = _photo_ids()

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("Change at least one field.", "_schema")


class ConsultationTransitionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["open", "close"]))


class ConsultationListArgs(PageArgs):
    status = DelimitedList(fields.Enum(ConsultationStatus, by_value=True), load_default=list)
    region_id = fields.Integer(load_default=None)
    overdue = fields.Boolean(
        load_default=False, metadata={"description": "staff: late outcomes in the regions beneath them"}
    )


class CommentCreateSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    stance = fields.Enum(Stance, by_value=True, load_default=None, allow_none=True)
    parent_id = fields.Integer(load_default=None, allow_none=True)


class CommentListArgs(PageArgs):
    stance = fields.Enum(Stance, by_value=True, load_default=None)


class CommentReportSchema(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))


class CommentHideSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))


class ConsultationOutcomeSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class ConsultationFollowupCreateSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    progress = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    item_id = fields.Integer(
        load_default=None, allow_none=True,
        metadata={"description": "update this item; without it a new item starts"},
    )  # fmt: skip


# --- output ------------------------------------------------------------------------------------------------


class ConsultationPersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class ConsultationRegionSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    level = fields.Enum(Level, by_value=True)


class ConsultationCountsSchema(Schema):
    for_ = fields.Integer(data_key="for", attribute="for")
    against = fields.Integer()
    neutral = fields.Integer()
    opinions = fields.Integer()
    replies = fields.Integer()
    supports = fields.Integer()


class ConsultationPhotoSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    thumb_url = fields.String()
    width = fields.Integer()
    height = fields.Integer()


class ConsultationFollowupUpdateSchema(Schema):
    id = fields.Integer()
    body = fields.String()
    progress = fields.Integer()
    author = fields.Nested(ConsultationPersonSchema)
    created_at = fields.AwareDateTime()


class ConsultationFollowupItemSchema(ConsultationFollowupUpdateSchema):
    updated_at = fields.AwareDateTime()
    updates = fields.List(fields.Nested(ConsultationFollowupUpdateSchema))


class ConsultationFollowupSchema(ConsultationFollowupUpdateSchema):
    item_id = fields.Integer(allow_none=True)


class ConsultationSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    body = fields.String()
    status = fields.Enum(ConsultationStatus, by_value=True)
    region = fields.Nested(ConsultationRegionSchema)
    author = fields.Nested(ConsultationPersonSchema)
    closes_at = fields.AwareDateTime()
    outcome_due_at = fields.AwareDateTime()
    opened_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    outcome = fields.String(allow_none=True)
    outcome_at = fields.AwareDateTime(allow_none=True)
    overdue = fields.Boolean(metadata={"description": "outcome past due and not yet published"})
    counts = fields.Nested(ConsultationCountsSchema)
    supported = fields.Boolean(metadata={"description": "whether the caller supports it"})
    can_manage = fields.Boolean()
    can_participate = fields.Boolean()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ConsultationSchema(ConsultationSummarySchema):
    photos = fields.List(fields.Nested(ConsultationPhotoSchema))
    followups = fields.List(fields.Nested(ConsultationFollowupItemSchema))
    progress = fields.Integer(allow_none=True, metadata={"description": "mean progress of the items, %"})


class ConsultationCommentSchema(Schema):
    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    stance = fields.Enum(Stance, by_value=True, allow_none=True)
    body = fields.String(allow_none=True, metadata={"description": "null when hidden from the caller"})
    official = fields.Boolean(metadata={"description": "written by the region's committee or workers"})
    author = fields.Nested(ConsultationPersonSchema)
    mine = fields.Boolean()
    hidden = fields.Boolean()
    hidden_reason = fields.String(allow_none=True, metadata={"description": "for its author and staff"})
    report_count = fields.Integer(allow_none=True, metadata={"description": "staff only"})
    reported = fields.Boolean(metadata={"description": "whether the caller reported it"})
    created_at = fields.AwareDateTime()


class ConsultationOpinionSchema(ConsultationCommentSchema):
    replies = fields.List(fields.Nested(ConsultationCommentSchema))


class ConsultationSupportResultSchema(Schema):
    consultation_id = fields.Integer()
    supported = fields.Boolean()
    support_count = fields.Integer()


class CommentReportResultSchema(Schema):
    comment_id = fields.Integer()
    reported = fields.Boolean()
