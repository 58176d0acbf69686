"""Who sees a conversation: its resident; its grid's workers from the start; every worker of the community
once it is shared; its assignee always. Anyone else gets a 404 (and no socket events)."""

import time
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core.permissions import Role
from app.extensions import db
from app.regions.models import Level, Membership, MembershipStatus, Region

CHAT_ROLES = frozenset({Role.GRID_WORKER, Role.COMMUNITY_WORKER})


@dataclass(frozen=True)
class StaffScope:
    """Where a user answers chats: grids they work as grid worker, communities they serve."""

    grid_ids: frozenset[int]
    community_ids: frozenset[int]

    def __bool__(self) -> bool:
        return bool(self.grid_ids or self.community_ids)


def staff_scope(user: User) -> StaffScope:
    """A socket's user (events.SocketUser) keeps the scope its last login check found, in its `scope_cache`,
    as it keeps name and is_active: an event then reads no memberships (a re-check starts a fresh one)."""
    cache = getattr(user, "scope_cache", None)
    if cache:
        return cache[0]
    scope = _scope_of(user)
    if cache is not None:
        cache.append(scope)
    return scope


def _scope_of(user: User) -> StaffScope:
    return _scope_from(
        (m.role, m.region_id, m.region.level, m.region.parent_id) for m in user.active_memberships
    )


def _scope_from(memberships) -> StaffScope:
    """From (role, region id, region level, region parent id) of a user's active memberships."""
    grids, communities = set(), set()
    for role, region_id, level, parent_id in memberships:
        if role not in CHAT_ROLES:
            continue
        if level == Level.GRID:
            grids.add(region_id)
            communities.add(parent_id)
        elif level == Level.COMMUNITY:
            communities.add(region_id)
    return StaffScope(frozenset(grids), frozenset(communities))


_SCOPES = (
    sa.select(Membership.user_id, Membership.role, Membership.region_id, Region.level, Region.parent_id)
    .join(Region, Region.id == Membership.region_id)
    .where(
        Membership.user_id.in_(sa.bindparam("user_ids", expanding=True)),
        Membership.status == MembershipStatus.ACTIVE,
        Membership.role.in_(CHAT_ROLES),
    )
)


def staff_scopes(user_ids) -> dict[int, StaffScope]:
    """staff_scope of many users in one query (every user id is answered, most with an empty scope)."""
    rows: dict[int, list] = {uid: [] for uid in user_ids}
    if rows:
        for user_id, *membership in db.session.execute(_SCOPES, {"user_ids": list(rows)}):
            rows[user_id].append(membership)
    return {uid: _scope_from(memberships) for uid, memberships in rows.items()}


def staff_sees(user: User, conv, scope: StaffScope | None = None) -> bool:
    if conv.assignee_id == user.id:
        return True
    scope = scope or staff_scope(user)
    if conv.grid_id is not None and conv.grid_id in scope.grid_ids:
        return True
    return conv.shared_at is not None and conv.community_id in scope.community_ids


def role_in(user: User, conv) -> str | None:
    """ "resident", "staff" or None (may not see it)."""
    if conv.resident_id == user.id:
        return "resident"
    if staff_sees(user, conv):
        return "staff"
    return None


def visible_clause(user: User, scope: StaffScope):
    """SQL twin of staff_sees, for inbox lists."""
    from app.chat.models import Conversation

    c = Conversation
    parts = [c.assignee_id == user.id]
    if scope.grid_ids:
        parts.append(c.grid_id.in_(scope.grid_ids))
    if scope.community_ids:
        parts.append(sa.and_(c.shared_at.is_not(None), c.community_id.in_(scope.community_ids)))
    return sa.or_(*parts)


# (grid_id, community_id, shared) -> (monotonic time cached, staff user ids by membership). Every message
# needs its audience; memberships change rarely. Cleared whenever this process writes a membership or a
# region (the flush marks it, the commit clears it again, so no concurrent read re-caches the old rows);
# a change committed by another process is seen within AUDIENCE_TTL_SECONDS.
_audiences: dict[tuple, tuple[float, frozenset[int]]] = {}
# The same keys -> when a message last needed them (refresh_audiences reads those again, all at once).
_audiences_used: dict[tuple, float] = {}
AUDIENCE_TTL_SECONDS = 5.0


# Bumped with every such clearing: a socket's user re-checks on its next event and forgets the staff scope it
# kept (events.SocketUser).
membership_writes = {"n": 0}


def _memberships_changed() -> None:
    _audiences.clear()
    membership_writes["n"] += 1


@sa.event.listens_for(Session, "after_flush")
def _memberships_flushed(session, _ctx) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Membership | Region):
            _memberships_changed()
            session.info["chat_audiences_stale"] = True
            return


@sa.event.listens_for(Session, "after_commit")
def _memberships_committed(session) -> None:
    if session.info.pop("chat_audiences_stale", False):
        _memberships_changed()


