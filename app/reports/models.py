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
