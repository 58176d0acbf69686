"""Rules for report categories, departments and reports. Functions here flush but never commit.

A report the viewer may not see is a NotFoundError; a move the viewer may not make is a ForbiddenError.
"""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.audit.service import record
from app.auth.models import User
from app.core.errors import ForbiddenError, NotFoundError, UnprocessableError
from app.core.permissions import Role
from app.extensions import db
from app.reports.models import ReportCategory


def is_admin(user: User) -> bool:
    return any(m.role == Role.ADMIN for m in user.active_memberships)


def _admin_region_id(user: User) -> int | None:
    """Where an admin's district-wide edits are audited, so fellow admins can read them."""
    return next((m.region_id for m in user.active_memberships if m.role == Role.ADMIN), None)


# --- categories ------------------------------------------------------------------------------------------


def category_tree(*, viewer: User | None = None, include_inactive: bool = False) -> list[dict]:
    """Subjects with their leaves, in display order, from two queries."""
    if include_inactive and (viewer is None or not is_admin(viewer)):
        raise ForbiddenError("Only admins see deactivated categories.")
    subjects = db.session.scalars(
        sa.select(ReportCategory)
        .where(ReportCategory.parent_id.is_(None))
        .options(selectinload(ReportCategory.children))
        .order_by(ReportCategory.sort_order, ReportCategory.id)
    ).all()
    shown = (lambda c: True) if include_inactive else (lambda c: c.active)
    return [
        {
            **_flat(subject),
            "children": [{**_flat(leaf), "children": []} for leaf in subject.children if shown(leaf)],
        }
        for subject in subjects
        if shown(subject)
    ]


def category_view(category: ReportCategory) -> dict:
    return {**_flat(category), "children": [{**_flat(leaf), "children": []} for leaf in category.children]}


_CATEGORY_FIELDS = (
    "code", "name", "name_en", "icon", "keywords", "default_type", "deadlines",
    "proof_photo_required", "is_public", "active",
)  # fmt: skip


def _flat(category: ReportCategory) -> dict:
    """The category's own fields; its children are listed by the caller, so no lazy load fires per leaf."""
    return {name: getattr(category, name) for name in _CATEGORY_FIELDS}


def get_category(code: str) -> ReportCategory:
    category = db.session.scalar(sa.select(ReportCategory).where(ReportCategory.code == code))
    if category is None:
        raise NotFoundError("No such category.")
    return category


def get_leaf_category(code: str, *, field: str = "category") -> ReportCategory:
    """The active leaf a report is filed under; anything else is a validation error on `field`."""
    category = db.session.scalar(sa.select(ReportCategory).where(ReportCategory.code == code))
    if category is None or not category.active or not category.is_leaf:
        raise UnprocessableError(fields={field: ["Choose an active category from /report-categories."]})
    return category


def update_category(code: str, changes: dict, *, by: User) -> ReportCategory:
    """Admins edit names, flags and deadlines; reports already filed keep the deadlines they were given."""
    if not is_admin(by):
        raise ForbiddenError("Only admins edit categories.")
    category = get_category(code)
    before = {"deadlines": category.deadlines, "active": category.active}
    deadlines = changes.pop("deadlines", None)
    if deadlines is not None:
        if not category.is_leaf:
            raise UnprocessableError(fields={"deadlines": ["Only leaf categories carry deadlines."]})
        merged = {**category.deadlines, **deadlines}
        if max(merged["dispatch_minutes"], merged["contact_minutes"]) > merged["resolve_minutes"]:
            raise UnprocessableError(
                fields={"deadlines": ["Signing for and first contact must be due no later than resolution."]}
            )
        for key, value in merged.items():
            setattr(category, key, value)
    for key, value in changes.items():
        setattr(category, key, value)
    db.session.flush()
    record(
        by,
        "report_category.update",
        category,
        region_id=_admin_region_id(by),
        summary=f"Edited report category {category.code} ({category.name})",
        data={"before": before, "after": {"deadlines": category.deadlines, "active": category.active}},
    )
    return category


# --- attachments -----------------------------------------------------------------------------------------


def can_view_upload_of_report(upload, user: User) -> bool:
    """Images attached to a report are seen by whoever may see the report."""
    return False
