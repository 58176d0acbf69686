"""Off duty and out of hours: a resident's message reaches every worker of the community at once when no grid
worker on duty would answer it first, instead of waiting CHAT_SHARE_AFTER_SECONDS."""

from datetime import timedelta

from app.core.db import utcnow
from app.core.permissions import Role
from app.extensions import db
from tests.chat.helpers import BASE, inbox, messages, open_conv, send
from tests.factories import UserFactory, member

DUTY = "/api/v1/chat/duty"


def neighbour(world, name: str):
    """Another resident of the grid worker's grid (g1)."""
    user = UserFactory(name=name)
    member(user, world.c1, unit=world.u1)
    db.session.commit()
    return user


def test_a_grid_worker_off_duty_hands_their_grid_to_the_community_until_back(app, client, world, auth):
    app.config["CHAT_SHARE_AFTER_SECONDS"] = 3600
    conv = open_conv(client, auth, world.resident)
    send(client, auth(world.resident), conv["id"], "楼道灯坏了")
    assert inbox(client, auth(world.worker)) == []
    assert client.get(DUTY, headers=auth(world.grid_worker)).get_json() == {
        "on_duty": True,
        "off_since": None,
        "share_after_minutes": 60,
    }

    res = client.put(DUTY, json={"on_duty": False}, headers=auth(world.grid_worker))
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["on_duty"] is False
    assert res.get_json()["off_since"] is not None
    # At once, not an hour later: the community's workers see the waiting conversation; another
    # community's still do not.
    (row,) = inbox(client, auth(world.worker), scope="unassigned")
    assert (row["id"], row["shared"]) == (conv["id"], True)
    assert inbox(client, auth(world.worker2)) == []
    # The resident's card still names their grid worker, and says they are away.
    card = client.get(f"{BASE}/{conv['id']}", headers=auth(world.resident)).get_json()["worker"]
    assert (card["id"], card["on_duty"]) == (world.grid_worker.id, False)
    # Colleagues choosing whom to transfer to see who is away.
    colleagues = client.get(f"{BASE}/{conv['id']}", headers=auth(world.worker)).get_json()["colleagues"]
    assert {c["id"]: c["on_duty"] for c in colleagues} == {world.grid_worker.id: False}
    # A neighbour who writes meanwhile reaches the community from the start.
    assert open_conv(client, auth, neighbour(world, "neighbour"))["shared"] is True
    # Going off twice changes nothing; coming back, new conversations go to the grid worker first again.
    assert client.put(DUTY, json={"on_duty": False}, headers=auth(world.grid_worker)).status_code == 200
    res = client.put(DUTY, json={"on_duty": True}, headers=auth(world.grid_worker))
    assert res.get_json()["on_duty"] is True
    assert res.get_json()["off_since"] is None
    later = open_conv(client, auth, neighbour(world, "later"))
    assert later["shared"] is False
    assert later["worker"]["on_duty"] is True
    assert later["id"] not in {c["id"] for c in inbox(client, auth(world.worker))}


def test_a_resolved_conversation_reopened_while_nobody_is_on_duty_goes_to_the_community(client, world, auth):
    conv = open_conv(client, auth, world.resident)
    send(client, auth(world.resident), conv["id"], "你好")
    send(client, auth(world.grid_worker), conv["id"], "您好，已处理")
    assert client.post(f"{BASE}/{conv['id']}/resolve", headers=auth(world.grid_worker)).status_code == 200
    client.put(DUTY, json={"on_duty": False}, headers=auth(world.grid_worker))
    # Resolved conversations stay with the grid while its worker is away ...
    assert inbox(client, auth(world.worker), scope="all") == []
    # ... until the resident writes again.
    send(client, auth(world.resident), conv["id"], "又坏了")
    (row,) = inbox(client, auth(world.worker), scope="unassigned")
    # Reopened, shared, and no longer the away worker's: any colleague may take it.
    assert (row["id"], row["status"], row["shared"], row["assignee"]) == (conv["id"], "open", True, None)
    assert client.post(f"{BASE}/{conv['id']}/claim", headers=auth(world.worker)).status_code == 200


