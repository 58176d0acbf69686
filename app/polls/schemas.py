"""Request and response shapes for polls; shapes only, the service checks regions, rights and states."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.pagination import PageArgs
from app.notices.schemas import NonBlankString, TrimmedString, _aware
from app.polls.models import Counting, PollKind, ResultsVisibility, Secrecy, Threshold

MAX_OPTIONS = 20


class OptionInSchema(Schema):
    label = TrimmedString(required=True, validate=validate.Length(min=1, max=120))
    approves = fields.Boolean(
        load_default=False, metadata={"description": "This option approves the matter (同意); see `passed`."}
    )


def _options_field(**kwargs):
    return fields.List(
        fields.Nested(OptionInSchema), validate=validate.Length(min=2, max=MAX_OPTIONS), **kwargs
    )


class _RulesMixin:
    @validates_schema
    def _distinct_labels(self, data, **kwargs):
        labels = [o["label"] for o in data.get("options") or []]
        if len(set(labels)) != len(labels):
            raise ValidationError({"options": ["Two options have the same label."]})


class PollCreateSchema(_RulesMixin, Schema):
    region_id = fields.Integer(required=True, strict=True)
    title = TrimmedString(required=True, validate=validate.Length(min=1, max=120))
    body = fields.String(load_default="", validate=validate.Length(max=10000))
    options = _options_field(required=True)
    kind = fields.Enum(PollKind, by_value=True, load_default=PollKind.SINGLE)
    max_choices = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=MAX_OPTIONS))
    counting = fields.Enum(
        Counting,
        by_value=True,
        load_default=Counting.PERSON,
        metadata={"description": "person: one vote each; household: one per unit; owners: art. 278"},
    )
    threshold = fields.Enum(Threshold, by_value=True, load_default=Threshold.ORDINARY)
    secrecy = fields.Enum(Secrecy, by_value=True, load_default=Secrecy.SECRET)
    results = fields.Enum(ResultsVisibility, by_value=True, load_default=ResultsVisibility.AFTER_CLOSE)
    opens_at = _aware(
        load_default=None, allow_none=True, metadata={"description": "Omitted, now or past: opens at once."}
    )
    closes_at = _aware(required=True)


class PollUpdateSchema(_RulesMixin, Schema):
    region_id = fields.Integer(strict=True)
    title = TrimmedString(validate=validate.Length(min=1, max=120))
    body = fields.String(validate=validate.Length(max=10000))
    options = _options_field()
    kind = fields.Enum(PollKind, by_value=True)
    max_choices = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_OPTIONS))
    counting = fields.Enum(Counting, by_value=True)
    threshold = fields.Enum(Threshold, by_value=True)
    secrecy = fields.Enum(Secrecy, by_value=True)
    results = fields.Enum(ResultsVisibility, by_value=True)
    opens_at = _aware(allow_none=True)
    closes_at = _aware()


class PollListArgs(PageArgs):
    status = fields.String(load_default="all", validate=validate.OneOf(["open", "closed", "all"]))


class BallotCreateSchema(Schema):
    option_ids = fields.List(
        fields.Integer(strict=True), required=True, validate=validate.Length(min=1, max=MAX_OPTIONS)
    )
    channel = fields.String(load_default="app", validate=validate.OneOf(["app", "paper"]))
    voter_id = fields.Integer(
        strict=True, load_default=None, metadata={"description": "Paper only: the roll's voter_id it is for."}
    )
    client_id = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[\x21-\x7e]{1,80}$"),
        metadata={"description": "Idempotency key in the body, for clients that cannot set the header."},
    )


class ReceiptSchema(Schema):
    receipt = fields.String(required=True)
    seq = fields.Integer()
    channel = fields.String()


class DecisionSchema(Schema):
    body = NonBlankString(required=True, validate=validate.Length(min=1, max=10000))


class FollowupCreateSchema(Schema):
    body = NonBlankString(required=True, validate=validate.Length(min=1, max=5000))
    progress = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))


class FollowupSchema(Schema):
    id = fields.Integer()
    body = fields.String()
    progress = fields.Integer()
    created_at = fields.AwareDateTime()
    author = fields.Function(lambda f: f.created_by.name)


class OptionSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    approves = fields.Boolean()


class MeSchema(Schema):
    eligible = fields.Boolean()
    voted = fields.Boolean()
    by_me = fields.Boolean()
    channel = fields.String(allow_none=True)


class PollSchema(Schema):
    id = fields.Integer()
    region_id = fields.Integer()
    region_name = fields.Function(lambda p: p.region.name)
    title = fields.String()
    body = fields.String()
    kind = fields.Enum(PollKind, by_value=True)
    max_choices = fields.Integer()
    counting = fields.Enum(Counting, by_value=True)
    threshold = fields.Enum(Threshold, by_value=True)
    secrecy = fields.Enum(Secrecy, by_value=True)
    results = fields.Enum(ResultsVisibility, by_value=True)
    status = fields.String()
    opens_at = fields.AwareDateTime()
    closes_at = fields.AwareDateTime()
    opened_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    options = fields.List(fields.Nested(OptionSchema))
    rules_frozen = fields.Boolean()
    roll = fields.Method("_roll")
    ballot_count = fields.Method("_ballots")
    chain_head = fields.Method("_head")
    notice_id = fields.Integer(allow_none=True)
    decision = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    followups = fields.List(fields.Nested(FollowupSchema))
    progress = fields.Method("_progress")
    me = fields.Raw(metadata={"description": "The caller's eligibility and whether their key has voted."})
    can_manage = fields.Boolean()

    def _roll(self, poll):
        if poll.roll_fingerprint is None:
            return None
        body = {"fingerprint": poll.roll_fingerprint, "heads": poll.roll_heads}
        if poll.counting == Counting.OWNERS:
            body["area"] = str(poll.roll_area)
        return body

    def _ballots(self, poll):
        # Live counting is hidden with the results: a count alone says little, but turnout moves voters too.
        return poll.ballot_count if getattr(poll, "results_shown", True) else None

    def _head(self, poll):
        return poll.chain_head if poll.status == "closed" else None

    def _progress(self, poll):
        return poll.followups[-1].progress if poll.followups else None


class ResultOptionSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    count = fields.Integer()
    area = fields.String()
    approves = fields.Boolean()


class ResultsSchema(Schema):
    poll_id = fields.Integer()
    status = fields.String()
    options = fields.List(fields.Nested(ResultOptionSchema))
    turnout = fields.Dict()
    approve = fields.Dict()
    quorum_required = fields.Boolean()
    quorum_met = fields.Boolean()
    passed = fields.Boolean(allow_none=True)
    counting = fields.String()
    threshold = fields.String()


class ReceiptEntrySchema(Schema):
    seq = fields.Integer()
    receipt = fields.String()
    digest = fields.String()
    hash = fields.String()


class ReceiptListArgs(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))


class ReceiptPageSchema(Schema):
    poll_id = fields.Integer()
    roll_fingerprint = fields.String()
    genesis = fields.String()
    chain_head = fields.String()
    ballot_count = fields.Integer()
    data = fields.List(fields.Nested(ReceiptEntrySchema))
    next_after = fields.Integer(allow_none=True)


class RollArgs(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    q = fields.String(load_default=None, validate=validate.Length(max=60))


class RollEntrySchema(Schema):
    voter_id = fields.Integer()
    label = fields.String()
    area = fields.String(allow_none=True)
    voted = fields.Boolean()
    channel = fields.String(allow_none=True)


class RollPageSchema(Schema):
    data = fields.List(fields.Nested(RollEntrySchema))
    next_after = fields.Integer(allow_none=True)


class NamedBallotSchema(Schema):
    voter_id = fields.Integer()
    label = fields.String()
    option_ids = fields.List(fields.Integer())
    channel = fields.String()
