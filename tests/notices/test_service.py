"""The notice service on its own: reader scopes, the audience of a region, status and edit rules."""

from datetime import timedelta

import pytest

from app.auth.principal import Principal
from app.core.db import utcnow
from app.core.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from app.core.permissions import Role
from app.extensions import db
from app.notices import service
from app.notices.models import Notice
from app.regions.models import Membership
from tests.factories import UserFactory, member


def test_resident_scope_is_their_grid_and_its_ancestors(world):
    scope = service.reader_scope(Principal.of(world.resident))
    assert scope.region_ids == {world.district.id, world.street1.id, world.c1.id, world.g1.id}
    assert scope.subtree_paths == []


def test_staff_scope_adds_their_subtree(world):
    scope = service.reader_scope(Principal.of(world.worker))
    assert scope.region_ids == {world.district.id, world.street1.id, world.c1.id}
    assert scope.subtree_paths == [world.c1.path]
    assert scope.covers(world.g2)
    assert not scope.covers(world.g3)


def test_resident_who_is_also_staff_elsewhere_reads_both(world):
    member(world.resident, world.c3, role=Role.COMMUNITY_WORKER)
    db.session.commit()
    db.session.expire(world.resident, ["memberships"])
    scope = service.reader_scope(Principal.of(world.resident))
    assert scope.covers(world.g1)
    assert scope.covers(world.g4)
    assert not scope.covers(world.g2)


def test_no_active_membership_means_an_empty_scope(world):
    for user in (world.pending, world.stranger):
        scope = service.reader_scope(Principal.of(user))
        assert not scope.region_ids
        assert not scope.subtree_paths


def test_audience_counts_each_person_once(world):
    # One person with two resident memberships in the subtree still counts once.
    member(world.resident, world.c2)
    db.session.commit()
    users = set(db.session.scalars(service._audience(world.street1)))
    assert users == {world.resident.id, world.resident2.id, world.outsider.id}
    assert db.session.query(Membership).filter_by(user_id=world.resident.id).count() == 2


def test_status_follows_the_clock():
    now = utcnow()
    notice = Notice(publish_at=now + timedelta(minutes=1), expires_at=None, withdrawn_at=None)
    assert notice.status_at(now) == "scheduled"
    assert notice.status_at(now + timedelta(minutes=1)) == "published"
    notice.expires_at = now + timedelta(minutes=2)
    assert notice.status_at(now + timedelta(minutes=2)) == "expired"
    notice.withdrawn_at = now
    assert notice.status_at(now) == "withdrawn"


def test_create_refuses_a_region_out_of_reach(world):
    with pytest.raises(ForbiddenError):
        service.create_notice(by=world.worker, title="t", body="b", region_id=world.c2.id)
    with pytest.raises(UnprocessableError) as caught:
        service.create_notice(by=world.worker, title="t", body="b", region_id=0)
    assert caught.value.fields == {"region_id": ["No such region."]}


def test_update_checks_the_window_against_stored_times(world):
    notice = service.create_notice(
        by=world.worker, title="t", body="b", region_id=world.c1.id, publish_at=utcnow() - timedelta(hours=1)
    )
    db.session.commit()
    with pytest.raises(UnprocessableError):
        service.update_notice(notice.id, by=world.worker, changes={"expires_at": notice.publish_at})
    updated = service.update_notice(
        notice.id, by=world.worker, changes={"expires_at": notice.publish_at + timedelta(seconds=1)}
    )
    assert updated.status == "expired"


def test_withdrawn_notice_cannot_be_updated(world):
    notice = service.create_notice(by=world.worker, title="t", body="b", region_id=world.c1.id)
    service.withdraw_notice(notice.id, by=world.worker)
    with pytest.raises(ConflictError):
        service.update_notice(notice.id, by=world.worker, changes={"title": "again"})


def test_stats_are_hidden_from_a_reader(world):
    notice = service.create_notice(by=world.worker, title="t", body="b", region_id=world.c1.id)
    with pytest.raises(NotFoundError):
        service.notice_stats(notice.id, viewer=world.resident)


def test_mark_read_twice_keeps_one_row(world):
    notice = service.create_notice(by=world.worker, title="t", body="b", region_id=world.c1.id)
    db.session.commit()
    reader = UserFactory()
    member(reader, world.c1)
    db.session.commit()
    service.mark_read(notice.id, by=reader)
    db.session.commit()
    service.mark_read(notice.id, by=reader)
    db.session.commit()
    assert service.notice_stats(notice.id, viewer=world.worker)["read_count"] == 1


def test_a_concurrent_duplicate_read_is_absorbed(world, monkeypatch):
    notice = service.create_notice(by=world.worker, title="t", body="b", region_id=world.c1.id)
    db.session.commit()
    service.mark_read(notice.id, by=world.resident)
    db.session.commit()
    # Another request recorded the read after this one looked: the insert itself must not fail.
    fetched = service.get_notice(notice.id, viewer=world.resident)
    fetched.read = False
    monkeypatch.setattr(service, "get_notice", lambda *_a, **_k: fetched)
    service.mark_read(notice.id, by=world.resident)
    db.session.commit()
    assert service.notice_stats(notice.id, viewer=world.worker)["read_count"] == 1
