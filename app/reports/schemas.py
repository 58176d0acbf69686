"""Request and response shapes for report categories, departments and reports."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from app.auth.schemas import PublicUserSchema
from app.reports.models import ReportStatus, ReportType, WarningLevel
from app.reports.workflow import Action

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


# --- reports: input ----------------------------------------------------------------------------------------

MAX_PHOTOS = 6


class OnSpotSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    photo_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=MAX_PHOTOS))


class ReportCreateSchema(Schema):
    category = fields.String(required=True, validate=validate.Length(min=1, max=40))
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lng = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    photo_ids = fields.List(
        fields.Integer(), load_default=list, validate=validate.Length(max=MAX_PHOTOS),
        metadata={"description": "ids from POST /uploads, yours and not yet attached"},
    )  # fmt: skip
    anonymous = fields.Boolean(
        load_default=False, metadata={"description": "hide your name from other residents"}
    )
    type = fields.Enum(
        ReportType, by_value=True, load_default=None, metadata={"description": "default: the category's"}
    )
    community_id = fields.Integer(
        load_default=None, allow_none=True,
        metadata={"description": "used only when the point is outside every grid"},
    )  # fmt: skip
    client_id = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^[\x21-\x7e]{1,80}$"),
        metadata={"description": "instead of the Idempotency-Key header"},
    )  # fmt: skip
    resolved_on_spot = fields.Nested(
        OnSpotSchema, load_default=None, allow_none=True,
        metadata={"description": "staff on patrol: fixed already; note and proof photos"},
    )  # fmt: skip

    @validates_schema
    def _description_has_words(self, data, **_kwargs):
        if "description" in data and not data["description"].strip():
            raise ValidationError("Describe the problem.", "description")


class ReportListArgs(Schema):
    scope = fields.String(
        load_default="mine", validate=validate.OneOf(["mine", "assigned", "grid", "community", "street"])
    )
    status = DelimitedList(fields.Enum(ReportStatus, by_value=True), load_default=list)
    category = fields.String(load_default=None, validate=validate.Length(max=40))
    warning = fields.Enum(WarningLevel, by_value=True, load_default=None)
    sort = fields.String(
        load_default="newest", validate=validate.OneOf(["newest", "deadline"]),
        metadata={"description": "deadline: open reports, the one due soonest first"},
    )  # fmt: skip
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    cursor = fields.String(load_default=None)


class TransitionSchema(Schema):
    action = fields.Enum(Action, by_value=True, required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    assignee_id = fields.Integer(load_default=None, allow_none=True)
    region_id = fields.Integer(load_default=None, allow_none=True)
    department_id = fields.Integer(load_default=None, allow_none=True)
    photo_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=MAX_PHOTOS))
    extend_minutes = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=MAX_MINUTES),
        metadata={"description": "extend: how long (default: the category's resolve time again)"},
    )  # fmt: skip


class RatingSchema(Schema):
    resolved = fields.Boolean(required=True)
    satisfaction = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class NearbyArgs(Schema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lng = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    category = fields.String(required=True, validate=validate.Length(min=1, max=40))


class BboxField(fields.String):
    """`minLng,minLat,maxLng,maxLat`, at most about 50 km across."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            west, south, east, north = (float(part) for part in text.split(","))
        except ValueError as exc:
            raise ValidationError("Give four numbers: minLng,minLat,maxLng,maxLat.") from exc
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise ValidationError("The box must run west to east and south to north, within the globe.")
        if east - west > 0.5 or north - south > 0.5:
            raise ValidationError("Zoom in: the box may be at most 0.5° on each side.")
        return west, south, east, north


class PublicListArgs(Schema):
    bbox = BboxField(required=True)
    category = fields.String(load_default=None, validate=validate.Length(max=40))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None)


# --- reports: output ---------------------------------------------------------------------------------------


class CategoryRefSchema(Schema):
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    icon = fields.String(allow_none=True)


class PlaceSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    level = fields.String()


class PersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class ReporterSchema(PersonSchema):
    phone = fields.String()


class DepartmentSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String()


class DepartmentAdminSchema(DepartmentSchema):
    region_id = fields.Integer()
    active = fields.Boolean()


class DepartmentCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=80))
    region_id = fields.Integer(required=True)


class DepartmentUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=60))
    name_en = fields.String(validate=validate.Length(min=1, max=80))
    active = fields.Boolean()

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("Change at least one field.", "_schema")


class DepartmentMemberSchema(Schema):
    user = fields.Nested(PublicUserSchema)
    created_at = fields.DateTime()


class DepartmentMemberAddSchema(Schema):
    user_id = fields.Integer(required=True)


class PhotoSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    thumb_url = fields.String()


