"""Notices over HTTP: who reads what, scheduling, expiry, withdrawal, search, reads, stats, audit."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.audit.models import AuditLog
from app.extensions import db
from app.notices.models import NoticeRead
from app.regions.models import MembershipStatus
from tests.factories import UnitFactory, UserFactory, member
from tests.notices.helpers import count, feed_ids, hours

URL = "/api/v1/notices"


def test_worker_posts_and_resident_reads(world, client, auth):
    response = client.post(
        URL,
        json={
            "title": "  停水通知 ",
            "body": "明天 9:00–12:00 停水。",
            "region_id": world.c1.id,
            "category": "service",
            "pinned": True,
        },
        headers=auth(world.worker),
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["title"] == "停水通知"
    assert created["status"] == "published"
    assert created["category"] == "service"
    assert created["pinned"] is True
    assert created["region"] == {"id": world.c1.id, "name": "海裕社区", "level": "community"}
    assert created["author"] == {"id": world.worker.id, "name": "worker"}
    assert created["read"] is False
    assert created["can_edit"] is True
    assert created["publish_at"].endswith("+00:00")

    body = client.get(URL, headers=auth(world.resident)).get_json()
    assert body["next_cursor"] is None
    [item] = body["data"]
    assert item["id"] == created["id"]
    assert item["can_edit"] is False
    assert set(item) >= {
        "id",
        "title",
        "body",
        "category",
        "pinned",
        "publish_at",
        "expires_at",
        "status",
        "region",
        "author",
        "created_at",
        "updated_at",
        "read",
    }


def test_author_phone_is_never_shown(world, client, auth, post):
    notice_id = post()
    for user in (world.resident, world.worker):
        response = client.get(f"{URL}/{notice_id}", headers=auth(user))
        assert world.worker.phone not in response.get_data(as_text=True)
        # Not even masked to its last four digits; a timestamp's microseconds may hold them by chance.
        shown = [value for value in _leaves(response.get_json()) if not _is_timestamp(value)]
        assert not any(world.worker.phone[-4:] in str(value) for value in shown)


def _leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _is_timestamp(value) -> bool:
    try:
        datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def test_markup_in_a_title_round_trips_unchanged(world, client, auth):
    markup = "<img src=x onerror=alert(1)>"
    response = client.post(
        URL,
        json={"title": markup, "body": f"<script>{markup}</script>", "region_id": world.c1.id},
        headers=auth(world.worker),
    )
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    fetched = client.get(f"{URL}/{response.get_json()['id']}", headers=auth(world.resident)).get_json()
    assert fetched["title"] == markup
    assert fetched["body"] == f"<script>{markup}</script>"
    listed = client.get(URL, headers=auth(world.resident)).get_json()["data"][0]
    assert listed["title"] == markup


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("resident", {"district", "street1", "c1", "g1"}),
        ("resident2", {"district", "street1", "c1", "g2"}),
        ("outsider", {"district", "street1", "c2", "g3"}),
        ("grid_worker", {"district", "street1", "c1", "g1"}),
        ("worker", {"district", "street1", "c1", "g1", "g2"}),
        ("committee", {"district", "street1", "c1", "g1", "g2"}),
        ("street_staff", {"district", "street1", "c1", "c2", "g1", "g2", "g3"}),
        ("street2_staff", {"district", "street2", "c3", "g4"}),
        ("admin", {"district", "street1", "street2", "c1", "c2", "c3", "g1", "g2", "g3", "g4"}),
        ("pending", set()),
        ("stranger", set()),
    ],
)
def test_each_user_reads_their_chain(world, client, auth, post, who, sees):
    ids = {
        name: post(region=getattr(world, name), by=world.admin, title=name)
        for name in ("district", "street1", "street2", "c1", "c2", "c3", "g1", "g2", "g3", "g4")
    }
    response = client.get(URL, headers=auth(getattr(world, who)))
    assert response.status_code == 200
    assert {item["title"] for item in response.get_json()["data"]} == sees
    for name, notice_id in ids.items():
        status = client.get(f"{URL}/{notice_id}", headers=auth(getattr(world, who))).status_code
        assert status == (200 if name in sees else 404), name


def test_resident_without_a_unit_reads_community_chain_but_no_grid(world, client, auth, post):
    user = UserFactory()
    member(user, world.c1)
    db.session.commit()
    post(region=world.g1, title="grid")
    post(region=world.c1, title="community")
    assert [n["title"] for n in client.get(URL, headers=auth(user)).get_json()["data"]] == ["community"]


def test_rejected_membership_reads_nothing(world, client, auth, post):
    user = UserFactory()
    member(user, world.c1, status=MembershipStatus.REJECTED)
    db.session.commit()
    post()
    assert client.get(URL, headers=auth(user)).get_json() == {"data": [], "next_cursor": None}


def test_requires_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_feed_order_pinned_then_newest_then_id(world, client, auth, post):
    old = post(publish_at=hours(-5))
    newer = post(publish_at=hours(-1))
    pinned_old = post(publish_at=hours(-9), pinned=True)
    same_time = hours(-3)
    first, second = post(publish_at=same_time), post(publish_at=same_time)
    assert feed_ids(client, auth(world.resident)) == [pinned_old, newer, second, first, old]


def test_scheduled_notice_stays_hidden_until_publish_at(world, client, auth, post):
    notice_id = post(publish_at=hours(2), title="下周活动")
    resident, worker = auth(world.resident), auth(world.worker)
    assert feed_ids(client, resident) == []
    assert feed_ids(client, worker) == []
    assert client.get(f"{URL}/{notice_id}", headers=resident).status_code == 404
    assert client.post(f"{URL}/{notice_id}/read", headers=resident).status_code == 404

    assert feed_ids(client, worker, status="scheduled") == [notice_id]
    staff_view = client.get(f"{URL}/{notice_id}", headers=worker).get_json()
    assert staff_view["status"] == "scheduled"

    # Time passes: moving publish_at into the past stands in for the clock.
    response = client.patch(
        f"{URL}/{notice_id}", json={"publish_at": hours(-0.1).isoformat()}, headers=worker
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "published"
    assert feed_ids(client, resident) == [notice_id]


def test_patching_expires_at_to_now_expires_it(world, client, auth, post):
    notice_id = post()
    worker = auth(world.worker)
    response = client.patch(f"{URL}/{notice_id}", json={"expires_at": hours(0).isoformat()}, headers=worker)
    assert response.status_code == 200
    assert response.get_json()["status"] == "expired"
    assert feed_ids(client, auth(world.resident)) == []
    assert client.get(f"{URL}/{notice_id}", headers=auth(world.resident)).status_code == 404
    assert feed_ids(client, worker, status="expired") == [notice_id]
    assert feed_ids(client, worker, status="published") == []

    response = client.patch(f"{URL}/{notice_id}", json={"expires_at": None}, headers=worker)
    assert response.get_json()["status"] == "published"
    assert feed_ids(client, auth(world.resident)) == [notice_id]


def test_expiry_in_the_future_keeps_it_visible(world, client, auth, post):
    notice_id = post(expires_at=hours(1))
    assert feed_ids(client, auth(world.resident)) == [notice_id]


def test_withdrawn_notice_disappears_for_readers(world, client, auth, post):
    notice_id = post(title="撤回我")
    worker = auth(world.worker)
    response = client.delete(f"{URL}/{notice_id}", headers=worker)
    assert response.status_code == 204
    assert response.data == b""
    assert feed_ids(client, auth(world.resident)) == []
    assert client.get(f"{URL}/{notice_id}", headers=auth(world.resident)).status_code == 404
    assert feed_ids(client, worker, status="withdrawn") == [notice_id]
    assert client.get(f"{URL}/{notice_id}", headers=worker).get_json()["status"] == "withdrawn"

    # Withdrawing again is a no-op, and a withdrawn notice cannot be edited back.
    assert client.delete(f"{URL}/{notice_id}", headers=worker).status_code == 204
    response = client.patch(f"{URL}/{notice_id}", json={"title": "复活"}, headers=worker)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "notice_withdrawn"
    actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.object_id == notice_id)).all()
    assert sorted(actions) == ["notice.create", "notice.withdraw"]


def test_status_all_lists_every_state_of_managed_regions_only(world, client, auth, post):
    published = post()
    scheduled = post(publish_at=hours(3))
    expired = post(publish_at=hours(-3), expires_at=hours(-1))
    withdrawn = post()
    client.delete(f"{URL}/{withdrawn}", headers=auth(world.worker))
    elsewhere = post(region=world.c2, by=world.worker2)
    assert set(feed_ids(client, auth(world.worker), status="all")) == {
        published,
        scheduled,
        expired,
        withdrawn,
    }
    assert set(feed_ids(client, auth(world.street_staff), status="all")) == {
        published,
        scheduled,
        expired,
        withdrawn,
        elsewhere,
    }
    assert feed_ids(client, auth(world.worker2), status="scheduled") == []


@pytest.mark.parametrize("who", ["resident", "stranger"])
def test_status_filter_is_for_notice_staff(world, client, auth, who):
    response = client.get(URL, headers=auth(getattr(world, who)), query_string={"status": "scheduled"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_region_filter_narrows_to_a_subtree(world, client, auth, post):
    ids = {
        name: post(region=getattr(world, name), by=world.admin, title=name)
        for name in ("district", "c1", "g1", "g2", "c2")
    }
    street = auth(world.street_staff)
    assert set(feed_ids(client, street, region_id=world.c1.id)) == {ids["c1"], ids["g1"], ids["g2"]}
    assert set(feed_ids(client, auth(world.resident), region_id=world.c1.id)) == {ids["c1"], ids["g1"]}
    assert set(feed_ids(client, street, region_id=world.c1.id, status="all")) == {
        ids["c1"],
        ids["g1"],
        ids["g2"],
    }
    response = client.get(URL, headers=street, query_string={"region_id": 999999})
    assert response.status_code == 422
    assert "region_id" in response.get_json()["error"]["fields"]


def test_search_matches_title_or_body(world, client, auth, post):
    water = post(title="停水通知", body="Pipe repairs on Building 3")
    fire = post(title="消防演练", body="请大家参加，地点：3栋楼下")
    post(title="100% 完成", body="垃圾分类")
    resident = auth(world.resident)
    assert feed_ids(client, resident, q="停水") == [water]
    assert feed_ids(client, resident, q="building") == [water]
    assert set(feed_ids(client, resident, q="3")) == {water, fire}
    assert feed_ids(client, resident, q="楼下") == [fire]
    assert len(feed_ids(client, resident, q="%")) == 1
    assert feed_ids(client, resident, q="_") == []
    assert feed_ids(client, resident, q="nothing like it") == []


def test_search_never_reaches_outside_the_scope(world, client, auth, post):
    post(region=world.c2, by=world.worker2, title="灵芝停水")
    assert feed_ids(client, auth(world.resident), q="停水") == []


def test_read_is_idempotent_and_shows_in_the_feed(world, client, auth, post):
    first, second = post(title="一"), post(title="二")
    resident = auth(world.resident)
    for _ in range(3):
        response = client.post(f"{URL}/{first}/read", headers=resident)
        assert response.status_code == 204
    assert count(NoticeRead) == 1
    read = {item["id"]: item["read"] for item in client.get(URL, headers=resident).get_json()["data"]}
    assert read == {first: True, second: False}
    assert client.get(f"{URL}/{first}", headers=resident).get_json()["read"] is True
    # Someone else's read flag is their own.
    assert client.get(f"{URL}/{first}", headers=auth(world.resident2)).get_json()["read"] is False


def test_stats_on_a_hand_built_neighbourhood(world, client, auth, post):
    # c1's audience: resident (g1), resident2 (g2), a resident without a unit, one whose unit has no grid.
    no_unit, gridless = UserFactory(), UserFactory()
    member(no_unit, world.c1)
    member(gridless, world.c1, unit=UnitFactory(community_id=world.c1.id, grid_id=None))
    # Not audience: pending, rejected, staff, and a resident of another community.
    rejected = UserFactory()
    member(rejected, world.c1, unit=world.u1, status=MembershipStatus.REJECTED)
    db.session.commit()
    community, grid, district, other_street = (
        post(region=world.c1),
        post(region=world.g1),
        post(region=world.district, by=world.admin),
        post(region=world.street2, by=world.admin),
    )
    for user in (world.resident, no_unit, world.worker, world.street_staff):
        assert client.post(f"{URL}/{community}/read", headers=auth(user)).status_code == 204
    client.post(f"{URL}/{grid}/read", headers=auth(world.resident))
    client.post(f"{URL}/{district}/read", headers=auth(world.outsider))

    def stats(notice_id, who=world.admin):
        response = client.get(f"{URL}/{notice_id}/stats", headers=auth(who))
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    assert stats(community) == {"audience_count": 4, "read_count": 2, "read_rate": 0.5}
    assert stats(grid, world.worker) == {"audience_count": 1, "read_count": 1, "read_rate": 1.0}
    assert stats(district) == {"audience_count": 5, "read_count": 1, "read_rate": 0.2}
    assert stats(other_street, world.street2_staff) == {"audience_count": 0, "read_count": 0, "read_rate": 0}

    client.post(f"{URL}/{community}/read", headers=auth(gridless))
    assert stats(community)["read_rate"] == 0.75
    client.post(f"{URL}/{district}/read", headers=auth(world.resident))
    assert stats(district) == {"audience_count": 5, "read_count": 2, "read_rate": 0.4}


def test_read_rate_is_rounded_to_four_places(world, client, auth, post):
    extra = UserFactory()
    member(extra, world.c1)
    db.session.commit()
    notice_id = post()
    client.post(f"{URL}/{notice_id}/read", headers=auth(world.resident))
    assert (
        client.get(f"{URL}/{notice_id}/stats", headers=auth(world.worker)).get_json()["read_rate"] == 0.3333
    )


def test_every_staff_write_is_audited(world, client, auth):
    worker = auth(world.worker)
    notice_id = client.post(
        URL, json={"title": "议事会", "body": "周五晚上", "region_id": world.g1.id}, headers=worker
    ).get_json()["id"]
    client.patch(f"{URL}/{notice_id}", json={"title": "议事会改期", "pinned": True}, headers=worker)
    client.patch(f"{URL}/{notice_id}", json={"title": "议事会改期"}, headers=worker)  # no change: no entry
    client.delete(f"{URL}/{notice_id}", headers=worker)
    entries = db.session.scalars(
        sa.select(AuditLog)
        .where(AuditLog.object_type == "notice", AuditLog.object_id == notice_id)
        .order_by(AuditLog.id)
    ).all()
    assert [e.action for e in entries] == ["notice.create", "notice.update", "notice.withdraw"]
    assert {e.region_id for e in entries} == {world.g1.id}
    assert {e.actor_id for e in entries} == {world.worker.id}
    assert "议事会" in entries[0].summary
    assert "议事会改期" in entries[1].summary
    assert entries[1].data == {"fields": ["title", "pinned"]}
    assert "议事会改期" in entries[2].summary


def test_moving_a_notice_needs_the_target_region_too(world, client, auth, post):
    notice_id = post(region=world.g1)
    response = client.patch(f"{URL}/{notice_id}", json={"region_id": world.c2.id}, headers=auth(world.worker))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    response = client.patch(f"{URL}/{notice_id}", json={"region_id": world.g2.id}, headers=auth(world.worker))
    assert response.status_code == 200
    assert response.get_json()["region"]["id"] == world.g2.id
    assert feed_ids(client, auth(world.resident)) == []
    assert feed_ids(client, auth(world.resident2)) == [notice_id]


def test_feed_items_have_the_single_notice_shape(world, client, auth, post):
    post(publish_at=hours(-2), expires_at=hours(5), pinned=True, category="safety")
    expired = post(publish_at=hours(-3), expires_at=hours(-1), region=world.g2)
    client.post(f"{URL}/{expired}/read", headers=auth(world.worker))
    for who, params in (("resident", {}), ("worker", {"status": "all"})):
        headers = auth(getattr(world, who))
        client.post(f"{URL}/{feed_ids(client, headers)[0]}/read", headers=headers)
        for item in client.get(URL, headers=headers, query_string=params).get_json()["data"]:
            assert item == client.get(f"{URL}/{item['id']}", headers=headers).get_json()
