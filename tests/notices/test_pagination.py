"""The notice feed pages by keyset: fixed query count per page, no duplicates or gaps under inserts."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.notices.models import Notice
from tests.notices.helpers import bulk_notices, hours

URL = "/api/v1/notices"


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args):
        self.statements.append(statement)

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_exc):
        sa.event.remove(db.engine, "before_cursor_execute", self)


def _queries_for(client, headers, **params) -> tuple[int, dict]:
    with QueryCounter() as counter:
        response = client.get(URL, headers=headers, query_string=params)
    assert response.status_code == 200
    # The page comes with its regions and authors in one query (a reader page not yet cached also asks when
    # the scope's next scheduled notice goes out); the read flags are one more; the rest is signing in.
    assert sum(" notices" in s for s in counter.statements) in (1, 2), counter.statements
    return len(counter.statements), response.get_json()


@pytest.mark.parametrize("who", ["resident", "worker", "street_staff"])
def test_list_issues_the_same_few_queries_whatever_the_page_size(world, client, auth, who):
    ids = bulk_notices(world, 70)
    headers = auth(getattr(world, who))
    # Some read, so the read flags are not all trivially false.
    for notice_id in ids[::3]:
        assert client.post(f"{URL}/{notice_id}/read", headers=headers).status_code == 204
    small, small_page = _queries_for(client, headers, limit=5)
    large, large_page = _queries_for(client, headers, limit=50)
    assert len(small_page["data"]) == 5
    assert len(large_page["data"]) == 50
    assert any(item["read"] for item in large_page["data"])
    assert small == large
    assert small <= 5  # the login, the notices stamp, the page, when it ends, the read flags
    _, next_page = _queries_for(client, headers, limit=50, cursor=large_page["next_cursor"])
    assert len(next_page["data"]) == 20


def test_management_list_query_count_is_fixed_too(world, client, auth):
    bulk_notices(world, 60)
    headers = auth(world.worker)
    small, _ = _queries_for(client, headers, limit=5, status="all", q="通知")
    large, _ = _queries_for(client, headers, limit=50, status="all", q="通知")
    assert small == large <= 4  # the login, the user (to check the status filter), the page, read flags


def _walk(client, headers, limit, between=None) -> list[int]:
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        body = client.get(URL, headers=headers, query_string=params).get_json()
        seen.extend(item["id"] for item in body["data"])
        cursor = body["next_cursor"]
        pages += 1
        if cursor is None:
            return seen
        if between:
            between(pages)
        assert pages < 100


def test_walking_every_page_while_notices_arrive(world, client, auth, post):
    original = bulk_notices(world, 45)
    headers = auth(world.resident)
    expected_order = [
        n.id
        for n in db.session.scalars(
            sa.select(Notice).order_by(Notice.pinned.desc(), Notice.publish_at.desc(), Notice.id.desc())
        )
    ]

    def insert(page):
        # New notices land both above the cursor (now, pinned) and below it (backdated), in the scope and not.
        post(title=f"新 {page}")
        post(title=f"置顶 {page}", pinned=page % 2 == 0)
        post(title=f"补发 {page}", publish_at=hours(-24 * 30))
        post(region=world.c2, by=world.worker2, title=f"别处 {page}")

    seen = _walk(client, headers, limit=7, between=insert)
    assert len(seen) == len(set(seen)), "a notice appeared twice"
    assert set(original) <= set(seen), "a notice that existed at the start was skipped"
    # Among the notices present from the start, the walk kept the feed order.
    assert [i for i in seen if i in set(original)] == expected_order


def test_last_page_has_no_cursor(world, client, auth):
    bulk_notices(world, 10)
    body = client.get(URL, headers=auth(world.resident), query_string={"limit": 10}).get_json()
    assert len(body["data"]) == 10
    assert body["next_cursor"] is None
    body = client.get(URL, headers=auth(world.resident), query_string={"limit": 9}).get_json()
    assert body["next_cursor"] is not None
