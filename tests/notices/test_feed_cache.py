"""Cached reader pages: shared by a scope, never stale after a write (from any process) or a clock edge."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.extensions import db
from app.notices import service
from app.notices.models import Notice
from tests.notices.helpers import feed_ids, hours

URL = "/api/v1/notices"


@pytest.fixture
def statements():
    """statements() -> the SQL run since the last call."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)

    def take() -> list[str]:
        taken = list(seen)
        seen.clear()
        return taken

    yield take
    sa.event.remove(db.engine, "before_cursor_execute", record)


def titles(client, headers) -> list[str]:
    return [item["title"] for item in client.get(URL, headers=headers).get_json()["data"]]


def page_queries(taken: list[str]) -> int:
    return sum(" notices" in s for s in taken)


def test_a_second_reader_of_the_same_scope_is_served_the_cached_page(world, client, auth, post, statements):
    first, second = post(title="停水"), post(title="停电")
    resident, neighbour = auth(world.resident), auth(world.resident2)
    assert client.post(f"{URL}/{first}/read", headers=resident).status_code == 204
    # resident2 lives in grid 2 of the same community: their scope differs, so give them resident's grid.
    world.resident2.memberships[0].unit = world.u1
    db.session.commit()

    statements()
    assert feed_ids(client, resident) == [second, first]
    # The page, when the scope's next scheduled notice goes out, and the reader's read flags.
    taken = statements()
    assert page_queries(taken) == 2
    assert sum("FROM notice_reads" in s for s in taken) == 1
    body = client.get(URL, headers=neighbour, query_string={"limit": 100}).get_json()
    # Only the sign-in check, which also read the stamps: the neighbour has read nothing, so no flags to ask.
    assert len(statements()) == 1
    # The page is shared; the read flags are each reader's own.
    assert [(item["id"], item["read"]) for item in body["data"]] == [(second, False), (first, False)]
    body = client.get(URL, headers=resident, query_string={"limit": 100}).get_json()
    assert [(item["id"], item["read"]) for item in body["data"]] == [(second, False), (first, True)]
    assert len(statements()) == 1  # resident's flags for this page were kept too

    # A new read, through this process or any other, changes the reader's stamp: the flags are asked again.
    assert client.post(f"{URL}/{second}/read", headers=neighbour).status_code == 204
    statements()
    body = client.get(URL, headers=neighbour, query_string={"limit": 100}).get_json()
    assert [(item["id"], item["read"]) for item in body["data"]] == [(second, True), (first, False)]
    assert len(statements()) == 2


def test_every_kind_of_write_shows_at_once(world, client, auth, post):
    resident, worker = auth(world.resident), auth(world.worker)
    first = post(title="停水")
    assert feed_ids(client, resident) == [first]

    second = post(title="停电")
    assert feed_ids(client, resident) == [second, first]

    assert client.patch(f"{URL}/{first}", json={"pinned": True}, headers=worker).status_code == 200
    assert feed_ids(client, resident) == [first, second]

    assert client.delete(f"{URL}/{first}", headers=worker).status_code == 204
    assert feed_ids(client, resident) == [second]

    item = client.get(URL, headers=resident).get_json()["data"][0]
    assert (item["region"]["name"], item["author"]["name"]) == ("海裕社区", "worker")
    world.c1.name = "海裕社区（新）"
    world.worker.name = "王社工"
    db.session.commit()
    item = client.get(URL, headers=resident).get_json()["data"][0]
    assert (item["region"]["name"], item["author"]["name"]) == ("海裕社区（新）", "王社工")


def test_a_write_by_another_process_shows_at_once(world, client, auth, post):
    resident = auth(world.resident)
    notice_id = post(title="停水")
    assert titles(client, resident) == ["停水"]
    # Another process: its own connection and session, committing on its own.
    with Session(db.engine) as other:
        other.get(Notice, notice_id).title = "停水（已更正）"
        other.commit()
    db.session.commit()  # the test's session ends its transaction, as each request does
    assert titles(client, resident) == ["停水（已更正）"]


@pytest.fixture
def clock(monkeypatch):
    """clock(seconds) moves the service's clock; nothing is written, so only the page's own end can tell.
    The moves stay well inside the age cap, which would otherwise hide a page kept too long."""

    def move(seconds: float):
        assert (
            seconds < service.PAGE_MAX_AGE.total_seconds() / 2
            or seconds > service.PAGE_MAX_AGE.total_seconds()
        )
        later = utcnow() + timedelta(seconds=seconds)
        monkeypatch.setattr(service, "utcnow", lambda: later)

    return move


def test_a_scheduled_notice_appears_when_its_time_comes(world, client, auth, post, clock):
    resident = auth(world.resident)
    now_on = post(title="现在")
    later = post(title="二十秒后", publish_at=utcnow() + timedelta(seconds=20))
    assert feed_ids(client, resident) == [now_on]
    clock(10)
    assert feed_ids(client, resident) == [now_on]
    clock(25)
    assert feed_ids(client, resident) == [later, now_on]


def test_an_expiring_notice_leaves_when_its_time_comes(world, client, auth, post, clock):
    resident = auth(world.resident)
    stays, goes = post(title="长期"), post(title="二十秒", expires_at=utcnow() + timedelta(seconds=20))
    assert feed_ids(client, resident) == [goes, stays]
    clock(25)
    assert feed_ids(client, resident) == [stays]


def test_the_row_after_the_page_expiring_ends_the_next_cursor(world, client, auth, post, clock):
    resident = auth(world.resident)
    post(title="最后一条", publish_at=hours(-2), expires_at=utcnow() + timedelta(seconds=20))
    newer = post(title="最新", publish_at=hours(-1))
    body = client.get(URL, headers=resident, query_string={"limit": 1}).get_json()
    assert [item["id"] for item in body["data"]] == [newer]
    assert body["next_cursor"]
    clock(25)
    body = client.get(URL, headers=resident, query_string={"limit": 1}).get_json()
    assert body["next_cursor"] is None


def test_no_page_is_kept_past_the_age_cap(world, client, auth, post, clock):
    resident = auth(world.resident)
    notice_id = post()
    assert titles(client, resident) == ["停水通知"]
    # A write that bypasses the ORM (and so the stamp) shows once the cap has passed.
    db.session.execute(sa.update(Notice).where(Notice.id == notice_id).values(title="改过"))
    db.session.commit()
    assert titles(client, resident) == ["停水通知"]  # the cached page, as far as this process can tell
    clock(service.PAGE_MAX_AGE.total_seconds() + 1)
    assert titles(client, resident) == ["改过"]
