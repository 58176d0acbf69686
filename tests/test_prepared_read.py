"""PreparedRead: values as the ORM gives them, and its pooled connection handed back as it was lent."""

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.core.db import PreparedRead
from app.core.stamps import ChangeStamp
from app.extensions import db
from app.regions.models import Membership, MembershipStatus


@pytest.fixture
def engine():
    """One pooled connection, so every checkout here is the same DBAPI connection unless it was replaced."""
    engine = sa.create_engine(db.engine.url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def backend_id(engine) -> object:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            return conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        return conn.connection.dbapi_connection  # the object itself: an id() could be reused


def test_values_come_back_as_the_orm_reads_them(world, engine):
    read = PreparedRead(
        sa.select(User.id, User.is_active, User.created_at, Membership.role, Membership.decided_at)
        .join(Membership, Membership.user_id == User.id)
        .where(User.id == sa.bindparam("uid"), Membership.status == MembershipStatus.ACTIVE)
    )
    [(user_id, active, created_at, role, decided_at)] = read.all(engine, uid=world.resident.id)
    membership = next(m for m in world.resident.memberships if m.status == MembershipStatus.ACTIVE)
    assert (user_id, active, created_at) == (world.resident.id, True, world.resident.created_at)
    assert active is True
    assert created_at.tzinfo is not None
    assert type(role) is type(membership.role)
    assert role == membership.role
    assert decided_at == membership.decided_at
    assert read.all(engine, uid=-1) == []


def test_the_connection_goes_back_to_the_pool_in_transactions_again(engine):
    read = PreparedRead(sa.select(ChangeStamp.stamp).where(ChangeStamp.name == sa.bindparam("name")))
    before = backend_id(engine)
    assert read.all(engine, name="nothing") == []
    # On PostgreSQL the read ran in autocommit; had the connection kept it, this insert would stay.
    with engine.connect() as conn:
        conn.execute(sa.insert(ChangeStamp).values(name="rolled-back", stamp=1))
        conn.rollback()
    assert backend_id(engine) == before
    assert read.all(engine, name="rolled-back") == []


def test_a_failed_read_hands_the_pool_a_fresh_connection(engine):
    broken = PreparedRead(sa.select(sa.column("x")).select_from(sa.table("no_such_table")))
    before = backend_id(engine)
    with pytest.raises(Exception, match="no_such_table"):
        broken.all(engine)
    assert backend_id(engine) != before
    assert PreparedRead(sa.select(sa.literal(1))).all(engine) == [(1,)]


def test_statement_counters_see_it(world, count_queries):
    read = PreparedRead(sa.select(User.name).where(User.id == sa.bindparam("uid")))
    worker_id, name = world.worker.id, world.worker.name
    with count_queries() as statements:
        assert read.all(db.engine, uid=worker_id) == [(name,)]
    assert len(statements) == 1
    assert "FROM users" in statements[0]
