"""Rules for consultations: posting and editing, the lifecycle, opinions and replies, supports, abuse reports,
hiding, the outcome and its follow-through. Functions here flush but never commit; a consultation the
viewer may not see is a NotFoundError."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.audit.service import record
from app.auth.models import User
from app.consultations.access import SUPERVISOR_ROLES, can_view, manages, participates
from app.consultations.models import (
    AWAITING_OUTCOME,
    MOVES,
    CommentReport,
    Consultation,
    ConsultationComment,
    ConsultationFollowup,
    ConsultationStatus,
    ConsultationSupport,
    Stance,
)
from app.core.db import utcnow
from app.core.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from app.core.unique import first_write_guard
from app.extensions import db
from app.push.models import PushKind
from app.push.service import notify_region, notify_users
from app.regions.models import Membership, MembershipStatus, Region
from app.uploads.models import Upload
from app.uploads.service import unattached

STANCE_COUNTER = {Stance.FOR: "for_count", Stance.AGAINST: "against_count", Stance.NEUTRAL: "neutral_count"}
EDITABLE = ("title", "body", "closes_at", "outcome_due_at")
MOVE_WORDS = {"open": "Opened", "close": "Closed"}


# --- reading -----------------------------------------------------------------------------------------------


def get_consultation(consultation_id: int, *, viewer: User, for_update: bool = False) -> Consultation:
    stmt = sa.select(Consultation).where(Consultation.id == consultation_id)
    if for_update and db.session.get_bind().dialect.name == "postgresql":
        # Lifecycle moves read then write the status; the row lock keeps two of them from crossing.
        stmt = stmt.with_for_update(of=Consultation)
    consultation = db.session.scalar(stmt)
    if consultation is None or not can_view(viewer, consultation):
        raise NotFoundError("Consultation not found.")
    return consultation


def _managed(consultation_id: int, by: User) -> Consultation:
    """404 if the user cannot see it, 403 if they see it but do not run it."""
    consultation = get_consultation(consultation_id, viewer=by, for_update=True)
    if not manages(by, consultation):
        raise ForbiddenError("Only the committee and workers of this region may do this.")
    return consultation


def can_view_upload_of_consultation(upload: Upload, user: User) -> bool:
    consultation = db.session.get(Consultation, upload.consultation_id)
    return consultation is not None and can_view(user, consultation)


# --- posting and editing -----------------------------------------------------------------------------------


def _check_dates(closes_at: datetime, outcome_due_at: datetime, *, now: datetime, opening: bool) -> None:
    if opening and closes_at <= now:
        raise UnprocessableError(fields={"closes_at": ["Must be in the future."]})
    if outcome_due_at < closes_at:
        raise UnprocessableError(fields={"outcome_due_at": ["Must not be before closes_at."]})


def _attach_photos(consultation: Consultation, photo_ids: list[int], *, by: User) -> None:
    """Claims the caller's own unattached uploads, in one conditional update (no photo is claimed twice)."""
    if not photo_ids:
        return
    if len(set(photo_ids)) != len(photo_ids):
        raise UnprocessableError(fields={"photo_ids": ["Each photo once, from your own uploads."]})
    result = db.session.execute(
        sa.update(Upload)
        .where(Upload.id.in_(photo_ids), Upload.owner_id == by.id, unattached())
        .values(consultation_id=consultation.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != len(photo_ids):
        raise UnprocessableError(
            fields={"photo_ids": ["Use ids from POST /uploads: your own, not used elsewhere."]}
        )


def create_consultation(
    *,
    by: User,
    region_id: int,
    title: str,
    body: str,
    closes_at: datetime,
    outcome_due_at: datetime,
    photo_ids: list[int] | None = None,
    open: bool = False,
    now: datetime | None = None,
) -> Consultation:
    now = now or utcnow()
    region = db.session.get(Region, region_id)
    if region is None:
        raise UnprocessableError(fields={"region_id": ["No such region."]})
    consultation = Consultation(
        region=region,
        author=by,
        title=title.strip(),
        body=body.strip(),
        closes_at=closes_at,
        outcome_due_at=outcome_due_at,
        status=ConsultationStatus.DRAFT,
        created_at=now,
    )
    if not manages(by, consultation):
        raise ForbiddenError("You cannot post consultations for this region.")
    _check_dates(closes_at, outcome_due_at, now=now, opening=True)
    db.session.add(consultation)
    db.session.flush()
    _attach_photos(consultation, list(photo_ids or []), by=by)
    record(
        by,
        "consultation.create",
        consultation,
        region_id=region.id,
        summary=f"Posted consultation “{consultation.title}”",
        data={"closes_at": closes_at.isoformat(), "outcome_due_at": outcome_due_at.isoformat()},
    )
    if open:
        _move(consultation, "open", by=by, now=now)
    return consultation


def update_consultation(consultation_id: int, *, by: User, changes: dict) -> Consultation:
    consultation = _managed(consultation_id, by)
    if consultation.status not in (ConsultationStatus.DRAFT, ConsultationStatus.OPEN):
        raise ConflictError("A closed consultation can no longer be edited.", code="consultation_closed")
    closes_at = changes.get("closes_at", consultation.closes_at)
    due = changes.get("outcome_due_at", consultation.outcome_due_at)
    _check_dates(closes_at, due, now=utcnow(), opening="closes_at" in changes)
    changed = [name for name in EDITABLE if name in changes and getattr(consultation, name) != changes[name]]
    for name in changed:
        setattr(consultation, name, changes[name])
    if "photo_ids" in changes:
        current = set(
            db.session.scalars(sa.select(Upload.id).where(Upload.consultation_id == consultation.id))
        )
        wanted = list(changes["photo_ids"])
        dropped = current - set(wanted)
        if dropped:
            # Detached photos become orphans again; the hourly upload purge removes them.
            db.session.execute(
                sa.update(Upload).where(Upload.id.in_(sorted(dropped))).values(consultation_id=None)
            )
        _attach_photos(consultation, [i for i in wanted if i not in current], by=by)
        if dropped or set(wanted) - current:
            changed.append("photo_ids")
    if changed:
        db.session.flush()
        record(
            by,
            "consultation.update",
            consultation,
            region_id=consultation.region_id,
            summary=f"Edited consultation “{consultation.title}” ({', '.join(changed)})",
            data={"fields": changed},
        )
    return consultation


# --- lifecycle ---------------------------------------------------------------------------------------------


def _move(consultation: Consultation, action: str, *, by: User | None, now: datetime) -> None:
    sources, target = MOVES[action]
    if consultation.status not in sources:
        raise ConflictError(
            f"A consultation that is {consultation.status} cannot {action}.", code="invalid_transition"
        )
    if action == "open":
        _check_dates(consultation.closes_at, consultation.outcome_due_at, now=now, opening=True)
        consultation.opened_at = now
    else:
        consultation.closed_at = now
    consultation.status = target
    db.session.flush()
    record(
        by,
        f"consultation.{action}",
        consultation,
        region_id=consultation.region_id,
        summary=f"{MOVE_WORDS[action]} consultation “{consultation.title}”",
    )


def transition(consultation_id: int, action: str, *, by: User, now: datetime | None = None) -> Consultation:
    consultation = _managed(consultation_id, by)
    _move(consultation, action, by=by, now=now or utcnow())
    return consultation


def close_due(now: datetime) -> int:
    """Close every open consultation whose closes_at has come (the worker's job); returns how many. One
    conditional update, so a consultation closed by hand meanwhile is left alone."""
    result = db.session.execute(
        sa.update(Consultation)
        .where(Consultation.status == ConsultationStatus.OPEN, Consultation.closes_at <= now)
        .values(status=ConsultationStatus.CLOSED, closed_at=Consultation.closes_at, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# --- opinions, replies, supports, reports ------------------------------------------------------------------


def _require_open(consultation: Consultation) -> None:
    if consultation.status != ConsultationStatus.OPEN:
        raise ConflictError("This consultation is not open for opinions.", code="consultation_not_open")


def add_comment(
    consultation_id: int, *, by: User, body: str, stance: Stance | None = None, parent_id: int | None = None
) -> ConsultationComment:
    """An opinion needs a stance; a reply answers an opinion (never a reply: one level deep). Residents of
    the region speak for themselves; the region's staff speak officially."""
    consultation = get_consultation(consultation_id, viewer=by)
    official = manages(by, consultation)
    if not official and not participates(by, consultation):
        raise ForbiddenError("Only verified residents of this region may give opinions.", code="not_eligible")
    _require_open(consultation)
    if parent_id is not None:
        parent = db.session.get(ConsultationComment, parent_id)
        if parent is None or parent.consultation_id != consultation.id:
            raise UnprocessableError(fields={"parent_id": ["No such opinion in this consultation."]})
        if parent.parent_id is not None:
            raise UnprocessableError(fields={"parent_id": ["Replies go one level deep: answer the opinion."]})
    elif stance is None:
        raise UnprocessableError(fields={"stance": ["An opinion says for, against or neutral."]})
    comment = ConsultationComment(
        consultation_id=consultation.id,
        parent_id=parent_id,
        author=by,
        stance=stance,
        body=body.strip(),
        official=official,
    )
    db.session.add(comment)
    counter = "reply_count" if parent_id is not None else STANCE_COUNTER[stance]
    # An SQL increment, so simultaneous opinions do not overwrite each other's count.
    setattr(consultation, counter, getattr(Consultation, counter) + 1)
    db.session.flush()
    return comment


def support(consultation_id: int, *, by: User) -> tuple[Consultation, bool]:
    """One support per resident, enforced by the primary key; a repeat changes nothing. Returns (consultation,
    counted now)."""
    consultation = get_consultation(consultation_id, viewer=by)
    if not participates(by, consultation):
        raise ForbiddenError("Only verified residents of this region may support it.", code="not_eligible")
    _require_open(consultation)
    try:
        with first_write_guard():
            db.session.add(ConsultationSupport(consultation_id=consultation.id, user_id=by.id))
            db.session.flush()
    except IntegrityError:
        return get_consultation(consultation_id, viewer=by), False
    consultation.support_count = Consultation.support_count + 1
    db.session.flush()
    return consultation, True


def _comment_of(consultation: Consultation, comment_id: int) -> ConsultationComment:
    comment = db.session.get(ConsultationComment, comment_id)
    if comment is None or comment.consultation_id != consultation.id:
        raise NotFoundError("Comment not found.")
    return comment


def report_comment(
    consultation_id: int, comment_id: int, *, by: User, reason: str | None = None
) -> tuple[ConsultationComment, bool]:
    """Flag an abusive comment, once per person; returns (comment, counted now)."""
    consultation = get_consultation(consultation_id, viewer=by)
    comment = _comment_of(consultation, comment_id)
    if comment.author_id == by.id:
        raise ConflictError("This is your own comment.", code="own_comment")
    try:
        with first_write_guard():
            db.session.add(CommentReport(comment_id=comment.id, user_id=by.id, reason=reason))
            db.session.flush()
    except IntegrityError:
        consultation = get_consultation(consultation_id, viewer=by)
        return _comment_of(consultation, comment_id), False
    comment.report_count = ConsultationComment.report_count + 1
    db.session.flush()
    return comment, True


def hide_comment(consultation_id: int, comment_id: int, *, by: User, reason: str) -> ConsultationComment:
    """Staff hide a comment with a reason: the author reads why, others a placeholder; the audit log keeps
    who hid what, when and why."""
    consultation = _managed(consultation_id, by)
    comment = _comment_of(consultation, comment_id)
    if comment.hidden_at is not None:
        raise ConflictError("This comment is already hidden.", code="already_hidden")
    comment.hidden_at = utcnow()
    comment.hidden_by_id = by.id
    comment.hidden_reason = reason.strip()
    db.session.flush()
    record(
        by,
        "consultation.hide_comment",
        comment,
        region_id=consultation.region_id,
        summary=f"Hid a comment on “{consultation.title}”: {comment.hidden_reason}",
        data={
            "consultation_id": consultation.id,
            "author_id": comment.author_id,
            "reason": comment.hidden_reason,
            "body": comment.body,
        },
    )
    return comment


# --- outcome and follow-through ----------------------------------------------------------------------------


def publish_outcome(
    consultation_id: int, *, by: User, body: str, now: datetime | None = None
) -> Consultation:
    """The committee's answer: closes an open consultation, and is pushed to the region's residents."""
    now = now or utcnow()
    consultation = _managed(consultation_id, by)
    if consultation.status == ConsultationStatus.DRAFT:
        raise ConflictError("Open the consultation before answering it.", code="consultation_not_open")
    if consultation.status == ConsultationStatus.OUTCOME_PUBLISHED:
        raise ConflictError("The outcome is already published.", code="outcome_published")
    if consultation.status == ConsultationStatus.OPEN:
        consultation.closed_at = now
    consultation.status = ConsultationStatus.OUTCOME_PUBLISHED
    consultation.outcome = body.strip()
    consultation.outcome_at = now
    consultation.outcome_by_id = by.id
    db.session.flush()
    record(
        by,
        "consultation.outcome",
        consultation,
        region_id=consultation.region_id,
        summary=f"Published the outcome of “{consultation.title}”",
        data={"late": consultation.outcome_due_at < now},
    )
    notify_region(
        consultation.region_id,
        PushKind.CONSULTATION_OUTCOME,
        title=f"议事结果：{consultation.title}",
        body=consultation.outcome,
        url=f"/discuss/{consultation.id}",
        tag=f"consultation-{consultation.id}",
        ref=f"consultation:{consultation.id}",
    )
    return consultation


def add_followup(
    consultation_id: int, *, by: User, body: str, progress: int, item_id: int | None = None
) -> ConsultationFollowup:
    """A new follow-through item, or (with item_id) a dated update of one with its progress now."""
    consultation = _managed(consultation_id, by)
    if consultation.status != ConsultationStatus.OUTCOME_PUBLISHED:
        raise ConflictError("Follow-through comes after the outcome.", code="no_outcome")
    if item_id is not None:
        item = db.session.get(ConsultationFollowup, item_id)
        if item is None or item.consultation_id != consultation.id or item.item_id is not None:
            raise UnprocessableError(fields={"item_id": ["No such follow-through item here."]})
    followup = ConsultationFollowup(
        consultation_id=consultation.id, item_id=item_id, author=by, body=body.strip(), progress=progress
    )
    db.session.add(followup)
    db.session.flush()
    record(
        by,
        "consultation.followup",
        consultation,
        region_id=consultation.region_id,
        summary=f"Follow-through on “{consultation.title}”: {progress}%",
        data={"followup_id": followup.id, "item_id": item_id, "progress": progress},
    )
    return followup


# --- the level above ---------------------------------------------------------------------------------------


def _supervisors(region: Region) -> list[int]:
    """Staff posted at the parent region (the district's own staff for a district-wide consultation)."""
    target = region.parent_id or region.id
    return list(
        db.session.scalars(
            sa.select(Membership.user_id).where(
                Membership.region_id == target,
                Membership.role.in_(sorted(SUPERVISOR_ROLES)),
                Membership.status == MembershipStatus.ACTIVE,
            )
        )
    )


def flag_overdue(now: datetime, *, batch: int = 200) -> int:
    """Flag consultations whose outcome is past due and tell the staff of the level above, once each.
    Returns how many were flagged; the worker commits with its own mark."""
    stmt = (
        sa.select(Consultation)
        .where(
            Consultation.status.in_(AWAITING_OUTCOME),
            Consultation.outcome_due_at <= now,
            Consultation.overdue_at.is_(None),
        )
        .order_by(Consultation.outcome_due_at, Consultation.id)
        .limit(batch)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Consultation, skip_locked=True)
    flagged = db.session.scalars(stmt).all()
    for consultation in flagged:
        consultation.overdue_at = now
        due = consultation.outcome_due_at
        record(
            None,
            "consultation.overdue",
            consultation,
            region_id=consultation.region.parent_id or consultation.region_id,
            summary=f"Outcome of “{consultation.title}” is overdue (due {due:%Y-%m-%d})",
        )
        notify_users(
            _supervisors(consultation.region),
            PushKind.STAFF_DEADLINE,
            title="议事结果逾期未公布",
            body=f"{consultation.region.name}：{consultation.title}",
            url=f"/discuss/{consultation.id}",
            tag=f"consultation-{consultation.id}-overdue",
            ref=f"consultation:{consultation.id}",
        )
    db.session.flush()
    return len(flagged)
