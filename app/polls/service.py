"""Rules for polls: who sees and runs them, opening with a frozen roll, casting ballots, results, closing and
the decision's follow-through. Functions here flush but never commit."""

import json
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.audit.service import record
from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import ApiError, ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from app.core.permissions import Role, serves
from app.core.unique import first_write_guard
from app.extensions import db
from app.polls import chain, counting, roll
from app.polls.models import (
    Channel,
    Counting,
    Poll,
    PollBallot,
    PollFollowup,
    PollKind,
    PollOption,
    PollReplay,
    PollStatus,
    PollVoter,
    RollEntry,
    RollUser,
    Secrecy,
)
from app.regions.models import Level, Region

# Who posts and runs polls, and enters paper ballots, for the regions they serve.
POLL_ROLES = frozenset({Role.COMMITTEE, Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.ADMIN})
REMIND_BEFORE = timedelta(hours=24)


class NotEligibleError(ApiError):
    status, code, message = 403, "not_eligible", "You are not on this poll's voter roll."


class ResultsHiddenError(ApiError):
    status, code, message = 403, "results_hidden", "Results are shown when the poll closes."


def manages(user: User, region: Region) -> bool:
    return serves(user, region, POLL_ROLES)


# --- visibility -----------------------------------------------------------------------------------------


def _home_regions(user: User) -> list[Region]:
    homes = []
    for m in user.active_memberships:
        if m.role == Role.RESIDENT and m.unit is not None and m.unit.grid is not None:
            homes.append(m.unit.grid)
        else:
            homes.append(m.region)
    return homes


def visible_clause(user: User) -> sa.ColumnElement[bool]:
    """Polls of the regions above a user's homes, the regions they serve, and rolls they are on."""
    ancestors = {rid for home in _home_regions(user) for rid in home.ancestor_ids}
    served = [m.region.path for m in user.active_memberships if m.role in POLL_ROLES]
    on_roll = sa.select(RollUser.poll_id).where(RollUser.user_id == user.id)
    clauses = [Poll.region_id.in_(sorted(ancestors)), Poll.id.in_(on_roll)]
    if served:
        in_served = sa.select(Region.id).where(sa.or_(*[Region.path.startswith(p) for p in served]))
        clauses.append(Poll.region_id.in_(in_served))
    return sa.or_(*clauses)


def list_polls(*, viewer: User, status: str | None = None) -> sa.Select:
    stmt = sa.select(Poll).where(visible_clause(viewer))
    if status == "open":
        stmt = stmt.where(Poll.status != PollStatus.CLOSED)
    elif status == "closed":
        stmt = stmt.where(Poll.status == PollStatus.CLOSED)
    return stmt


def get_poll(poll_id: int, *, viewer: User, lock: bool = False) -> Poll:
    stmt = sa.select(Poll).where(Poll.id == poll_id, visible_clause(viewer))
    if lock:
        stmt = stmt.with_for_update(of=Poll).execution_options(populate_existing=True)
    poll = db.session.scalar(stmt)
    if poll is None:
        raise NotFoundError("No such poll.")
    return poll


def _managed(poll_id: int, by: User, *, lock: bool = False) -> Poll:
    poll = get_poll(poll_id, viewer=by, lock=lock)
    if not manages(by, poll.region):
        raise ForbiddenError("Your role cannot manage this poll.")
    return poll


# --- creating and changing -------------------------------------------------------------------------------


def _region_for(region_id: int, by: User) -> Region:
    region = db.session.get(Region, region_id)
    if region is None:
        raise UnprocessableError(fields={"region_id": ["No such region."]})
    if not manages(by, region):
        raise ForbiddenError("You cannot post polls for this region.")
    return region


def _check_rules(poll: Poll, now: datetime) -> None:
    errors: dict[str, list[str]] = {}
    n = len(poll.options)
    if poll.kind == PollKind.SINGLE:
        poll.max_choices = 1
    elif not 1 <= poll.max_choices <= n:
        errors["max_choices"] = [f"Must be between 1 and the number of options ({n})."]
    if poll.closes_at <= max(poll.opens_at, now):
        errors["closes_at"] = ["Must be after opens_at and in the future."]
    if poll.counting in (Counting.HOUSEHOLD, Counting.OWNERS) and poll.region.level == Level.DISTRICT:
        errors["region_id"] = ["Household and owners' votes are held in a street, community or grid."]
    if poll.counting == Counting.OWNERS and not any(o.approves for o in poll.options):
        # An owners' vote decides a matter: the first option (同意) is the one that approves it.
        poll.options[0].approves = True
    if errors:
        raise UnprocessableError(fields=errors)


