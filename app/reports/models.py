"""Report categories (type axis + subject tree, with deadlines), departments, and their staff."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.regions.models import Region


class ReportType(StrEnum):
    """The hotline type axis, independent of the subject: 咨询 求助 投诉 举报 建议."""

    CONSULTATION = "consultation"
    HELP = "help"
    COMPLAINT = "complaint"
    REPORT = "report"
    SUGGESTION = "suggestion"


TYPE_NAMES = {
    ReportType.CONSULTATION: ("咨询", "Consultation"),
    ReportType.HELP: ("求助", "Request for help"),
    ReportType.COMPLAINT: ("投诉", "Complaint"),
    ReportType.REPORT: ("举报", "Report of wrongdoing"),
    ReportType.SUGGESTION: ("建议", "Suggestion"),
}


class ReportCategory(db.Model):
    """A subject (no parent) or a leaf under one; reports are filed under leaves, which carry deadlines."""

    __tablename__ = "report_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report_categories.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    name_en: Mapped[str] = mapped_column(sa.String(80))
    icon: Mapped[str | None] = mapped_column(sa.String(40))
    keywords: Mapped[str] = mapped_column(sa.String(200), default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    default_type: Mapped[ReportType] = mapped_column(str_enum(ReportType, 16), default=ReportType.HELP)
    # Leaves only: minutes from submission to sign-for (签收), first contact and resolution (办结).
    dispatch_minutes: Mapped[int | None] = mapped_column()
    contact_minutes: Mapped[int | None] = mapped_column()
    resolve_minutes: Mapped[int | None] = mapped_column()
    # A fix must be proven with a photo; a dispute or an answered question cannot be photographed.
    proof_photo_required: Mapped[bool] = mapped_column(default=True)
    # Private subjects (neighbour disputes) stay off the public map and out of Open311 listings.
    is_public: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped["ReportCategory | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["ReportCategory"]] = relationship(
        back_populates="parent", order_by="ReportCategory.sort_order, ReportCategory.id"
    )

    @property
    def is_leaf(self) -> bool:
        return self.parent_id is not None

    @property
    def deadlines(self) -> dict | None:
        if not self.is_leaf:
            return None
        return {
            "dispatch_minutes": self.dispatch_minutes,
            "contact_minutes": self.contact_minutes,
            "resolve_minutes": self.resolve_minutes,
        }


class Department(db.Model):
    """A functional department (城管, 消防, 安监…) a street or district can whistle (吹哨) into a report."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    name_en: Mapped[str] = mapped_column(sa.String(80))
    # The region it serves (normally the district); its staff hold a department_staff membership there.
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    region: Mapped[Region] = relationship()


class DepartmentMember(db.Model):
    """Which department a department_staff user works for; the membership gives the role, this the unit."""

    __tablename__ = "department_members"

    department_id: Mapped[int] = mapped_column(
        sa.ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department] = relationship()
    user: Mapped[User] = relationship()


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"  # waiting for someone to sign for it (签收)
    ACCEPTED = "accepted"  # signed for
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"  # 办结: waiting for the resident's rating
    CLOSED = "closed"
    REJECTED = "rejected"  # not accepted, with a reason


OPEN_STATUSES = frozenset({ReportStatus.SUBMITTED, ReportStatus.ACCEPTED, ReportStatus.IN_PROGRESS})


class WarningLevel(StrEnum):
    NONE = "none"
    YELLOW = "yellow"  # 75 % of the current deadline has passed
    RED = "red"  # the deadline has passed: escalated one level up


WARNING_RANK = {WarningLevel.NONE: 0, WarningLevel.YELLOW: 1, WarningLevel.RED: 2}


class Channel(StrEnum):
    APP = "app"
    PATROL = "patrol"  # logged by a grid worker on patrol, usually fixed on the spot
    OPEN311 = "open311"


