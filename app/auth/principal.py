"""The verified login behind a request: who, through which session, in which regions; the ORM user on demand.

Every signed-in request checks its login (not revoked, user active). Doing that with ORM objects cost more
than a whole notices page, so the check is one prebuilt statement returning plain rows, and the `User`
object is loaded only when a view asks for it (most writes do; the notices feed does not).
"""

from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from app.auth.models import AuthSession, User
from app.core import stamps
from app.core.db import PreparedRead
from app.core.permissions import Role
from app.extensions import db
from app.regions.models import Membership, MembershipStatus, Region, Unit, path_ids


@dataclass(frozen=True, slots=True)
class MemberLine:
    """One active membership, as far as scope rules need it."""

    role: Role
    region_id: int
    region_path: str
    # A resident's home chain, root first: down to the grid of their unit when it has one, else the
    # region they joined.
    home_ids: tuple[int, ...]


@dataclass(eq=False)
class Principal:
    user_id: int
    session_id: str | None
    memberships: tuple[MemberLine, ...]
    _user: User | None = field(default=None, repr=False)

    @classmethod
    def of(cls, user: User) -> "Principal":
        """The principal of an already loaded user (services called from jobs, sockets and tests)."""
        lines = tuple(
            MemberLine(role=m.role, region_id=m.region_id, region_path=m.region.path, home_ids=_home_ids(m))
            for m in user.active_memberships
        )
        return cls(user_id=user.id, session_id=None, memberships=lines, _user=user)

    @property
    def user(self) -> User:
        """The ORM user with its memberships, loaded in one query the first time a view asks."""
        if self._user is None:
            self._user = (
                db.session.scalars(
                    sa.select(User)
                    .where(User.id == self.user_id)
                    .options(joinedload(User.memberships).joinedload(Membership.unit))
                )
                .unique()
                .one()
            )
        return self._user

    def staff_paths(self, roles) -> list[str]:
        return [m.region_path for m in self.memberships if m.role in roles]


def _home_ids(m: Membership) -> tuple[int, ...]:
    region_ids = path_ids(m.region.path)
    if m.role != Role.RESIDENT or m.unit is None or not m.unit.grid_id:
        return tuple(region_ids)
    if m.unit.community_id == m.region_id:
        # The unit register only takes grids of the unit's own community: no need to load the grid.
        return (*region_ids, m.unit.grid_id)
    return tuple(path_ids(m.unit.grid.path))


@cache
def _login_read() -> PreparedRead:
    """Built once: constructing the statement cost more than running it. It also reads the change stamps
    (app.core.stamps), which spares the cached notices feed a query of its own."""
    home = aliased(Region)
    statement = (
        sa.select(
            AuthSession.revoked_at,
            User.id,
            User.is_active,
            Membership.role,
            Membership.region_id,
            Region.path,
            home.path.label("home_path"),
            *stamps.columns(User.id),
        )
        .join(User, User.id == AuthSession.user_id)
        .outerjoin(
            Membership, sa.and_(Membership.user_id == User.id, Membership.status == MembershipStatus.ACTIVE)
        )
        .outerjoin(Region, Region.id == Membership.region_id)
        .outerjoin(Unit, sa.and_(Unit.id == Membership.unit_id, Membership.role == Role.RESIDENT))
        .outerjoin(home, home.id == Unit.grid_id)
        .where(AuthSession.id == sa.bindparam("sid"))
        .order_by(Membership.id)
    )
    return PreparedRead(statement)


def load_principal(jwt_payload: dict) -> Principal | None:
    """The principal of an access or refresh token; None when its login was revoked or the user disabled."""
    sid = jwt_payload.get("sid")
    if not sid:
        return None
    rows = _login_read().all(db.engine, sid=sid)
    if not rows:
        return None
    revoked_at, user_id, is_active = rows[0][:3]
    if revoked_at is not None or not is_active or str(user_id) != jwt_payload["sub"]:
        return None
    stamps.remember(user_id, rows[0][7:])
    lines = tuple(
        MemberLine(role=role, region_id=region, region_path=path, home_ids=tuple(path_ids(home or path)))
        for _, _, _, role, region, path, home, *_ in rows
        if role is not None
    )
    return Principal(user_id=user_id, session_id=sid, memberships=lines)
