"""Rules for regions, units and memberships. Functions here flush but never commit."""

import re

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager, joinedload

from app.audit.service import record
from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import BadRequestError, ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from app.core.permissions import MEMBERSHIP_ROLES, STAFF_ROLES, UNIT_ROLES, Role, serves, staff_paths
from app.extensions import db
from app.regions import units_csv
from app.regions.locator import locate_grid
from app.regions.models import CHILD_LEVEL, Level, Membership, MembershipStatus, Region, Unit


def _bbox(boundary: dict | None) -> dict:
    if not boundary:
        return {"min_lat": None, "max_lat": None, "min_lng": None, "max_lng": None}
    from shapely.geometry import shape

    min_lng, min_lat, max_lng, max_lat = shape(boundary).bounds
    return {"min_lat": min_lat, "max_lat": max_lat, "min_lng": min_lng, "max_lng": max_lng}


def create_region(
    *, name: str, level: Level, parent: Region | None = None, boundary: dict | None = None
) -> Region:
    if parent is None and level != Level.DISTRICT:
        raise BadRequestError("Only a district may have no parent.")
    if parent is not None and CHILD_LEVEL.get(parent.level) != level:
        raise BadRequestError(f"A {parent.level} cannot contain a {level}.")
    region = Region(name=name, level=level, parent=parent, boundary=boundary, **_bbox(boundary))
    db.session.add(region)
    db.session.flush()
    region.path = f"{parent.path if parent else '/'}{region.id}/"
    db.session.flush()
    return region


def subtree(region: Region) -> sa.Select:
    return sa.select(Region).where(Region.path.startswith(region.path))


# --- the public tree -------------------------------------------------------------------------------------

_TREE_COLUMNS = (Region.id, Region.parent_id, Region.name, Region.level, Region.path, Region.boundary)


def _build_tree(rows, root_id: int | None = None) -> list[dict]:
    """Nests rows ordered by path: a parent's path is a prefix of its children's, so it always comes first."""
    nodes: dict[int, dict] = {}
    roots: list[dict] = []
    for row in rows:
        node = {
            "id": row.id,
            "parent_id": row.parent_id,
            "name": row.name,
            "level": row.level,
            "children": [],
        }
        if row.level == Level.GRID:
            node["boundary"] = row.boundary
        nodes[row.id] = node
        parent = nodes.get(row.parent_id) if row.id != root_id else None
        (parent["children"] if parent is not None else roots).append(node)
    # Path order is textual ("/1/10/" < "/1/2/"); siblings read better in creation order.
    for node in nodes.values():
        node["children"].sort(key=lambda child: child["id"])
    roots.sort(key=lambda node: node["id"])
    return roots


def region_tree() -> list[dict]:
    """Every region, nested, from one query."""
    rows = db.session.execute(sa.select(*_TREE_COLUMNS).order_by(Region.path)).all()
    return _build_tree(rows)


def region_subtree(region_id: int) -> dict:
    """One region with all its descendants, also from one query."""
    root_path = sa.select(Region.path).where(Region.id == region_id).scalar_subquery()
    rows = db.session.execute(
        sa.select(*_TREE_COLUMNS).where(Region.path.startswith(root_path)).order_by(Region.path)
    ).all()
    if not rows:
        raise NotFoundError("No such region.")
    return _build_tree(rows, root_id=region_id)[0]


def get_region(region_id: int, *, level: Level | None = None) -> Region:
    region = db.session.get(Region, region_id)
    if region is None or (level is not None and region.level != level):
        raise NotFoundError(f"No such {level or 'region'}.")
    return region


def locate(lat: float, lng: float) -> dict[str, Region | None]:
    """The grid containing the point, and the community, street and district above it."""
    found = locate_grid(lat, lng)
    if found is None:
        raise NotFoundError("No grid contains this point.")
    grid = db.session.get(Region, found[0])
    if grid is None:  # deleted since the index was built
        raise NotFoundError("No grid contains this point.")
    chain = db.session.scalars(sa.select(Region).where(Region.id.in_(grid.ancestor_ids)))
    by_level = {region.level: region for region in chain}
    return {
        "grid": grid,
        "community": by_level.get(Level.COMMUNITY),
        "street": by_level.get(Level.STREET),
        "district": by_level.get(Level.DISTRICT),
    }


# --- who may do what where -------------------------------------------------------------------------------


def _staff_near(user: User, region: Region) -> bool:
    """Holds a staff post in, above or beneath `region`: such a user knows its staff data exists."""
    return any(
        m.role in STAFF_ROLES
        and (region.path.startswith(m.region.path) or m.region.path.startswith(region.path))
        for m in user.active_memberships
    )


