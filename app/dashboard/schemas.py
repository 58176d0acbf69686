"""Query arguments of the dashboard and export endpoints, and the outline of their answers."""

from marshmallow import Schema, fields, validate

from app.core.pagination import PageArgs
from app.regions.models import Level


class PeriodArgs(Schema):
    region_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    first = fields.Date(data_key="from", load_default=None, metadata={"description": "local date, included"})
    last = fields.Date(data_key="to", load_default=None, metadata={"description": "local date, included"})


class RankingArgs(Schema):
    level = fields.Enum(
        Level, by_value=True, required=True, validate=validate.OneOf([Level.COMMUNITY, Level.STREET])
    )
    month = fields.String(
        data_key="period",
        load_default=None,
        validate=validate.Regexp(r"^\d{4}-\d{2}$"),
        metadata={"description": "local calendar month, YYYY-MM (default: this month)"},
    )
    region_id = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1),
        metadata={"description": "the street (or district) to rank within; default: the caller's region"},
    )


class OverdueArgs(PageArgs):
    region_id = fields.Integer(load_default=None, validate=validate.Range(min=1))


class DashboardRegionSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    level = fields.String()


class RatioSchema(Schema):
    rate = fields.Float(allow_none=True)
    numerator = fields.Integer()
    denominator = fields.Integer()


class RatesSchema(Schema):
    response = fields.Nested(RatioSchema)
    resolution = fields.Nested(RatioSchema)
    satisfaction = fields.Nested(RatioSchema)


class FiguresSchema(Schema):
    rates = fields.Nested(RatesSchema)
    score = fields.Float(allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    on_time = fields.Dict(keys=fields.String(), values=fields.Nested(RatioSchema))
    excluded = fields.Dict(keys=fields.String(), values=fields.Integer())


class ChildFiguresSchema(FiguresSchema):
    region = fields.Nested(DashboardRegionSchema)


class SubjectFiguresSchema(FiguresSchema):
    subject = fields.Dict()


class SummarySchema(FiguresSchema):
    region = fields.Nested(DashboardRegionSchema)
    child_level = fields.String(allow_none=True)
    period = fields.Dict()
    weights = fields.List(fields.Float())
    timings = fields.Dict()
    chat = fields.Dict()
    participation = fields.Dict()
    children = fields.List(fields.Nested(ChildFiguresSchema))
    categories = fields.List(fields.Nested(SubjectFiguresSchema))


class RankingRowSchema(ChildFiguresSchema):
    rank = fields.Integer()


class RankingsSchema(Schema):
    level = fields.String()
    parent = fields.Nested(DashboardRegionSchema)
    period = fields.Dict()
    weights = fields.List(fields.Float())
    data = fields.List(fields.Nested(RankingRowSchema))


class HeatCellSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    community_id = fields.Integer()
    boundary = fields.Dict(allow_none=True)
    count = fields.Integer()


class HeatmapSchema(Schema):
    region = fields.Nested(DashboardRegionSchema)
    period = fields.Dict()
    max = fields.Integer()
    unplaced = fields.Integer()
    grids = fields.List(fields.Nested(HeatCellSchema))


class OverdueSchema(Schema):
    id = fields.Integer()
    category = fields.Dict()
    status = fields.String()
    created_at = fields.AwareDateTime()
    due_kind = fields.String()
    due_at = fields.AwareDateTime()
    overdue_s = fields.Integer()
    warning = fields.String()
    supervised = fields.Boolean()
    redo_count = fields.Integer()
    community = fields.Nested(DashboardRegionSchema)
    grid = fields.Nested(DashboardRegionSchema, allow_none=True)
    held_by = fields.Nested(DashboardRegionSchema)


class PublicStatsSchema(Schema):
    community = fields.Nested(DashboardRegionSchema)
    period = fields.Dict()
    rates = fields.Nested(RatesSchema)
    fixed = fields.Integer()
    submitted = fields.Integer()
