"""HTTP endpoints for polls (投票): rules, ballots, results, receipts, follow-through."""

import sqlalchemy as sa
from flask import request
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from app.core.after_commit import commit
from app.core.auth import current_user
from app.core.db import utcnow
from app.core.errors import ConflictError
from app.core.pagination import SortKey, paginate
from app.core.schemas import page_schema
from app.extensions import db, limiter
from app.polls import jobs, service  # noqa: F401  (jobs registers the periodic tick)
from app.polls.models import Channel, Poll, PollFollowup, PollVoter, RollUser
from app.polls.schemas import (
    BallotCreateSchema,
    DecisionSchema,
    FollowupCreateSchema,
    FollowupSchema,
    NamedBallotSchema,
    PollCreateSchema,
    PollListArgs,
    PollSchema,
    PollUpdateSchema,
    ReceiptListArgs,
    ReceiptPageSchema,
    ReceiptSchema,
    ResultsSchema,
    RollArgs,
    RollPageSchema,
)
from app.uploads.service import check_idempotency_key

_IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "schema": {"type": "string"},
    "required": False,
}

bp = Blueprint("polls", __name__, url_prefix="/api/v1", description="Polls and votes (投票)")

PollPageSchema = page_schema(PollSchema, "PollPage")
KEYS = [SortKey(Poll.id, "id")]
# A voter casts one ballot per poll; a worker entering a stack of paper ballots needs far more.
BALLOT_LIMIT = "20 per minute"
PAPER_LIMIT = "600 per minute"


def _annotate(polls: list[Poll], viewer) -> list[Poll]:
    """The caller's view of each poll in two queries for the whole page: eligibility and has-voted."""
    now = utcnow()
    ids = [p.id for p in polls]
    keys = (
        dict(
            db.session.execute(
                sa.select(RollUser.poll_id, RollUser.voter_key).where(
                    RollUser.poll_id.in_(ids), RollUser.user_id == viewer.id
                )
            ).all()
        )
        if ids
        else {}
    )
    voters = {}
    if keys:
        pairs = [sa.and_(PollVoter.poll_id == p, PollVoter.voter_key == k) for p, k in keys.items()]
        voters = {v.poll_id: v for v in db.session.scalars(sa.select(PollVoter).where(sa.or_(*pairs)))}
    for poll in polls:
        voter = voters.get(poll.id)
        poll.me = {
            "eligible": poll.id in keys,
            "voted": voter is not None,
            "by_me": voter is not None and voter.user_id == viewer.id,
            "channel": voter.channel.value if voter else None,
        }
        poll.can_manage = service.manages(viewer, poll.region)
        poll.results_shown = poll.results_visible(now)
    return polls


def _one(poll: Poll, viewer) -> Poll:
    return _annotate([poll], viewer)[0]


@bp.get("/polls")
@jwt_required()
@bp.arguments(PollListArgs, location="query")
@bp.response(200, PollPageSchema)
def list_polls(args):
    """Polls in my scope, newest first: `status` open (scheduled or open), closed or all."""
    viewer = current_user()
    stmt = service.list_polls(viewer=viewer, status=args["status"]).options(
        selectinload(Poll.options), selectinload(Poll.followups).joinedload(PollFollowup.created_by)
    )
    rows, next_cursor = paginate(db.session, stmt, KEYS, limit=args["limit"], cursor=args["cursor"])
    return {"data": _annotate(rows, viewer), "next_cursor": next_cursor}


@bp.post("/polls")
@jwt_required()
@bp.arguments(PollCreateSchema)
@bp.response(201, PollSchema)
def create_poll(data):
    """Create a poll for a region (committee and community workers); it opens at `opens_at`, or now."""
    user = current_user()
    poll = service.create_poll(by=user, data=data)
    commit()
    return _one(poll, user)


@bp.get("/polls/<int:poll_id>")
@jwt_required()
@bp.response(200, PollSchema)
def get_poll(poll_id: int):
    """One poll with its rules, published roll fingerprint, my voting status, decision and follow-through."""
    user = current_user()
    return _one(service.get_poll(poll_id, viewer=user), user)


@bp.patch("/polls/<int:poll_id>")
@jwt_required()
@bp.arguments(PollUpdateSchema)
@bp.response(200, PollSchema)
def update_poll(data, poll_id: int):
    """Change a poll's rules; 409 `rules_frozen` once a ballot is cast."""
    user = current_user()
    poll = service.update_poll(poll_id, by=user, changes=data)
    commit()
    return _one(poll, user)


def _ballot_key() -> str:
    return f"ballot:{current_user().id}"