class Report(db.Model):
    """A resident's report as a work order: routed to a grid, held to deadlines, escalated, rated."""

    __tablename__ = "reports"
    __table_args__ = (
        # A retried submit finds the first report instead of adding one (NULL reporters never collide).
        sa.UniqueConstraint("reporter_id", "idempotency_key"),
        # Every list is one of these, newest first, so deep pages cost what page 1 costs.
        sa.Index("ix_reports_community_list", "community_id", "created_at", "id"),
        sa.Index("ix_reports_grid_list", "grid_id", "created_at", "id"),
        sa.Index("ix_reports_reporter_list", "reporter_id", "created_at", "id"),
        sa.Index("ix_reports_assignee_list", "assignee_id", "created_at", "id"),
        sa.Index("ix_reports_department_list", "department_id", "created_at", "id"),
        sa.Index("ix_reports_position", "lat", "lng"),
        # The deadline worker's one query: reports whose warning may change by now.
        sa.Index(
            "ix_reports_next_check",
            "next_check_at",
            postgresql_where=sa.text("next_check_at IS NOT NULL"),
            sqlite_where=sa.text("next_check_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("report_categories.id"), index=True)
    type: Mapped[ReportType] = mapped_column(str_enum(ReportType, 16))
    description: Mapped[str] = mapped_column(sa.Text)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lng: Mapped[float | None] = mapped_column(sa.Float)
    address: Mapped[str | None] = mapped_column(sa.String(200))
    photo_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Hide the reporter's name from other residents; staff still see who reported it.
    anonymous: Mapped[bool] = mapped_column(default=False)
    # Shown on the public map and in Open311 listings (not for private subjects or 举报 reports).
    public: Mapped[bool] = mapped_column(default=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 16), default=Channel.APP)
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(80))
    # Who to call back when the report came from a partner system (Open311) rather than an account.
    contact: Mapped[dict | None] = mapped_column(sa.JSON)
    media_url: Mapped[str | None] = mapped_column(sa.String(500))

    # Routing: where it is (by polygon, or the community the resident chose) and who holds it now.
    grid_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus, 16), default=ReportStatus.SUBMITTED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_note: Mapped[str | None] = mapped_column(sa.Text)

    # The deadlines this report was given (category values at submission; later edits do not move them).
    dispatch_minutes: Mapped[int] = mapped_column()
    contact_minutes: Mapped[int] = mapped_column()
    resolve_minutes: Mapped[int] = mapped_column()
    dispatch_due: Mapped[datetime] = mapped_column(UTCDateTime)
    contact_due: Mapped[datetime] = mapped_column(UTCDateTime)
    resolve_due: Mapped[datetime] = mapped_column(UTCDateTime)
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_minutes: Mapped[int] = mapped_column(default=0)
    # The deadline now running (see deadlines.py), the warning raised against it, and when to look again.
    due_kind: Mapped[str | None] = mapped_column(sa.String(16))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warning: Mapped[WarningLevel] = mapped_column(str_enum(WarningLevel, 8), default=WarningLevel.NONE)
    warning_key: Mapped[str | None] = mapped_column(sa.String(64))
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    resolution_round: Mapped[int] = mapped_column(default=0)
    redo_count: Mapped[int] = mapped_column(default=0)
    supervised: Mapped[bool] = mapped_column(default=False)  # 督办
    me_too_count: Mapped[int] = mapped_column(default=0)
    # The latest rating's verdict, copied here by rate_report so the dashboard counts a period's ratings in
    # the same pass over reports as its other figures (no join of every rating to its report). The ratings
    # table stays the record; these are NULL until the first rating.
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rated_resolved: Mapped[bool | None] = mapped_column()
    rated_satisfaction: Mapped[int | None] = mapped_column()
    # Optimistic lock: the deadline worker and a worker's move never overwrite each other silently.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    category: Mapped[ReportCategory] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    grid: Mapped[Region | None] = relationship(foreign_keys=[grid_id])
    community: Mapped[Region] = relationship(foreign_keys=[community_id])
    region: Mapped[Region] = relationship(foreign_keys=[region_id])
    department: Mapped[Department | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ReportEvent(db.Model):
    """One timeline entry: a workflow move, a rating, or a system step (submit, route, warn, escalate)."""

    __tablename__ = "report_events"
    __table_args__ = (sa.Index("ix_report_events_timeline", "report_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(sa.String(24))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus, 16))
    note: Mapped[str | None] = mapped_column(sa.Text)
    photo_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    data: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class ReportRating(db.Model):
    """The reporter's verdict on one resolution (round): resolved or not, and satisfaction 1–5."""

    __tablename__ = "report_ratings"
    __table_args__ = (sa.UniqueConstraint("report_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column()
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    resolved: Mapped[bool] = mapped_column()
    satisfaction: Mapped[int] = mapped_column()
    comment: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the report's next rating (after a redo) was given; NULL while this is the report's latest rating.
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReportSupport(db.Model):
    """ "Me too": another resident has the same problem; one per user and report."""

    __tablename__ = "report_supports"

    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
