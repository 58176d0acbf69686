"""Who sees which region's figures: staff see the regions they serve and everything beneath; anything else
is a 404, so a community worker cannot even learn that another community's figures exist."""

import sqlalchemy as sa
from flask import g, has_app_context

from app.auth.models import User
from app.core.errors import NotFoundError
from app.core.permissions import Role, staff_paths
from app.extensions import db
from app.regions.models import Level, Region
from app.reports.models import Report

# Department staff work on the reports handed to them, not on a region's figures; residents see the
# public community page only.
DASHBOARD_ROLES = frozenset(
    {Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMITTEE, Role.STREET_STAFF, Role.ADMIN}
)
LEVEL_ORDER = [Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID]


def home_region(user: User) -> Region:
    """The widest region the user serves: the default of every dashboard call."""
    regions = [m.region for m in user.active_memberships if m.role in DASHBOARD_ROLES]
    if not regions:
        raise NotFoundError("No dashboard for this account.")
    return min(regions, key=lambda r: (r.path.count("/"), r.id))


def visible_region(user: User, region_id: int | None) -> Region:
    if region_id is None:
        return home_region(user)
    region = db.session.get(Region, region_id)
    paths = staff_paths(user, DASHBOARD_ROLES)
    if region is None or not any(region.path.startswith(path) for path in paths):
        raise NotFoundError("No such region.")
    return region


def communities_under(region: Region) -> sa.Select:
    return sa.select(Region.id).where(
        Region.level == Level.COMMUNITY, Region.path.startswith(region.path, autoescape=True)
    )


def report_clause(region: Region) -> sa.ColumnElement[bool]:
    """Reports placed in the region: by grid, by community, or by the communities beneath a street/district.
    The place is where the problem is (grid and community), not who holds it after an escalation."""
    if region.level == Level.GRID:
        return Report.grid_id == region.id
    if region.level == Level.COMMUNITY:
        return Report.community_id == region.id
    if region.parent_id is None:
        return sa.true()  # the root district holds every report
    # The ids as literals, not a subquery: PostgreSQL estimated the path LIKE at one row and then drove the
    # period queries from every report of each community (bench/bench_dashboard.py: 4.8 s instead of ms).
    return Report.community_id.in_(community_ids(region))


def community_ids(region: Region) -> list[int]:
    cache = g.setdefault("_dashboard_communities", {}) if has_app_context() else {}
    if region.id not in cache:
        cache[region.id] = list(db.session.scalars(communities_under(region)))
    return cache[region.id]


def child_level(region: Region) -> Level | None:
    index = LEVEL_ORDER.index(region.level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None