def _set_options(poll: Poll, options: list[dict]) -> None:
    poll.options = [
        PollOption(position=i, label=o["label"], approves=o.get("approves", False))
        for i, o in enumerate(options)
    ]


def create_poll(*, by: User, data: dict) -> Poll:
    now = utcnow()
    region = _region_for(data["region_id"], by)
    opens_at = data.get("opens_at") or now
    poll = Poll(
        region=region,
        created_by=by,
        title=data["title"],
        body=data.get("body", ""),
        kind=data["kind"],
        max_choices=data.get("max_choices", 1),
        counting=data["counting"],
        threshold=data["threshold"],
        secrecy=data["secrecy"],
        results=data["results"],
        opens_at=opens_at,
        closes_at=data["closes_at"],
        status=PollStatus.SCHEDULED,
    )
    _set_options(poll, data["options"])
    _check_rules(poll, now)
    db.session.add(poll)
    db.session.flush()
    if poll.opens_at <= now:
        open_poll(poll, now)
    record(by, "poll.create", poll, region_id=region.id, summary=f"Created poll “{poll.title}”")
    return poll


def update_poll(poll_id: int, *, by: User, changes: dict) -> Poll:
    now = utcnow()
    poll = _managed(poll_id, by, lock=True)
    if poll.is_closed(now):
        raise ConflictError("This poll is closed.", code="poll_closed")
    if poll.rules_frozen:
        raise ConflictError(
            "Ballots have been cast: the poll's rules can no longer change.", code="rules_frozen"
        )
    if "region_id" in changes:
        poll.region = _region_for(changes.pop("region_id"), by)
    if "options" in changes:
        _set_options(poll, changes.pop("options"))
    if "opens_at" in changes:
        opens_at = changes.pop("opens_at") or now
        poll.opens_at = opens_at
    for name, value in changes.items():
        setattr(poll, name, value)
    _check_rules(poll, now)
    db.session.flush()
    # Not a ballot yet: the roll is rebuilt under the new rules (or dropped if the opening moved later).
    _clear_roll(poll)
    if poll.opens_at <= now:
        open_poll(poll, now, announce=poll.status != PollStatus.OPEN)
    else:
        poll.status = PollStatus.SCHEDULED
        poll.opened_at = poll.roll_fingerprint = None
    record(by, "poll.update", poll, region_id=poll.region_id, summary=f"Changed poll “{poll.title}”")
    return poll


def _clear_roll(poll: Poll) -> None:
    db.session.execute(sa.delete(RollUser).where(RollUser.poll_id == poll.id))
    db.session.execute(sa.delete(RollEntry).where(RollEntry.poll_id == poll.id))


# --- opening: the frozen roll ----------------------------------------------------------------------------


def open_poll(poll: Poll, now: datetime, *, announce: bool = True) -> None:
    """Freeze the voter roll, publish its fingerprint and totals, and tell the voters."""
    entries, users = roll.build(poll)
    if entries:
        db.session.execute(sa.insert(RollEntry), [{"poll_id": poll.id, **e} for e in entries])
    if users:
        db.session.execute(sa.insert(RollUser), [{"poll_id": poll.id, **u} for u in users])
    poll.roll_fingerprint = chain.roll_fingerprint([(e["voter_key"], e["area"]) for e in entries])
    poll.roll_heads = len(entries)
    poll.roll_area = (
        sum((Decimal(e["area"]) for e in entries), Decimal(0)) if poll.counting == Counting.OWNERS else 0
    )
    poll.chain_head = chain.genesis(poll.id, poll.roll_fingerprint)
    poll.status = PollStatus.OPEN
    poll.opened_at = now
    db.session.flush()
    if announce:
        from app.polls import notify

        notify.opened(poll, [u["user_id"] for u in users])


# --- voting ----------------------------------------------------------------------------------------------


def _check_choices(poll: Poll, option_ids: list[int]) -> list[int]:
    valid = {o.id for o in poll.options}
    chosen = sorted(set(option_ids))
    if len(chosen) != len(option_ids):
        raise UnprocessableError(fields={"option_ids": ["An option is chosen twice."]})
    if not chosen or any(i not in valid for i in chosen):
        raise UnprocessableError(fields={"option_ids": ["Choose among this poll's options."]})
    if len(chosen) > poll.max_choices:
        raise UnprocessableError(fields={"option_ids": [f"Choose at most {poll.max_choices}."]})
    return chosen