class ReportSummarySchema(Schema):
    """A report in a worker's queue or the reporter's list."""

    id = fields.Integer()
    category = fields.Nested(CategoryRefSchema)
    type = fields.Enum(ReportType, by_value=True)
    status = fields.Enum(ReportStatus, by_value=True)
    description = fields.String()
    lat = fields.Float(allow_none=True)
    lng = fields.Float(allow_none=True)
    address = fields.String(allow_none=True)
    photos = fields.List(fields.Nested(PhotoSchema))
    anonymous = fields.Boolean()
    channel = fields.String()
    reporter = fields.Nested(ReporterSchema, allow_none=True)
    grid = fields.Nested(PlaceSchema, allow_none=True)
    community = fields.Nested(PlaceSchema)
    region = fields.Nested(PlaceSchema, metadata={"description": "who holds it now (rises on escalation)"})
    level = fields.String(metadata={"description": "grid | community | street | district"})
    department = fields.Nested(DepartmentSchema, allow_none=True)
    assignee = fields.Nested(PersonSchema, allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    due_kind = fields.String(allow_none=True, metadata={"description": "dispatch | contact | resolve"})
    due_at = fields.AwareDateTime(allow_none=True)
    warning = fields.Enum(WarningLevel, by_value=True)
    supervised = fields.Boolean()
    redo_count = fields.Integer()
    me_too_count = fields.Integer()


class DeadlineSchema(Schema):
    due = fields.AwareDateTime()
    done_at = fields.AwareDateTime(allow_none=True)
    state = fields.String(metadata={"description": "pending | overdue | met | met_late | none"})


class DeadlinesViewSchema(Schema):
    dispatch = fields.Nested(DeadlineSchema)
    contact = fields.Nested(DeadlineSchema)
    resolve = fields.Nested(DeadlineSchema)
    extended = fields.Boolean()


class TimelineEntrySchema(Schema):
    action = fields.String()
    actor = fields.Nested(PersonSchema, allow_none=True, metadata={"description": "null: the system"})
    status = fields.Enum(ReportStatus, by_value=True)
    note = fields.String(allow_none=True)
    photos = fields.List(fields.Nested(PhotoSchema))
    data = fields.Dict(allow_none=True)
    at = fields.AwareDateTime()


class RatingViewSchema(Schema):
    round = fields.Integer()
    resolved = fields.Boolean()
    satisfaction = fields.Integer()
    comment = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class ReportSchema(ReportSummarySchema):
    """One report, for its reporter and the staff working on it."""

    view = fields.String(metadata={"description": "staff | reporter"})
    contact = fields.Dict(allow_none=True, metadata={"description": "partner-system reports: who to call"})
    resolution_note = fields.String(allow_none=True)
    deadlines = fields.Nested(DeadlinesViewSchema)
    timeline = fields.List(fields.Nested(TimelineEntrySchema))
    ratings = fields.List(fields.Nested(RatingViewSchema))
    allowed_actions = fields.List(fields.String(), metadata={"description": "moves the caller may make now"})
    can_rate = fields.Boolean()
    me_too = fields.Boolean(metadata={"description": "the caller said me too"})


class PublicTimelineEntrySchema(Schema):
    action = fields.String()
    status = fields.Enum(ReportStatus, by_value=True)
    at = fields.AwareDateTime()


class PublicReportSchema(Schema):
    """What any signed-in resident sees of a public report: no contact details, no photos."""

    id = fields.Integer()
    view = fields.String()
    category = fields.Nested(CategoryRefSchema)
    type = fields.Enum(ReportType, by_value=True)
    status = fields.Enum(ReportStatus, by_value=True)
    description = fields.String()
    lat = fields.Float(allow_none=True)
    lng = fields.Float(allow_none=True)
    reporter_name = fields.String(allow_none=True, metadata={"description": "null when the reporter hid it"})
    community = fields.Nested(PlaceSchema)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    warning = fields.Enum(WarningLevel, by_value=True)
    me_too_count = fields.Integer()
    me_too = fields.Boolean()
    timeline = fields.List(fields.Nested(PublicTimelineEntrySchema))


class _ReportPointSchema(Schema):
    """What anyone nearby may know of a report: what, how far along, since when, how many care."""

    id = fields.Integer()
    category = fields.Nested(CategoryRefSchema)
    status = fields.Enum(ReportStatus, by_value=True)
    created_at = fields.AwareDateTime()
    me_too_count = fields.Integer()


class NearbySchema(_ReportPointSchema):
    description = fields.String()
    distance_m = fields.Integer()
    mine = fields.Boolean()


class MapPointSchema(_ReportPointSchema):
    """A dot on the public map: no description, no names, the position rounded to about 10 m."""

    lat = fields.Float()
    lng = fields.Float()


class MeTooSchema(Schema):
    report_id = fields.Integer()
    me_too = fields.Boolean()
    me_too_count = fields.Integer()


class MapSettingsSchema(Schema):
    tile_url = fields.String(allow_none=True, metadata={"description": "URL template; null: no tiles"})
    attribution = fields.String(allow_none=True)
    max_zoom = fields.Integer()


class AssigneeSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String(metadata={"description": "the role that lets them handle it"})
    region = fields.Nested(PlaceSchema)