def test_going_off_duty_hands_back_what_one_had_taken_and_leaves_a_colleagues(client, world, auth):
    answered = open_conv(client, auth, world.resident)
    send(client, auth(world.resident), answered["id"], "门禁坏了")
    send(client, auth(world.grid_worker), answered["id"], "我来处理")  # answering took it
    next_door = neighbour(world, "neighbour")
    passed_on = open_conv(client, auth, next_door)
    send(client, auth(next_door), passed_on["id"], "想办居住证明")
    transfer = {"to_user_id": world.worker.id}
    res = client.post(f"{BASE}/{passed_on['id']}/transfer", json=transfer, headers=auth(world.grid_worker))
    assert res.status_code == 200, res.get_json()

    client.put(DUTY, json={"on_duty": False}, headers=auth(world.grid_worker))
    # What the grid worker had taken is up for the community to claim, and both sides are told why.
    (row,) = inbox(client, auth(world.worker), scope="unassigned")
    assert (row["id"], row["assignee"], row["shared"]) == (answered["id"], None, True)
    told = messages(client, auth(world.resident), answered["id"])
    system = [m["body"] for m in told if m["kind"] == "system"]
    assert system == ["工作人员 grid_worker 暂时离岗，社区其他工作人员会继续为您服务"]
    # What a colleague on duty has taken stays theirs, and is not spread further.
    (kept,) = inbox(client, auth(world.worker), scope="mine")
    assert (kept["id"], kept["assignee"]["id"], kept["shared"]) == (passed_on["id"], world.worker.id, False)


def test_a_message_out_of_hours_reaches_the_community_at_once(app, client, world, auth, monkeypatch):
    app.config["CHAT_SHARE_AFTER_SECONDS"] = 3600
    conv = open_conv(client, auth, world.resident)  # opened in working hours: the grid worker's
    assert conv["shared"] is False
    monkeypatch.setitem(app.config, "CHAT_WORKING_DAYS", "")  # closed every day from now on
    send(client, auth(world.resident), conv["id"], "半夜水管爆了")
    assert [c["id"] for c in inbox(client, auth(world.worker))] == [conv["id"]]
    assert [m["kind"] for m in messages(client, auth(world.resident), conv["id"])] == ["text", "auto"]


def test_only_workers_have_a_duty(client, world, auth):
    for user in (world.resident, world.committee):
        assert client.get(DUTY, headers=auth(user)).status_code == 403
        res = client.put(DUTY, json={"on_duty": False}, headers=auth(user))
        assert res.status_code == 403
        assert res.get_json()["error"]["code"] == "forbidden"
    res = client.put(DUTY, json={"on_duty": "sometimes"}, headers=auth(world.grid_worker))
    assert res.status_code == 422
    assert "on_duty" in res.get_json()["error"]["fields"]


def test_a_grid_left_with_no_worker_goes_to_the_community_on_the_next_check(app, client, world, auth, outbox):
    app.config["CHAT_SHARE_AFTER_SECONDS"] = 3600
    conv = open_conv(client, auth, world.resident)
    send(client, auth(world.resident), conv["id"], "有人吗")
    outbox.run_until_idle(now=utcnow() + timedelta(seconds=60))
    assert inbox(client, auth(world.worker)) == []  # its grid worker is on duty: it stays theirs
    # Grid g2 gets a worker of its own, who stays on duty.
    g2_worker = UserFactory(name="g2_worker")
    member(g2_worker, world.g2, Role.GRID_WORKER)
    db.session.commit()
    other = open_conv(client, auth, world.resident2)
    send(client, auth(world.resident2), other["id"], "二网格的问题")
    assert other["shared"] is False
    # g1's worker leaves (an account closed, not the duty switch): the next check hands g1's on, not g2's.
    world.grid_worker.is_active = False
    db.session.commit()
    outbox.run_until_idle(now=utcnow() + timedelta(seconds=120))
    (row,) = inbox(client, auth(world.worker), scope="unassigned")
    assert (row["id"], row["shared"]) == (conv["id"], True)


def test_text_with_nul_is_refused_as_input(client, world, auth):
    conv = open_conv(client, auth, world.resident)
    res = send(client, auth(world.resident), conv["id"], "半截\x00消息")
    assert res.status_code == 422
    assert "body" in res.get_json()["error"]["fields"]
    assert messages(client, auth(world.resident), conv["id"]) == []
