"""One ballot per voter key under simultaneous requests, enforced by the database (PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.polls.models import PollBallot, PollVoter
from tests.conftest import BACKEND
from tests.factories import UserFactory, member
from tests.polls.helpers import POLLS, close, create, verify_chain

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="SQLite serializes every writer in one file lock; concurrent voting is a PostgreSQL concern",
)


def _race(app, requests: list[tuple[dict, dict]]) -> list[tuple[int, str | None]]:
    """Fire all requests at once from separate threads (each its own client and session)."""
    start = threading.Barrier(len(requests))

    def send(job):
        headers, body = job
        with app.test_client() as client:
            start.wait()
            response = client.post(body.pop("url"), json=body, headers=headers)
            data = response.get_json()
            return response.status_code, (data.get("error") or {}).get("code")

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests))


def _ids(poll, *labels):
    return [o["id"] for o in poll["options"] if o["label"] in labels]


def test_the_same_voter_racing_ten_times_stores_one_ballot(app, client, world, auth):
    poll = create(client, auth(world.committee), world.c1)
    headers = auth(world.resident)
    url = f"{POLLS}/{poll['id']}/ballots"

    outcomes = _race(app, [(headers, {"url": url, "option_ids": _ids(poll, "同意")}) for _ in range(10)])

    assert sorted(outcomes) == [(201, None)] + [(409, "already_voted")] * 9
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PollBallot)) == 1


def test_a_household_racing_with_paper_stores_one_ballot(app, client, world, auth):
    housemate = UserFactory()
    member(housemate, world.c1, unit=world.u1)
    db.session.commit()
    poll = create(client, auth(world.committee), world.c1, counting="household")
    url = f"{POLLS}/{poll['id']}/ballots"
    yes = _ids(poll, "同意")
    jobs = []
    for _ in range(4):
        jobs.append((auth(world.resident), {"url": url, "option_ids": yes}))
        jobs.append((auth(housemate), {"url": url, "option_ids": yes}))
        jobs.append(
            (auth(world.worker), {"url": url, "option_ids": yes, "channel": "paper", "voter_id": world.u1.id})
        )

    outcomes = _race(app, jobs)

    assert outcomes.count((201, None)) == 1
    assert all(o == (409, "already_voted") for o in outcomes if o != (201, None))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PollVoter)) == 1


def test_many_voters_at_once_all_land_on_one_unbroken_chain(app, client, world, auth):
    voters = []
    for _ in range(24):
        user = UserFactory()
        member(user, world.c1, unit=world.u2)
        voters.append(user)
    db.session.commit()
    poll = create(client, auth(world.committee), world.c1)
    url = f"{POLLS}/{poll['id']}/ballots"

    outcomes = _race(app, [(auth(u), {"url": url, "option_ids": _ids(poll, "反对")}) for u in voters])

    assert outcomes == [(201, None)] * 24
    close(poll["id"])
    page = client.get(f"{POLLS}/{poll['id']}/receipts", headers=auth(world.resident)).get_json()
    assert len(page["data"]) == 24
    assert verify_chain(page) == page["chain_head"]
    result = client.get(f"{POLLS}/{poll['id']}/results", headers=auth(world.resident)).get_json()
    assert [o["count"] for o in result["options"]] == [0, 24, 0]  # no increment lost under the race


def test_the_database_itself_refuses_a_second_has_voted_row(client, world, auth):
    poll = create(client, auth(world.committee), world.c1)
    db.session.add(PollVoter(poll_id=poll["id"], voter_key=world.resident.id, user_id=world.resident.id))
    db.session.commit()

    db.session.add(PollVoter(poll_id=poll["id"], voter_key=world.resident.id, user_id=world.resident.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
