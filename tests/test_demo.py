"""The demo seed: what the README promises is there, a second run changes nothing, the map is sane."""

import itertools

import pytest
import sqlalchemy as sa
from shapely.geometry import shape

from app.auth.models import User
from app.core.db import utcnow
from app.core.permissions import Role
from app.demo import COMMUNITIES, DEMO_PASSWORD, grid_polygons, seed_demo
from app.extensions import db
from app.models import Membership, Notice, NoticeRead, Region, Unit
from app.reports.models import Department, ReportCategory
from app.uploads.models import Upload

MODELS = (Region, Unit, User, Membership, Notice, NoticeRead, ReportCategory, Department, Upload)


def _counts() -> dict:
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in MODELS}


def _login(client, phone: str):
    return client.post("/api/v1/auth/login", json={"phone": phone, "password": DEMO_PASSWORD})


def test_second_run_creates_nothing():
    seed_demo()
    first = _counts()
    summary = seed_demo()

    assert _counts() == first
    assert "0 created now" in summary
    assert first["Region"] == 1 + 2 + 3 + sum(
        len(s["cuts"][0]) + 1 for c in COMMUNITIES.values() for s in c.values()
    )
    assert 8 <= first["Notice"] <= 12


DEMO_ACCOUNTS = [
    ("13800000000", "admin", "宝安区"),
    ("13800000001", "community_worker", "海裕社区"),
    ("13800000002", "grid_worker", "海裕社区第一网格"),
    ("13800000003", "committee", "海裕社区"),
    ("13800000004", "street_staff", "新安街道"),
    ("13900000001", "resident", "海裕社区"),
    ("13900000020", "resident", "海裕社区"),
]


def test_demo_logins_work(client):
    seed_demo()  # once: seeding is the slow part, and the accounts do not affect each other

    for phone, role, region in DEMO_ACCOUNTS:
        response = _login(client, phone)
        assert response.status_code == 200, phone
        token = response.get_json()["access_token"]
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
        [membership] = me["memberships"]
        assert (membership["role"], membership["status"], membership["region"]["name"]) == (
            role,
            "active",
            region,
        )


def test_residents_see_their_workers_demo_photo_on_the_chat_card(client, upload_dir):
    seed_demo()
    token = _login(client, "13900000002").get_json()["access_token"]  # grid one, a conversation open

    conv = client.post("/api/v1/conversations", json={}, headers={"Authorization": f"Bearer {token}"})

    assert conv.status_code == 200
    card = conv.get_json()["worker"]
    assert card["name"] == "黄伟明"
    image = client.get(card["photo_url"])
    assert (image.status_code, image.mimetype) == (200, "image/jpeg")
    # Drawn as PNG, stored as the upload service stores every image: a clean JPEG and its thumbnail.
    photos = db.session.scalars(sa.select(Upload).where(Upload.id.in_(sa.select(User.photo_id)))).all()
    assert len(photos) == 2
    assert {p.content_type for p in photos} == {"image/jpeg"}
    assert len(list(upload_dir.rglob("*.jpg"))) == 4


def test_residents_live_in_grid_one_then_grid_two():
    seed_demo()
    rows = db.session.execute(
        sa.select(User.phone, Region.name)
        .join(Membership, Membership.user_id == User.id)
        .join(Unit, Membership.unit_id == Unit.id)
        .join(Region, Unit.grid_id == Region.id)
        .where(Membership.role == Role.RESIDENT)
        .order_by(User.phone)
    ).all()

    assert [phone for phone, _ in rows] == [f"139{n:08d}" for n in range(1, 21)]
    assert {grid for _, grid in rows[:10]} == {"海裕社区第一网格"}
    assert {grid for _, grid in rows[10:]} == {"海裕社区第二网格"}


def test_notices_cover_pinned_scheduled_expired_and_every_level():
    seed_demo()
    notices = db.session.scalars(sa.select(Notice)).all()
    now = utcnow()

    assert any(n.pinned for n in notices)
    assert {n.status_at(now) for n in notices} >= {"published", "scheduled", "expired"}
    assert {n.region.level for n in notices} == {"district", "street", "community", "grid"}


def test_grids_are_valid_adjacent_and_never_overlap():
    polygons = [
        shape(p) for street in COMMUNITIES.values() for s in street.values() for p in grid_polygons(s)
    ]

    for polygon in polygons:
        assert polygon.is_valid
        assert polygon.exterior.is_ccw
        min_lng, min_lat, max_lng, max_lat = polygon.bounds
        assert 113.83 <= min_lng < max_lng <= 113.92
        assert 22.55 <= min_lat < max_lat <= 22.62
    for a, b in itertools.combinations(polygons, 2):
        assert a.intersection(b).area == pytest.approx(0, abs=1e-12)
    assert len({round(p.area, 8) for p in polygons}) == len(polygons)


def test_notice_categories_are_ones_the_api_accepts():
    from app.notices.schemas import CATEGORIES

    seed_demo()
    assert len(set(db.session.scalars(sa.select(Notice.category)))) >= 4
    assert set(db.session.scalars(sa.select(Notice.category))) <= set(CATEGORIES)
