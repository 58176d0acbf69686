"""The demo consultations: seeded once, readable by a demo resident, one open and one answered."""

from app.demo import DEMO_PASSWORD, seed_demo
from tests.consultations.helpers import BASE


def test_demo_has_an_open_and_an_answered_consultation(client):
    seed_demo()
    summary = seed_demo()
    assert "consultations" in summary

    login = client.post("/api/v1/auth/login", json={"phone": "13900000005", "password": DEMO_PASSWORD})
    headers = {"Authorization": f"Bearer {login.get_json()['access_token']}"}
    listed = client.get(BASE, headers=headers).get_json()["data"]

    assert sorted(c["status"] for c in listed) == ["open", "outcome_published"]
    answered = next(c for c in listed if c["status"] == "outcome_published")
    detail = client.get(f"{BASE}/{answered['id']}", headers=headers).get_json()
    assert [i["progress"] for i in detail["followups"]] == [70, 10]
    opened = next(c for c in listed if c["status"] == "open")
    assert opened["counts"]["opinions"] == 3
    assert opened["counts"]["supports"] == 4
    stream = client.get(f"{BASE}/{opened['id']}/comments", headers=headers).get_json()["data"]
    assert sum(len(c["replies"]) for c in stream) == 2