def _check_open(poll: Poll, now: datetime) -> None:
    if poll.is_closed(now):
        raise ConflictError("This poll has closed.", code="poll_closed")
    if poll.status == PollStatus.SCHEDULED:
        if poll.opens_at > now:
            raise ConflictError("This poll has not opened yet.", code="poll_not_open")
        open_poll(poll, now)  # due, and the worker has not got to it yet


def _already_voted(voter: PollVoter, poll: Poll, by: User) -> ConflictError:
    if voter.channel == Channel.PAPER:
        reason = "A paper ballot was already entered for this voter."
    elif voter.user_id == by.id:
        reason = "You have already voted."
    elif poll.counting == Counting.HOUSEHOLD:
        reason = "Your household has already voted."
    elif poll.counting == Counting.OWNERS:
        reason = "This owner has already voted (a co-owner or an earlier ballot)."
    else:
        reason = "This voter has already voted in the app."
    return ConflictError(reason, code="already_voted", fields={"channel": [voter.channel.value]})


def _voter(poll: Poll, by: User, channel: Channel, voter_id: int | None) -> tuple[int, RollEntry, int | None]:
    """The voter key the ballot is for, its roll entry, and the user casting it in the app."""
    if channel == Channel.PAPER:
        if voter_id is None:
            raise UnprocessableError(fields={"voter_id": ["Say whose paper ballot this is."]})
        entry = db.session.get(RollEntry, (poll.id, voter_id))
        if entry is None:
            raise NotEligibleError("This voter is not on the poll's roll.")
        return voter_id, entry, None
    key = db.session.scalar(
        sa.select(RollUser.voter_key).where(RollUser.poll_id == poll.id, RollUser.user_id == by.id)
    )
    if key is None:
        raise NotEligibleError()
    return key, db.session.get(RollEntry, (poll.id, key)), by.id


