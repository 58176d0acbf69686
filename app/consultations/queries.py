"""Reading consultations for the API: pages of consultations and of opinions with their replies, each in a
fixed number of queries, and the dicts the schemas dump (what each viewer may see of a hidden comment)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.consultations.access import manages, participates, supervised_clause, visible_clause
from app.consultations.models import (
    AWAITING_OUTCOME,
    CommentReport,
    Consultation,
    ConsultationComment,
    ConsultationFollowup,
    ConsultationStatus,
    ConsultationSupport,
    Stance,
)
from app.core.db import utcnow
from app.core.errors import ForbiddenError
from app.core.pagination import SortKey, paginate
from app.extensions import db
from app.uploads.models import Upload
from app.uploads.service import signed_url

ORDER = [SortKey(Consultation.created_at, "created_at"), SortKey(Consultation.id, "id")]
COMMENT_ORDER = [SortKey(ConsultationComment.id, "id")]


def _person(user: User) -> dict:
    return {"id": user.id, "name": user.name}


def summary(c: Consultation, *, viewer: User, supported: bool, now: datetime) -> dict:
    return {
        "id": c.id,
        "title": c.title,
        "body": c.body,
        "status": c.status,
        "region": {"id": c.region.id, "name": c.region.name, "level": c.region.level},
        "author": _person(c.author),
        "closes_at": c.closes_at,
        "outcome_due_at": c.outcome_due_at,
        "opened_at": c.opened_at,
        "closed_at": c.closed_at,
        "outcome": c.outcome,
        "outcome_at": c.outcome_at,
        "overdue": c.is_overdue(now),
        "counts": {
            "for": c.for_count,
            "against": c.against_count,
            "neutral": c.neutral_count,
            "opinions": c.opinion_count,
            "replies": c.reply_count,
            "supports": c.support_count,
        },
        "supported": supported,
        "can_manage": manages(viewer, c),
        "can_participate": participates(viewer, c),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


def list_consultations(
    *,
    viewer: User,
    limit: int,
    cursor: str | None,
    status: list[ConsultationStatus] | None = None,
    region_id: int | None = None,
    overdue: bool = False,
) -> tuple[list[dict], str | None]:
    """Consultations the viewer may see, newest first; `overdue` lists the late outcomes beneath the regions
    where the viewer holds a staff post (the level above's watch list)."""
    now = utcnow()
    stmt = sa.select(Consultation).options(joinedload(Consultation.region), joinedload(Consultation.author))
    if overdue:
        if not any(m.role != "resident" for m in viewer.active_memberships):
            raise ForbiddenError("Only staff see the overdue list.")
        stmt = stmt.where(
            supervised_clause(viewer),
            Consultation.status.in_(AWAITING_OUTCOME),
            Consultation.outcome_due_at <= now,
        )
    else:
        stmt = stmt.where(visible_clause(viewer))
    if status:
        stmt = stmt.where(Consultation.status.in_(status))
    if region_id is not None:
        stmt = stmt.where(Consultation.region_id == region_id)
    rows, next_cursor = paginate(db.session, stmt, ORDER, limit=limit, cursor=cursor)
    supported = _supported_ids(viewer, [c.id for c in rows])
    return [summary(c, viewer=viewer, supported=c.id in supported, now=now) for c in rows], next_cursor


def _supported_ids(viewer: User, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(ConsultationSupport.consultation_id).where(
                ConsultationSupport.user_id == viewer.id, ConsultationSupport.consultation_id.in_(ids)
            )
        )
    )


def _photos(c: Consultation) -> list[dict]:
    uploads = db.session.scalars(
        sa.select(Upload).where(Upload.consultation_id == c.id).order_by(Upload.id)
    ).all()
    return [
        {
            "id": u.id,
            "url": signed_url(u.id),
            "thumb_url": signed_url(u.id, "thumb"),
            "width": u.width,
            "height": u.height,
        }
        for u in uploads
    ]


def _followups(c: Consultation) -> list[dict]:
    """Items, each with its dated updates (oldest first) and the progress of its latest row."""
    rows = db.session.scalars(
        sa.select(ConsultationFollowup)
        .where(ConsultationFollowup.consultation_id == c.id)
        .options(joinedload(ConsultationFollowup.author))
        .order_by(ConsultationFollowup.id)
    ).all()
    items: dict[int, dict] = {}
    for row in rows:
        entry = {
            "id": row.id,
            "body": row.body,
            "progress": row.progress,
            "author": _person(row.author),
            "created_at": row.created_at,
        }
        if row.item_id is None:
            items[row.id] = {**entry, "updated_at": row.created_at, "updates": []}
        elif row.item_id in items:
            item = items[row.item_id]
            item["updates"].append(entry)
            item["progress"], item["updated_at"] = row.progress, row.created_at
    return list(items.values())


def detail(c: Consultation, *, viewer: User) -> dict:
    body = summary(c, viewer=viewer, supported=bool(_supported_ids(viewer, [c.id])), now=utcnow())
    body["photos"] = _photos(c)
    items = _followups(c)
    body["followups"] = items
    body["progress"] = round(sum(i["progress"] for i in items) / len(items)) if items else None
    return body


def comment_view(comment: ConsultationComment, *, viewer: User, staff: bool, reported: bool) -> dict:
    """A hidden comment keeps its place in the stream: its author and staff read it and why it was hidden,
    everyone else reads only that it was hidden."""
    own = comment.author_id == viewer.id
    hidden = comment.hidden_at is not None
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "stance": comment.stance,
        "body": comment.body if not hidden or own or staff else None,
        "official": comment.official,
        "author": _person(comment.author),
        "mine": own,
        "hidden": hidden,
        "hidden_reason": comment.hidden_reason if hidden and (own or staff) else None,
        "report_count": comment.report_count if staff else None,
        "reported": reported,
        "created_at": comment.created_at,
    }


def list_comments(
    c: Consultation, *, viewer: User, limit: int, cursor: str | None, stance: Stance | None = None
) -> tuple[list[dict], str | None]:
    """Opinions newest first, each with all its replies (oldest first): three queries a page."""
    stmt = (
        sa.select(ConsultationComment)
        .where(ConsultationComment.consultation_id == c.id, ConsultationComment.parent_id.is_(None))
        .options(joinedload(ConsultationComment.author))
    )
    if stance is not None:
        stmt = stmt.where(ConsultationComment.stance == stance)
    opinions, next_cursor = paginate(db.session, stmt, COMMENT_ORDER, limit=limit, cursor=cursor)
    replies: dict[int, list[ConsultationComment]] = {o.id: [] for o in opinions}
    if opinions:
        for reply in db.session.scalars(
            sa.select(ConsultationComment)
            .where(ConsultationComment.parent_id.in_(list(replies)))
            .options(joinedload(ConsultationComment.author))
            .order_by(ConsultationComment.id)
        ):
            replies[reply.parent_id].append(reply)
    everything = [*opinions, *(r for rs in replies.values() for r in rs)]
    reported = (
        set(
            db.session.scalars(
                sa.select(CommentReport.comment_id).where(
                    CommentReport.user_id == viewer.id,
                    CommentReport.comment_id.in_([x.id for x in everything]),
                )
            )
        )
        if everything
        else set()
    )
    staff = manages(viewer, c)

    def view(x: ConsultationComment) -> dict:
        return comment_view(x, viewer=viewer, staff=staff, reported=x.id in reported)

    return [{**view(o), "replies": [view(r) for r in replies[o.id]]} for o in opinions], next_cursor
