"""The login check's principal: the same regions whether read by the one login statement or off the ORM."""

import pytest
from flask_jwt_extended import decode_token

from app.auth import service as auth_service
from app.auth.principal import Principal, load_principal
from app.core.permissions import Role
from app.extensions import db
from app.regions.models import MembershipStatus
from app.regions.service import create_region
from tests.factories import USER_NAMES, UnitFactory, member


def login_payload(user) -> dict:
    tokens = auth_service.start_session(user)
    db.session.commit()
    return decode_token(tokens["access_token"])


@pytest.mark.parametrize("name", USER_NAMES)
def test_the_login_statement_and_the_orm_agree_for_everyone(world, name):
    user = getattr(world, name)
    principal = load_principal(login_payload(user))
    assert principal is not None
    assert principal.user_id == user.id
    assert principal.memberships == Principal.of(user).memberships


def test_a_resident_lives_in_their_units_grid_even_when_it_is_in_another_community(world):
    # Joined street 1 as a whole, but the unit is in 灵芝社区's grid: the home chain is that grid's.
    member(world.stranger, world.street1, unit=world.u3)
    member(world.stranger, world.c3, role=Role.COMMUNITY_WORKER)
    member(world.stranger, world.c1, status=MembershipStatus.REJECTED)
    db.session.commit()
    db.session.expire(world.stranger, ["memberships"])
    principal = load_principal(login_payload(world.stranger))
    resident, worker = principal.memberships
    assert resident.role == Role.RESIDENT
    assert resident.region_path == world.street1.path
    assert resident.home_ids == (world.district.id, world.street1.id, world.c2.id, world.g3.id)
    assert worker.home_ids == (world.district.id, world.street2.id, world.c3.id)
    assert principal.memberships == Principal.of(world.stranger).memberships


def test_a_unit_without_a_grid_keeps_the_resident_in_the_region_they_joined(world):
    unit = UnitFactory(community_id=world.c3.id, grid_id=None, building="9", room="909")
    member(world.stranger, world.c3, unit=unit)
    db.session.commit()
    principal = load_principal(login_payload(world.stranger))
    assert principal.memberships[0].home_ids == (world.district.id, world.street2.id, world.c3.id)
    assert principal.memberships == Principal.of(world.stranger).memberships


def test_a_revoked_login_or_a_disabled_user_has_no_principal(world):
    payload = login_payload(world.resident)
    auth_service.revoke_session(payload["sid"], reason="logout")
    db.session.commit()
    assert load_principal(payload) is None

    payload = login_payload(world.resident2)
    world.resident2.is_active = False
    db.session.commit()
    assert load_principal(payload) is None


def test_a_token_naming_another_user_than_its_login_has_no_principal(world):
    payload = login_payload(world.resident)
    assert load_principal({**payload, "sub": str(world.resident2.id)}) is None
    assert load_principal({**payload, "sid": "no-such-login"}) is None


def test_the_orm_user_is_loaded_only_when_asked(world, count_queries):
    payload, community_id = login_payload(world.worker), world.c1.id
    with count_queries() as statements:
        principal = load_principal(payload)
    assert len(statements) == 1
    db.session.expunge_all()
    with count_queries() as statements:
        user = principal.user
        assert principal.user is user
        assert [m.region_id for m in user.active_memberships] == [community_id]
    assert len(statements) == 1


def test_a_new_region_shows_in_the_next_requests_principal(world):
    # Nothing is cached between requests: a membership approved a moment ago counts at once.
    payload = login_payload(world.stranger)
    assert load_principal(payload).memberships == ()
    grid = create_region(name="固戍第二网格", level=world.g4.level, parent=world.c3)
    member(world.stranger, grid, role=Role.GRID_WORKER)
    db.session.commit()
    assert [m.region_id for m in load_principal(payload).memberships] == [grid.id]