def _ballot_limit() -> str:
    body = request.get_json(silent=True)
    return PAPER_LIMIT if isinstance(body, dict) and body.get("channel") == "paper" else BALLOT_LIMIT


@bp.post("/polls/<int:poll_id>/ballots")
@jwt_required()
@limiter.limit(_ballot_limit, key_func=_ballot_key)
@bp.arguments(BallotCreateSchema)
@bp.doc(parameters=[_IDEMPOTENCY_HEADER])
@bp.response(201, ReceiptSchema)
def cast_ballot(data, poll_id: int):
    """Vote (`option_ids`); a worker enters a paper ballot with `channel: paper` and the roll's `voter_id`.
    409 `already_voted` / `poll_closed` / `poll_not_open`, 403 `not_eligible`. A retry with the same
    Idempotency-Key (or `client_id`) gets the first receipt again."""
    user = current_user()
    key = check_idempotency_key(request.headers.get("Idempotency-Key")) or data["client_id"]
    try:
        poll, ballot = service.cast_ballot(
            poll_id, data["option_ids"], by=user, channel=Channel(data["channel"]), voter_id=data["voter_id"]
        )
    except ConflictError as exc:
        receipt = exc.code == "already_voted" and service.replayed_receipt(poll_id, by=user, key=key)
        if not receipt:
            raise
        return {"receipt": receipt, "channel": data["channel"]}, 201, {"Idempotent-Replayed": "true"}
    service.remember_replay(poll, ballot, by=user, key=key)
    commit()
    return {"receipt": ballot.receipt, "seq": ballot.seq, "channel": data["channel"]}


@bp.get("/polls/<int:poll_id>/ballots")
@jwt_required()
@bp.response(200, NamedBallotSchema(many=True))
def named_ballots(poll_id: int):
    """Who voted what, for the poll's committee, in named polls once results are visible."""
    return service.named_ballots(poll_id, viewer=current_user())


@bp.get("/polls/<int:poll_id>/results")
@jwt_required()
@bp.response(200, ResultsSchema)
def results(poll_id: int):
    """Counts per option (with floor area for owners' votes), turnout against the roll, quorum and outcome.
    403 `results_hidden` before close when results are shown after close."""
    poll, result = service.results(poll_id, viewer=current_user())
    return {
        "poll_id": poll.id,
        "status": poll.status.value,
        "counting": poll.counting.value,
        "threshold": poll.threshold.value,
        **result,
    }


@bp.get("/polls/<int:poll_id>/receipts")
@jwt_required()
@bp.arguments(ReceiptListArgs, location="query")
@bp.response(200, ReceiptPageSchema)
def receipts(args, poll_id: int):
    """The published receipts after close, in chain order, with genesis and head to recompute it."""
    from app.polls import chain

    poll, rows = service.receipts(poll_id, viewer=current_user(), after=args["after"], limit=args["limit"])
    more = len(rows) > args["limit"]
    rows = rows[: args["limit"]]
    return {
        "poll_id": poll.id,
        "roll_fingerprint": poll.roll_fingerprint,
        "genesis": chain.genesis(poll.id, poll.roll_fingerprint),
        "chain_head": poll.chain_head,
        "ballot_count": poll.ballot_count,
        "data": rows,
        "next_after": rows[-1]["seq"] if more else None,
    }


@bp.get("/polls/<int:poll_id>/roll")
@jwt_required()
@bp.arguments(RollArgs, location="query")
@bp.response(200, RollPageSchema)
def roll(args, poll_id: int):
    """The frozen voter roll for the poll's workers: find a voter to enter a paper ballot for."""
    rows = service.roll_page(
        poll_id, viewer=current_user(), after=args["after"], limit=args["limit"], q=args["q"]
    )
    more = len(rows) > args["limit"]
    rows = rows[: args["limit"]]
    return {"data": rows, "next_after": rows[-1]["voter_id"] if more else None}


@bp.post("/polls/<int:poll_id>/decision")
@jwt_required()
@bp.arguments(DecisionSchema)
@bp.response(200, PollSchema)
def decide(data, poll_id: int):
    """The committee's decision after close (what will be done about the result)."""
    user = current_user()
    poll = service.decide(poll_id, by=user, body=data["body"])
    commit()
    return _one(poll, user)


@bp.post("/polls/<int:poll_id>/followups")
@jwt_required()
@bp.arguments(FollowupCreateSchema)
@bp.response(201, FollowupSchema)
def add_followup(data, poll_id: int):
    """A dated follow-through update with progress 0–100 %."""
    followup = service.add_followup(poll_id, by=current_user(), **data)
    commit()
    return followup
