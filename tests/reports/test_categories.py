"""Report categories: the seeded two-level tree with deadlines, and admins editing it."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditLog
from app.extensions import db
from app.reports.categories import SAFETY, TREE, seed_categories
from app.reports.models import ReportCategory

URL = "/api/v1/report-categories"
KEYS = ("dispatch_minutes", "contact_minutes", "resolve_minutes")
ROLES = [
    "admin", "street_staff", "street2_staff", "worker", "grid_worker", "committee", "worker2",
    "resident", "resident2", "outsider", "pending", "stranger",
]  # fmt: skip


def _leaf(tree: list[dict], code: str) -> dict:
    return next(leaf for subject in tree for leaf in subject["children"] if leaf["code"] == code)


def _snapshot() -> list[tuple]:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(ReportCategory.__table__).order_by(ReportCategory.id)).all()


def test_tree_lists_subjects_with_leaves_and_deadlines_without_signing_in(client, categories):
    response = client.get(URL)

    assert response.status_code == 200
    tree = response.get_json()
    assert [s["code"] for s in tree] == [code for code, *_ in TREE]
    names = {s["name"] for s in tree}
    assert {"市容环境", "宣传广告", "施工管理", "街面秩序", "突发事件"} <= names
    assert {"供水", "供电照明", "电梯", "噪音扰民", "物业管理", "邻里纠纷", "消防隐患"} <= names
    subject = tree[0]
    assert set(subject) >= {"code", "name", "name_en", "children", "deadlines", "default_type"}
    assert subject["deadlines"] is None
    trapped = _leaf(tree, "lift.trapped")
    assert trapped["children"] == []
    assert trapped["deadlines"] == dict(zip(KEYS, SAFETY, strict=True))
    assert _leaf(tree, "env.garbage")["deadlines"] == {
        "dispatch_minutes": 120, "contact_minutes": 24 * 60, "resolve_minutes": 7 * 24 * 60,
    }  # fmt: skip
    assert _leaf(tree, "fire.ebike")["default_type"] == "report"
    assert _leaf(tree, "neighbour.dispute")["is_public"] is False


def test_tree_takes_two_queries(client, categories, count_queries):
    with count_queries() as statements:
        assert client.get(URL).status_code == 200
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2


def test_seeding_again_creates_nothing_and_keeps_admin_edits(categories):
    category = db.session.scalar(sa.select(ReportCategory).where(ReportCategory.code == "env.garbage"))
    category.resolve_minutes = 3 * 24 * 60
    db.session.commit()

    assert seed_categories() == 0
    db.session.commit()
    assert db.session.get(ReportCategory, category.id).resolve_minutes == 3 * 24 * 60


def test_admin_edits_deadlines_and_it_is_audited(client, world, auth, categories):
    response = client.patch(
        f"{URL}/env.garbage",
        json={"deadlines": {"resolve_minutes": 3 * 24 * 60}, "name_en": "Rubbish"},
        headers=auth(world.admin),
    )

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["deadlines"] == {"dispatch_minutes": 120, "contact_minutes": 1440, "resolve_minutes": 4320}
    assert body["name_en"] == "Rubbish"
    assert _leaf(client.get(URL).get_json(), "env.garbage")["deadlines"]["resolve_minutes"] == 4320
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "report_category.update"))
    assert entry.actor_id == world.admin.id
    assert entry.region_id == world.district.id


def test_deactivated_leaf_disappears_but_admins_can_still_list_it(client, world, auth, categories):
    headers = auth(world.admin)
    assert client.patch(f"{URL}/street.bikes", json={"active": False}, headers=headers).status_code == 200

    codes = {leaf["code"] for s in client.get(URL).get_json() for leaf in s["children"]}
    assert "street.bikes" not in codes
    everything = client.get(URL, query_string={"include_inactive": "true"}, headers=headers)
    assert everything.status_code == 200
    assert _leaf(everything.get_json(), "street.bikes")["active"] is False


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_admins_list_inactive(client, world, auth, categories, role):
    response = client.get(URL, query_string={"include_inactive": "true"}, headers=auth(getattr(world, role)))

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_listing_inactive_needs_a_sign_in(client, categories):
    response = client.get(URL, query_string={"include_inactive": "true"})

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_edit_categories(client, world, auth, categories, role):
    before = _snapshot()

    response = client.patch(f"{URL}/env.garbage", json={"active": False}, headers=auth(getattr(world, role)))

    if role == "admin":
        assert response.status_code == 200
        return
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert _snapshot() == before


def test_editing_needs_a_sign_in(client, categories):
    response = client.patch(f"{URL}/env.garbage", json={"active": False})

    assert response.status_code == 401


def test_unknown_category_is_404(client, world, auth, categories):
    response = client.patch(f"{URL}/nope.nope", json={"active": False}, headers=auth(world.admin))

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("code", "body", "field"),
    [
        ("env.garbage", {}, "_schema"),
        ("env.garbage", {"deadlines": {"dispatch_minutes": 0}}, "deadlines"),
        ("env.garbage", {"deadlines": {"resolve_minutes": -5}}, "deadlines"),
        ("env.garbage", {"deadlines": {"resolve_minutes": "soon"}}, "deadlines"),
        ("env.garbage", {"deadlines": {"resolve_minutes": 60}}, "deadlines"),
        ("env.garbage", {"deadlines": {"dispatch_minutes": 99999999}}, "deadlines"),
        ("env", {"deadlines": {"resolve_minutes": 600}}, "deadlines"),
        ("env.garbage", {"default_type": "gossip"}, "default_type"),
        ("env.garbage", {"name": ""}, "name"),
        ("env.garbage", {"active": "maybe"}, "active"),
        ("env.garbage", {"colour": "red"}, "colour"),
    ],
)
def test_bad_edits_are_422_and_change_nothing(client, world, auth, categories, code, body, field):
    headers = auth(world.admin)
    before = _snapshot()

    response = client.patch(f"{URL}/{code}", json=body, headers=headers)

    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert _snapshot() == before