def _deny(user: User, region: Region, message: str):
    """Staff of the region learn that their role is not enough; everyone else learns nothing."""
    if _staff_near(user, region):
        raise ForbiddenError(message)
    raise NotFoundError()


def require_role(user: User, region: Region, roles, message: str) -> None:
    if not serves(user, region, roles):
        _deny(user, region, message)


# --- units -----------------------------------------------------------------------------------------------

_LIKE_ESCAPE = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_"})


def sees_floor_area(viewer: User, community: Region) -> bool:
    return serves(viewer, community, STAFF_ROLES)


def list_units(community: Region, *, q: str | None = None) -> sa.Select:
    """Any signed-in user may list the register: residents pick their unit when applying."""
    stmt = sa.select(Unit).where(Unit.community_id == community.id)
    for word in (q or "").split():
        # People type "3栋 2单元 302"; the suffixes are how the label spells them, not part of the value.
        word = re.sub(r"(栋|号楼|单元|室|号)$", "", word) or word
        pattern = f"%{word.translate(_LIKE_ESCAPE)}%"
        stmt = stmt.where(
            sa.or_(*(col.ilike(pattern, escape="\\") for col in (Unit.building, Unit.entrance, Unit.room)))
        )
    return stmt


def check_can_import_units(community: Region, *, by: User) -> None:
    """Called before the upload is read, so outsiders learn nothing from size or format errors."""
    require_role(by, community, UNIT_ROLES, "Your role cannot import units.")


def import_units(community: Region, raw: bytes, *, by: User) -> dict:
    """Creates or updates the register from CSV, all or nothing; one audit entry for the whole file."""
    check_can_import_units(community, by=by)
    rows, errors = units_csv.parse(units_csv.decode(raw))
    grids = db.session.execute(
        sa.select(Region.id, Region.name).where(Region.parent_id == community.id, Region.level == Level.GRID)
    ).all()
    grid_by_ref = {g.name: g.id for g in grids} | {str(g.id): g.id for g in grids}
    for row in rows:
        if row.grid and row.grid not in grid_by_ref:
            errors.setdefault(str(row.line), []).append(f"No grid {row.grid!r} in {community.name}.")
    if errors:
        raise units_csv.row_errors(dict(sorted(errors.items(), key=lambda item: int(item[0]))))

    # Plain rows and executemany, not ORM objects: 20,000 units flush in a fraction of the time.
    existing = {
        (u.building, u.entrance, u.room): u
        for u in db.session.execute(
            sa.select(Unit.id, Unit.building, Unit.entrance, Unit.room, Unit.floor_area, Unit.grid_id).where(
                Unit.community_id == community.id
            )
        )
    }
    inserts, updates = [], []
    for row in rows:
        grid_id = grid_by_ref.get(row.grid)
        unit = existing.get(row.key)
        if unit is None:
            inserts.append(
                {
                    "community_id": community.id,
                    "grid_id": grid_id,
                    "building": row.building,
                    "entrance": row.entrance,
                    "room": row.room,
                    "floor_area": row.floor_area,
                }
            )
            continue
        # An empty grid cell keeps the grid already on record.
        new_grid_id = grid_id if grid_id is not None else unit.grid_id
        if unit.floor_area != row.floor_area or unit.grid_id != new_grid_id:
            updates.append({"id": unit.id, "floor_area": row.floor_area, "grid_id": new_grid_id})
    try:
        with db.session.begin_nested():
            if inserts:
                db.session.execute(sa.insert(Unit), inserts)
            if updates:
                db.session.execute(sa.update(Unit), updates)
    except IntegrityError as exc:
        raise ConflictError("Another import changed this register at the same moment; try again.") from exc
    created, updated = len(inserts), len(updates)
    result = {
        "created": created,
        "updated": updated,
        "unchanged": len(rows) - created - updated,
        "total": len(rows),
    }
    if any(row.owner for row in rows):
        from app.regions.ownership import import_owners

        result["owners"] = import_owners(community, rows)
    record(
        by,
        "unit.import",
        community,
        region_id=community.id,
        summary=f"Imported {len(rows)} units into {community.name}: {created} created, {updated} updated",
        data=result,
    )
    return result


# --- memberships -----------------------------------------------------------------------------------------


