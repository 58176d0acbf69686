"""Factories and a small ready-made world of regions, units and users for tests."""

from dataclasses import dataclass
from decimal import Decimal

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.auth import service as auth_service
from app.auth.models import User
from app.core.permissions import Role
from app.extensions import db
from app.regions.models import Level, Membership, MembershipStatus, Region, Unit
from app.regions.service import create_region


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


PASSWORD = "secret-pass-1"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    phone = factory.Sequence(lambda n: f"137{n:08d}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password_hash = factory.LazyFunction(lambda: auth_service.hash_password(PASSWORD))


class UnitFactory(BaseFactory):
    class Meta:
        model = Unit

    building = factory.Sequence(lambda n: str(n % 9 + 1))
    entrance = "1"
    room = factory.Sequence(lambda n: f"{n + 101}")
    floor_area = Decimal("88.50")


def square(lng: float, lat: float, size: float = 0.01) -> dict:
    """A GeoJSON polygon: a square whose south-west corner is (lng, lat)."""
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def member(
    user: User,
    region: Region,
    role: Role = Role.RESIDENT,
    *,
    unit: Unit | None = None,
    status: MembershipStatus = MembershipStatus.ACTIVE,
) -> Membership:
    m = Membership(user=user, region=region, role=role, unit=unit, status=status)
    db.session.add(m)
    db.session.flush()
    return m


def auth_header(user: User) -> dict:
    tokens = auth_service.start_session(user)
    db.session.commit()
    return {"Authorization": f"Bearer {tokens['access_token']}"}


# The people of World.build(), each a World attribute (tests that sweep every role iterate over these).
USER_NAMES = (
    "admin",
    "street_staff",
    "street2_staff",
    "worker",
    "grid_worker",
    "committee",
    "worker2",
    "resident",
    "resident2",
    "outsider",
    "pending",
    "stranger",
)


@dataclass
class World:
    district: Region
    street1: Region
    street2: Region
    c1: Region
    c2: Region
    c3: Region
    g1: Region
    g2: Region
    g3: Region
    g4: Region
    u1: Unit
    u2: Unit
    u3: Unit
    admin: User
    street_staff: User
    street2_staff: User
    worker: User
    grid_worker: User
    committee: User
    worker2: User
    resident: User
    resident2: User
    outsider: User
    pending: User
    stranger: User

    @classmethod
    def build(cls) -> "World":
        d = create_region(name="宝安区", level=Level.DISTRICT)
        s1 = create_region(name="新安街道", level=Level.STREET, parent=d)
        s2 = create_region(name="西乡街道", level=Level.STREET, parent=d)
        c1 = create_region(name="海裕社区", level=Level.COMMUNITY, parent=s1)
        c2 = create_region(name="灵芝社区", level=Level.COMMUNITY, parent=s1)
        c3 = create_region(name="固戍社区", level=Level.COMMUNITY, parent=s2)
        g1 = create_region(name="海裕第一网格", level=Level.GRID, parent=c1, boundary=square(113.88, 22.55))
        g2 = create_region(name="海裕第二网格", level=Level.GRID, parent=c1, boundary=square(113.89, 22.55))
        g3 = create_region(name="灵芝第一网格", level=Level.GRID, parent=c2, boundary=square(113.88, 22.56))
        g4 = create_region(name="固戍第一网格", level=Level.GRID, parent=c3, boundary=square(113.85, 22.60))
        u1 = UnitFactory(community_id=c1.id, grid_id=g1.id, building="1", room="101")
        u2 = UnitFactory(community_id=c1.id, grid_id=g2.id, building="2", room="202")
        u3 = UnitFactory(community_id=c2.id, grid_id=g3.id, building="3", room="303")
        users = {name: UserFactory(name=name) for name in USER_NAMES}
        member(users["admin"], d, Role.ADMIN)
        member(users["street_staff"], s1, Role.STREET_STAFF)
        member(users["street2_staff"], s2, Role.STREET_STAFF)
        member(users["worker"], c1, Role.COMMUNITY_WORKER)
        member(users["grid_worker"], g1, Role.GRID_WORKER)
        member(users["committee"], c1, Role.COMMITTEE)
        member(users["worker2"], c2, Role.COMMUNITY_WORKER)
        member(users["resident"], c1, unit=u1)
        member(users["resident2"], c1, unit=u2)
        member(users["outsider"], c2, unit=u3)
        member(users["pending"], c1, unit=u1, status=MembershipStatus.PENDING)
        db.session.commit()
        return cls(d, s1, s2, c1, c2, c3, g1, g2, g3, g4, u1, u2, u3, **users)
