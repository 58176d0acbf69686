"""Participation figures for the dashboard: consultations, opinions and participants by region and period."""

from datetime import datetime

import sqlalchemy as sa

from app.consultations.models import Consultation, ConsultationComment, ConsultationSupport
from app.extensions import db
from app.regions.models import Region


def consultation_figures(region_ids: list[int], start: datetime, end: datetime) -> dict:
    """For consultations in these regions or beneath them, in [start, end) (aware datetimes, UTC):
    `consultations` opened in the period, `opinions` given (top-level, with a stance; replies excluded),
    and `participants`: distinct people who gave an opinion, replied or supported in the period."""
    if not region_ids:
        return {"consultations": 0, "opinions": 0, "participants": 0}
    paths = db.session.scalars(sa.select(Region.path).where(Region.id.in_(region_ids))).all()
    in_regions = sa.select(Consultation.id).where(
        Consultation.region_id.in_(
            sa.select(Region.id).where(
                sa.or_(sa.false(), *[Region.path.startswith(p, autoescape=True) for p in paths])
            )
        )
    )
    consultations = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Consultation)
        .where(Consultation.id.in_(in_regions), Consultation.opened_at >= start, Consultation.opened_at < end)
    )
    comments = sa.and_(
        ConsultationComment.consultation_id.in_(in_regions),
        ConsultationComment.created_at >= start,
        ConsultationComment.created_at < end,
    )
    opinions = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ConsultationComment)
        .where(comments, ConsultationComment.parent_id.is_(None))
    )
    people = sa.union(
        sa.select(ConsultationComment.author_id.label("user_id")).where(comments),
        sa.select(ConsultationSupport.user_id).where(
            ConsultationSupport.consultation_id.in_(in_regions),
            ConsultationSupport.created_at >= start,
            ConsultationSupport.created_at < end,
        ),
    ).subquery()
    participants = db.session.scalar(sa.select(sa.func.count()).select_from(people))
    return {"consultations": consultations, "opinions": opinions, "participants": participants}