def apply_for_membership(community: Region, *, by: User, unit_id: int | None = None) -> Membership:
    """A resident asks to join a community; a worker verifies residence before it becomes active."""
    unit = None
    if unit_id is not None:
        unit = db.session.get(Unit, unit_id)
        if unit is None or unit.community_id != community.id:
            raise UnprocessableError(fields={"unit_id": ["No such unit in this community."]})
    membership = db.session.scalar(
        sa.select(Membership).where(
            Membership.user_id == by.id,
            Membership.region_id == community.id,
            Membership.role == Role.RESIDENT,
        )
    )
    if membership is not None and membership.status == MembershipStatus.ACTIVE:
        raise ConflictError("You are already a member of this community.", code="already_member")
    if membership is not None and membership.status == MembershipStatus.PENDING:
        raise ConflictError("Your application is already waiting for a worker.", code="already_pending")
    if membership is None:
        membership = Membership(user=by, region=community, role=Role.RESIDENT)
        db.session.add(membership)
    # A rejected applicant applies again on the same row: it simply goes back to pending.
    membership.status = MembershipStatus.PENDING
    membership.unit = unit
    membership.created_at = utcnow()
    membership.decided_at = membership.decided_by_id = membership.reject_reason = None
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        # Two submits of the same application raced; the other one won.
        raise ConflictError(
            "Your application is already waiting for a worker.", code="already_pending"
        ) from exc
    return membership


def _grid_paths_within(user: User, community: Region) -> list[str]:
    return [p for p in staff_paths(user, MEMBERSHIP_ROLES) if p.startswith(community.path)]


def list_memberships(
    community: Region, *, viewer: User, status: MembershipStatus | None = None, role: Role | None = None
) -> sa.Select:
    """The community's applications and members; a grid worker sees those whose unit lies in their grid."""
    stmt = (
        sa.select(Membership)
        .join(Membership.user)
        .outerjoin(Membership.unit)
        .options(contains_eager(Membership.user), contains_eager(Membership.unit))
        .where(Membership.region_id == community.id)
    )
    if not serves(viewer, community, MEMBERSHIP_ROLES):
        grid_paths = _grid_paths_within(viewer, community)
        if not grid_paths:
            _deny(viewer, community, "Your role cannot review memberships.")
        grid = aliased(Region)
        stmt = stmt.join(grid, Unit.grid_id == grid.id).where(
            sa.or_(*(grid.path.startswith(p) for p in grid_paths))
        )
    if status is not None:
        stmt = stmt.where(Membership.status == status)
    if role is not None:
        stmt = stmt.where(Membership.role == role)
    return stmt


def _decision_scope(membership: Membership) -> Region:
    """The most specific region the membership concerns: the unit's grid when known."""
    if membership.unit is not None and membership.unit.grid is not None:
        return membership.unit.grid
    return membership.region


def get_membership_to_decide(membership_id: int, *, by: User) -> Membership:
    # Locked so two workers deciding at once cannot both see it pending (SQLite serializes writes anyway).
    membership = db.session.scalar(
        sa.select(Membership)
        .where(Membership.id == membership_id)
        .options(joinedload(Membership.unit).joinedload(Unit.grid))
        .with_for_update(of=Membership)
    )
    if membership is None:
        raise NotFoundError("No such membership.")
    if not (
        serves(by, membership.region, MEMBERSHIP_ROLES)
        or serves(by, _decision_scope(membership), MEMBERSHIP_ROLES)
    ):
        _deny(by, membership.region, "Your role cannot decide on this membership.")
    if membership.user_id == by.id:
        raise ForbiddenError("Someone else must decide on your own membership.", code="own_membership")
    if membership.status != MembershipStatus.PENDING:
        raise ConflictError(f"This membership is already {membership.status}.", code="not_pending")
    return membership


def _decide(membership: Membership, status: MembershipStatus, *, by: User, reason: str | None = None) -> None:
    membership.status = status
    membership.decided_at = utcnow()
    membership.decided_by_id = by.id
    membership.reject_reason = reason
    db.session.flush()
    verb = "Approved" if status == MembershipStatus.ACTIVE else "Rejected"
    summary = f"{verb} {membership.user.name}'s {membership.role} membership of {membership.region.name}"
    if membership.unit is not None:
        summary += f" ({membership.unit.label})"
    if reason:
        summary += f": {reason}"
    record(
        by,
        "membership.approve" if status == MembershipStatus.ACTIVE else "membership.reject",
        membership,
        region_id=_decision_scope(membership).id,
        summary=summary,
        data={"user_id": membership.user_id, "unit_id": membership.unit_id, "reason": reason},
    )


def approve_membership(membership: Membership, *, by: User) -> Membership:
    _decide(membership, MembershipStatus.ACTIVE, by=by)
    return membership


def reject_membership(membership: Membership, *, by: User, reason: str | None = None) -> Membership:
    _decide(membership, MembershipStatus.REJECTED, by=by, reason=(reason or "").strip() or None)
    return membership
