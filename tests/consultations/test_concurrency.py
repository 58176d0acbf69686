"""Simultaneous requests on PostgreSQL: one support per resident, and counters that lose no increment."""

import threading

import pytest

from app.consultations.models import Consultation, ConsultationSupport
from app.extensions import db
from tests.conftest import BACKEND
from tests.consultations.helpers import BASE, count
from tests.factories import auth_header

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="concurrency is checked on PostgreSQL")


def at_once(app, n: int, send) -> list:
    barrier = threading.Barrier(n)
    results = []

    def run(i):
        with app.test_client() as client:
            barrier.wait()
            results.append(send(client, i))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_simultaneous_supports_count_once(app, world, consultation):
    headers = auth_header(world.resident)
    url = f"{BASE}/{consultation.id}/support"  # read here: the threads have no application context

    statuses = at_once(
        app,
        8,
        lambda client, _i: client.post(url, headers=headers).status_code,
    )

    assert sorted(statuses) == [200] * 7 + [201]
    assert count(ConsultationSupport) == 1
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).support_count == 1


def test_simultaneous_opinions_keep_every_count(app, world, consultation):
    headers = [auth_header(world.resident), auth_header(world.resident2)]
    url = f"{BASE}/{consultation.id}/comments"

    def send(client, i):
        body = {"body": f"意见{i}", "stance": "for" if i % 2 else "against"}
        return client.post(url, json=body, headers=headers[i % 2]).status_code

    statuses = at_once(app, 8, send)

    assert statuses == [201] * 8
    db.session.expire_all()
    fresh = db.session.get(Consultation, consultation.id)
    assert (fresh.for_count, fresh.against_count) == (4, 4)