def _lock(poll: Poll) -> Poll:
    # One ballot at a time per poll: the chain needs the previous link. Everything that can be checked
    # without the lock was, so the lock is held only for the two inserts and the update.
    stmt = (
        sa.select(Poll)
        .where(Poll.id == poll.id)
        .with_for_update(of=Poll)
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(stmt)


def cast_ballot(
    poll_id: int,
    option_ids: list[int],
    *,
    by: User,
    channel: Channel = Channel.APP,
    voter_id: int | None = None,
) -> tuple[Poll, PollBallot]:
    """Append one ballot for a voter key: the voter's own (app) or one a worker names (paper)."""
    now = utcnow()
    poll = get_poll(poll_id, viewer=by)
    if channel == Channel.PAPER and not manages(by, poll.region):
        raise ForbiddenError("Only the poll's workers enter paper ballots.")
    if poll.status == PollStatus.SCHEDULED and poll.opens_at <= now:
        poll = _lock(poll)
    _check_open(poll, now)
    key, entry, voter_user = _voter(poll, by, channel, voter_id)
    chosen = _check_choices(poll, option_ids)
    existing = db.session.get(PollVoter, (poll.id, key))
    if existing is not None:
        raise _already_voted(existing, poll, by)
    poll = _lock(poll)
    _check_open(poll, now)  # the worker may have closed it meanwhile
    if poll.ballot_count == 0:
        # Until this first ballot freezes them, the rules (and so the roll and options) could have changed.
        db.session.expire(poll, ["options"])
        key, entry, voter_user = _voter(poll, by, channel, voter_id)
        chosen = _check_choices(poll, option_ids)
    try:
        with first_write_guard():
            db.session.add(
                PollVoter(
                    poll_id=poll.id,
                    voter_key=key,
                    user_id=voter_user,
                    channel=channel,
                    entered_by_id=by.id if channel == Channel.PAPER else None,
                )
            )
            db.session.flush()
    except IntegrityError:
        # Lost a race the row lock did not cover (SQLite): the database kept the first ballot.
        raise ConflictError("This voter has already voted.", code="already_voted") from None
    ballot = _append(poll, chosen, entry.area, channel, key)
    if channel == Channel.PAPER:
        record(
            by,
            "poll.paper_ballot",
            poll,
            region_id=poll.region_id,
            summary=f"Entered a paper ballot for {entry.label} in “{poll.title}”",
            data={"voter_id": key},
        )
    return poll, ballot


def _replay_hash(user: User, key: str) -> str:
    return chain.sha256(f"{user.id}|{key}")


def replayed_receipt(poll_id: int, *, by: User, key: str | None) -> str | None:
    """The receipt a first request with this Idempotency-Key got, if it went through."""
    if key is None:
        return None
    row = db.session.get(PollReplay, (poll_id, _replay_hash(by, key)))
    return row.receipt if row else None


def remember_replay(poll: Poll, ballot: PollBallot, *, by: User, key: str | None) -> None:
    if key is not None:
        db.session.add(PollReplay(poll_id=poll.id, key_hash=_replay_hash(by, key), receipt=ballot.receipt))
        db.session.flush()


def _append(
    poll: Poll, chosen: list[int], area: Decimal, channel: Channel, voter_key: int | None
) -> PollBallot:
    """Add the ballot to the running totals and to the chain; the caller holds the poll's row lock."""
    weight = area if poll.counting == Counting.OWNERS else Decimal(0)
    # In SQL, so the sums never depend on option rows this session read before it took the lock.
    db.session.execute(
        sa.update(PollOption)
        .where(PollOption.poll_id == poll.id, PollOption.id.in_(chosen))
        .values(count=PollOption.count + 1, area=PollOption.area + weight)
        .execution_options(synchronize_session=False)
    )
    for option in poll.options:
        db.session.expire(option, ["count", "area"])
    approves = any(o.approves for o in poll.options if o.id in chosen)
    poll.turnout_area += weight
    if approves:
        poll.approve_heads += 1
        poll.approve_area += weight
    named = poll.secrecy == Secrecy.NAMED
    seq = poll.ballot_count + 1
    nonce = chain.new_nonce()
    digest = chain.digest(poll.id, chosen, weight if named else Decimal(0), nonce)
    receipt = chain.receipt(poll.id, seq, digest)
    prev = poll.chain_head or chain.genesis(poll.id, poll.roll_fingerprint)
    ballot = PollBallot(
        poll_id=poll.id,
        seq=seq,
        receipt=receipt,
        choices=chosen,
        area=weight if named else None,
        channel=channel if named else None,
        voter_key=voter_key if named else None,
        digest=digest,
        nonce=nonce,
        prev_hash=prev,
        hash=chain.link(prev, seq, receipt, digest),
    )
    db.session.add(ballot)
    poll.ballot_count = seq
    poll.chain_head = ballot.hash
    db.session.flush()
    return ballot


# --- results and receipts --------------------------------------------------------------------------------


def compute_result(poll: Poll) -> dict:
    """The result from the running totals: one row per option, however many ballots."""
    options = [counting.Option(o.id, o.label, o.approves) for o in poll.options]
    totals = counting.Totals(
        heads=poll.ballot_count,
        area_cents=counting.cents(poll.turnout_area),
        yes_heads=poll.approve_heads,
        yes_area_cents=counting.cents(poll.approve_area),
        counts={o.id: o.count for o in poll.options},
        areas={o.id: counting.cents(o.area) for o in poll.options},
    )
    return counting.result(
        options,
        totals,
        counting=poll.counting.value,
        threshold=poll.threshold.value,
        eligible_heads=poll.roll_heads,
        eligible_area_cents=counting.cents(poll.roll_area),
    )


def recount(poll: Poll) -> dict:
    """The result counted again from the stored ballots (an audit of the running totals). A secret owners'
    poll's ballots carry no area, so its recount checks the counts and headcounts only."""
    # Grouped in SQL by the choices as stored (sorted ids): a few rows however many ballots; sums exact.
    choices = sa.cast(PollBallot.choices, sa.Text)
    rows = db.session.execute(
        sa.select(choices, sa.func.count(), sa.func.coalesce(sa.func.sum(PollBallot.area), 0))
        .where(PollBallot.poll_id == poll.id)
        .group_by(choices)
    ).all()
    ballots = [counting.Ballot(tuple(json.loads(c)), counting.cents(a), n) for c, n, a in rows]
    options = [counting.Option(o.id, o.label, o.approves) for o in poll.options]
    return counting.tally(
        options,
        ballots,
        counting=poll.counting.value,
        threshold=poll.threshold.value,
        eligible_heads=poll.roll_heads,
        eligible_area_cents=counting.cents(poll.roll_area),
    )


def results(poll_id: int, *, viewer: User) -> tuple[Poll, dict]:
    poll = get_poll(poll_id, viewer=viewer)
    now = utcnow()
    if not poll.results_visible(now):
        raise ResultsHiddenError()
    result = poll.result if poll.status == PollStatus.CLOSED and poll.result else compute_result(poll)
    return poll, result


def receipts(poll_id: int, *, viewer: User, after: int = 0, limit: int = 1000) -> tuple[Poll, list]:
    """The published chain after close: (seq, receipt, digest, hash) in order, from `after`."""
    poll = get_poll(poll_id, viewer=viewer)
    if poll.status != PollStatus.CLOSED:
        raise ConflictError("Receipts are published when the poll closes.", code="poll_not_closed")
    rows = db.session.execute(
        sa.select(PollBallot.seq, PollBallot.receipt, PollBallot.digest, PollBallot.hash)
        .where(PollBallot.poll_id == poll.id, PollBallot.seq > after)
        .order_by(PollBallot.seq)
        .limit(limit + 1)
    ).all()
    return poll, [r._asdict() for r in rows]


def named_ballots(poll_id: int, *, viewer: User) -> list[dict]:
    """Who voted what, for the committee of a named poll once its results may be seen."""
    poll = _managed(poll_id, viewer)
    if poll.secrecy != Secrecy.NAMED:
        raise ForbiddenError("This poll is secret: nobody can see who voted what.", code="poll_secret")
    if not poll.results_visible(utcnow()):
        raise ResultsHiddenError()
    rows = db.session.execute(
        sa.select(
            PollBallot.seq, PollBallot.choices, PollBallot.channel, RollEntry.label, RollEntry.voter_key
        )
        .join(
            RollEntry,
            sa.and_(RollEntry.poll_id == PollBallot.poll_id, RollEntry.voter_key == PollBallot.voter_key),
        )
        .where(PollBallot.poll_id == poll.id)
        .order_by(PollBallot.seq)
    ).all()
    return [
        {"voter_id": r.voter_key, "label": r.label, "option_ids": r.choices, "channel": r.channel.value}
        for r in rows
    ]


def roll_page(poll_id: int, *, viewer: User, after: int, limit: int, q: str | None) -> list:
    """The frozen roll for the poll's workers (paper entry): voter keys, labels and whether each has voted."""
    poll = _managed(poll_id, viewer)
    stmt = (
        sa.select(RollEntry.voter_key, RollEntry.label, RollEntry.area, PollVoter.channel)
        .outerjoin(
            PollVoter,
            sa.and_(PollVoter.poll_id == RollEntry.poll_id, PollVoter.voter_key == RollEntry.voter_key),
        )
        .where(RollEntry.poll_id == poll.id, RollEntry.voter_key > after)
    )
    if q:
        stmt = stmt.where(RollEntry.label.contains(q, autoescape=True))
    rows = db.session.execute(stmt.order_by(RollEntry.voter_key).limit(limit + 1)).all()
    return [
        {
            "voter_id": r.voter_key,
            "label": r.label,
            "area": str(r.area) if poll.counting == Counting.OWNERS else None,
            "voted": r.channel is not None,
            "channel": r.channel.value if r.channel else None,
        }
        for r in rows
    ]


# --- closing, decision, follow-through --------------------------------------------------------------------


def close_poll(poll: Poll, now: datetime) -> None:
    """Compute and store the result, publish it as a notice with the chain head, and announce it."""
    poll.status = PollStatus.CLOSED
    poll.closed_at = now
    poll.result = compute_result(poll)
    db.session.flush()
    from app.polls import notify

    notify.closed(poll)


def decide(poll_id: int, *, by: User, body: str) -> Poll:
    poll = _managed(poll_id, by)
    if poll.status != PollStatus.CLOSED:
        raise ConflictError("The decision follows the close of the poll.", code="poll_not_closed")
    poll.decision, poll.decided_at, poll.decided_by_id = body, utcnow(), by.id
    db.session.flush()
    record(
        by,
        "poll.decision",
        poll,
        region_id=poll.region_id,
        summary=f"Published the decision on “{poll.title}”",
    )
    from app.polls import notify

    notify.decided(poll)
    return poll


def add_followup(poll_id: int, *, by: User, body: str, progress: int) -> PollFollowup:
    poll = _managed(poll_id, by)
    if poll.decision is None:
        raise ConflictError("Publish the decision before following it through.", code="no_decision")
    followup = PollFollowup(poll=poll, body=body, progress=progress, created_by=by)
    db.session.add(followup)
    db.session.flush()
    record(
        by,
        "poll.followup",
        poll,
        region_id=poll.region_id,
        summary=f"Follow-through on “{poll.title}”: {progress}%",
    )
    return followup
