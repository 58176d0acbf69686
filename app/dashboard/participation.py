"""Participation figures the dashboard computes itself (notice read rates, verified residents), and the one
hook where the chat, poll and consultation figures of sibling features are wired in."""

import sqlalchemy as sa

from app.chat.stats import chat_figures
from app.consultations.stats import consultation_figures
from app.core.permissions import Role
from app.dashboard.figures import ratio
from app.dashboard.periods import Period
from app.dashboard.scope import communities_under
from app.extensions import db
from app.notices.models import Notice, NoticeRead
from app.polls.stats import poll_turnout
from app.regions.models import Membership, MembershipStatus, Region, Unit

HOME = sa.func.coalesce(Unit.grid_id, Membership.region_id)


def _residents(*conditions) -> sa.Select:
    return (
        sa.select(Membership.user_id)
        .outerjoin(Unit, Membership.unit_id == Unit.id)
        .join(Region, Region.id == HOME)
        .where(Membership.role == Role.RESIDENT, *conditions)
    )


def verified_residents(region: Region, period: Period) -> dict:
    """Residents living in the region (their unit's grid, or the region they joined): verified now, verified
    during the period, and still waiting for a worker."""
    inside = Region.path.startswith(region.path, autoescape=True)
    active = Membership.status == MembershipStatus.ACTIVE

    def distinct_count(*conditions) -> int:
        users = _residents(inside, *conditions).distinct().subquery()
        return db.session.scalar(sa.select(sa.func.count()).select_from(users)) or 0

    return {
        "total": distinct_count(active),
        "new_in_period": distinct_count(
            active, Membership.decided_at >= period.start, Membership.decided_at < period.end
        ),
        "pending": distinct_count(Membership.status == MembershipStatus.PENDING),
    }


def notice_reads(region: Region, period: Period) -> dict:
    """Notices posted in the region or beneath it and published in the period: reads by verified residents
    ÷ the residents each notice was addressed to (its region's verified residents), summed over notices."""
    notice_region = sa.orm.aliased(Region)
    reads = (
        sa.select(sa.func.count())
        .select_from(NoticeRead)
        .where(
            NoticeRead.notice_id == Notice.id,
            NoticeRead.user_id.in_(
                sa.select(Membership.user_id).where(
                    Membership.role == Role.RESIDENT, Membership.status == MembershipStatus.ACTIVE
                )
            ),
        )
        .scalar_subquery()
    )
    notices = db.session.execute(
        sa.select(Notice.id, notice_region.path, reads.label("reads"))
        .join(notice_region, notice_region.id == Notice.region_id)
        .where(
            notice_region.path.startswith(region.path, autoescape=True),
            Notice.publish_at >= period.start,
            Notice.publish_at < period.end,
            Notice.withdrawn_at.is_(None),
        )
    ).all()
    # Verified residents per home region, once; a notice's audience sums the homes beneath its region.
    homes = db.session.execute(
        _residents(Membership.status == MembershipStatus.ACTIVE)
        .with_only_columns(Region.path, sa.func.count(sa.distinct(Membership.user_id)))
        .where(Region.path.startswith(region.path, autoescape=True))
        .group_by(Region.path)
    ).all()
    audience = sum(count for notice in notices for path, count in homes if path.startswith(notice.path))
    read = sum(notice.reads for notice in notices)
    return {"notices": len(notices), **ratio(min(read, audience), audience)}


def community_ids(region: Region) -> list[int]:
    if region.level.value in ("community", "grid"):
        return [region.id if region.level.value == "community" else region.parent_id]
    return list(db.session.scalars(communities_under(region)))


def _feature_figures(region: Region, period: Period) -> dict:
    """Chat in the region's communities; polls closed and consultation opinions given in the period, in the
    region and beneath it."""
    chat = chat_figures(community_ids(region), period.start, period.end)
    polls = poll_turnout([region.id], period.start, period.end)
    consultations = consultation_figures([region.id], period.start, period.end)
    return shape_feature_figures(chat, polls, consultations)


def shape_feature_figures(chat: dict, polls: dict, consultations: dict) -> dict:
    """The three calls' figures plus the two rates the PWA shows (CSAT, turnout), in the null shape above."""
    csat = chat["csat"]
    csat_rate = None if csat["rated"] is None else ratio(csat["satisfied"] or 0, csat["rated"])["rate"]
    return {
        "chat": {**chat, "csat": {**csat, "rate": csat_rate}},
        "polls": {**polls, "turnout": ratio(polls["ballots"] or 0, polls["eligible"] or 0)["rate"]},
        "consultations": consultations,
    }