def _membership_audience(grid_id: int | None, community_id: int, shared: bool) -> frozenset[int]:
    key = (grid_id, community_id, shared)
    hit = _audiences.get(key)
    now = _audiences_used[key] = time.monotonic()
    if hit is not None and now - hit[0] < AUDIENCE_TTL_SECONDS:
        return hit[1]
    writes = membership_writes["n"]
    ids = _read_audiences([key])[key]
    if not db.session.info.get("chat_audiences_stale") and writes == membership_writes["n"]:
        # Not from a transaction that has itself changed memberships and may yet roll back, nor read while
        # this process changed some (the clearing came before this answer).
        _audiences[key] = (now, ids)
    return ids


def refresh_audiences() -> int:
    """Read again, in one query, every audience a message needed within AUDIENCE_TTL_SECONDS, so that
    messages find them fresh instead of querying one conversation's each (run every RECHECK_EVERY_SECONDS
    by events.py's background task: a change made by another process is still seen within the TTL).
    Returns how many were refreshed."""
    started = time.monotonic()
    for key, used in list(_audiences_used.items()):
        if started - used >= AUDIENCE_TTL_SECONDS:
            _audiences_used.pop(key, None)
    keys = list(_audiences_used)
    if not keys:
        return 0
    writes = membership_writes["n"]
    audiences = _read_audiences(keys)
    if writes != membership_writes["n"]:
        return 0  # changed here meanwhile: the next messages read their own
    for key, ids in audiences.items():
        _audiences[key] = (started, ids)
    return len(keys)


def _read_audiences(keys: list[tuple]) -> dict[tuple, frozenset[int]]:
    """The staff of each (grid_id, community_id, shared), in one query: the grid's workers; once shared, also
    the community's chat staff and the workers of its grids."""
    grids = {grid for grid, _community, _shared in keys if grid is not None}
    communities = {community for _grid, community, shared in keys if shared}
    where = [sa.and_(Membership.role == Role.GRID_WORKER, Membership.region_id.in_(grids))]
    if communities:
        where += [Membership.region_id.in_(communities), Region.parent_id.in_(communities)]
    rows = db.session.execute(
        sa.select(Membership.user_id, Membership.role, Membership.region_id, Region.parent_id)
        .join(Region, Region.id == Membership.region_id)
        .where(
            Membership.status == MembershipStatus.ACTIVE,
            Membership.role.in_(CHAT_ROLES),
            sa.or_(*where),
        )
    ).all()
    # Indexed once, so the answer costs keys + rows rather than keys × rows (every key in use, every 4 s).
    by_grid: dict[int, set[int]] = defaultdict(set)
    by_community: dict[int, set[int]] = defaultdict(set)  # a member of it or of one of its grids
    for user_id, role, region_id, parent_id in rows:
        if role == Role.GRID_WORKER:
            by_grid[region_id].add(user_id)
        by_community[region_id].add(user_id)
        if parent_id is not None:
            by_community[parent_id].add(user_id)
    return {
        (grid, community, shared): frozenset(
            by_grid.get(grid, set()) | (by_community.get(community, set()) if shared else set())
        )
        for grid, community, shared in keys
    }


def staff_audience(conv, *, shared: bool | None = None) -> set[int]:
    """Users on the staff side who see `conv` now (or would once shared, with shared=True)."""
    shared = conv.shared_at is not None if shared is None else shared
    ids = set(_membership_audience(conv.grid_id, conv.community_id, shared))
    if conv.assignee_id is not None:
        ids.add(conv.assignee_id)
    return ids


def _grid_workers_select(grid, *, on_duty: bool):
    """Active users who are active grid workers of `grid` (an id, or a column to correlate with)."""
    from app.chat.models import OffDuty

    stmt = (
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.region_id == grid,
            Membership.role == Role.GRID_WORKER,
            Membership.status == MembershipStatus.ACTIVE,
            User.is_active.is_(True),
        )
    )
    if on_duty:
        stmt = stmt.where(~sa.exists().where(OffDuty.user_id == User.id))
    return stmt


def grid_workers(grid_id: int | None, *, on_duty: bool = False) -> list[User]:
    """The grid's workers in the order they joined it; with on_duty, those not off duty."""
    if grid_id is None:
        return []
    stmt = _grid_workers_select(grid_id, on_duty=on_duty).order_by(Membership.id)
    return list(db.session.scalars(stmt))


def grid_worker_on_duty(grid_column) -> sa.ColumnElement[bool]:
    """SQL: the grid in `grid_column` has a worker on duty."""
    return _grid_workers_select(grid_column, on_duty=True).exists()


def off_duty_ids(user_ids) -> set[int]:
    from app.chat.models import OffDuty

    ids = list(user_ids)
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(OffDuty.user_id).where(OffDuty.user_id.in_(ids))))


def is_chat_staff_of(user: User, community_id: int) -> bool:
    return community_id in staff_scope(user).community_ids
