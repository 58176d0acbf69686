"""Chat over REST: opening, sending (gapless seq, idempotent client_id), who sees what, the inbox, the steps
(claim, transfer, resolve, reopen, rating), private notes, canned replies and the out-of-hours reply."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.chat.models import ChatMessage, Conversation
from app.core.db import utcnow
from app.extensions import db
from tests.chat.helpers import BASE, cid, inbox, messages, open_conv, send
from tests.uploads.images import upload


def test_a_resident_opens_one_conversation_and_reuses_it(client, world, auth):
    first = client.post(BASE, json={"subject": "停车"}, headers=auth(world.resident))
    assert first.status_code == 201
    body = first.get_json()
    assert body["status"] == "open"
    assert body["subject"] == "停车"
    assert body["grid_id"] == world.g1.id
    assert body["community_id"] == world.c1.id
    # Their grid worker's card: who will answer.
    assert body["worker"]["name"] == "grid_worker"
    assert body["worker"]["grid"] == world.g1.name
    assert body["worker"]["phone"] == world.grid_worker.phone
    again = client.post(BASE, json={}, headers=auth(world.resident))
    assert again.status_code == 200
    assert again.get_json()["id"] == body["id"]


def test_the_worker_card_shows_the_grid_workers_photo_once_they_set_one(client, world, auth):
    assert open_conv(client, auth, world.resident)["worker"]["photo_url"] is None
    worker = auth(world.grid_worker)
    photo_id = upload(client, worker)
    assert client.put("/api/v1/me/photo", json={"upload_id": photo_id}, headers=worker).status_code == 200

    card = open_conv(client, auth, world.resident)["worker"]

    assert card["name"] == "grid_worker"
    assert card["photo_url"].startswith(f"/api/v1/uploads/{photo_id}/thumb?")
    # The resident's <img> sends no token: the signed link is enough.
    image = client.get(card["photo_url"])
    assert (image.status_code, image.mimetype) == (200, "image/jpeg")


@pytest.mark.parametrize("who", ["worker", "pending", "stranger"])
def test_only_verified_residents_open_conversations(client, world, auth, who):
    res = client.post(BASE, json={}, headers=auth(getattr(world, who)))
    assert res.status_code == 403
    assert res.get_json()["error"]["code"] == "not_a_resident"


def test_seq_rises_by_one_and_a_resend_returns_the_stored_message(client, world, auth):
    conv = open_conv(client, auth, world.resident)
    resident, grid_worker = auth(world.resident), auth(world.grid_worker)
    key = cid()
    first = send(client, resident, conv["id"], "你好，请问垃圾几点清运？", key)
    assert first.status_code == 201
    resend = send(client, resident, conv["id"], "你好，请问垃圾几点清运？", key)
    assert resend.status_code == 200
    assert resend.get_json() == first.get_json()
    send(client, grid_worker, conv["id"], "每天早上七点。")
    send(client, resident, conv["id"], "谢谢")
    got = messages(client, resident, conv["id"])
    assert [m["seq"] for m in got] == [1, 2, 3]
    assert [m["sender"]["side"] for m in got] == ["resident", "staff", "resident"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChatMessage)) == 3


def test_an_idempotency_key_header_works_like_client_id(client, world, auth):
    conv = open_conv(client, auth, world.resident)
    headers = {**auth(world.resident), "Idempotency-Key": "phone-retry-0001"}
    a = send(client, headers, conv["id"], "一")
    b = send(client, headers, conv["id"], "一")
    assert (a.status_code, b.status_code) == (201, 200)
    assert a.get_json()["id"] == b.get_json()["id"]


def test_a_client_id_cannot_be_reused_for_another_conversation(client, world, auth):
    conv = open_conv(client, auth, world.resident)
    key = cid()
    send(client, auth(world.resident), conv["id"], "hi", key)
    other = Conversation(resident_id=world.resident.id, community_id=world.c1.id, shared_at=utcnow())
    db.session.add(other)
    db.session.commit()
    res = send(client, auth(world.resident), other.id, "hi", key)
    assert res.status_code == 409
    assert res.get_json()["error"]["code"] == "client_id_reused"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "  "}, "body"),
        ({"body": "x" * 2001}, "body"),
        ({"body": "hi", "client_id": "short"}, "client_id"),
    ],
)
def test_bad_messages_are_422_and_store_nothing(client, world, auth, payload, field):
    conv = open_conv(client, auth, world.resident)
    res = client.post(
        f"{BASE}/{conv['id']}/messages", json={"client_id": cid(), **payload}, headers=auth(world.resident)
    )
    assert res.status_code == 422
    assert field in res.get_json()["error"]["fields"]
    db.session.expire_all()
    assert db.session.get(Conversation, conv["id"]).last_seq == 0


@pytest.mark.parametrize("who", ["resident2", "outsider", "worker2", "street2_staff", "committee"])
def test_others_get_404_on_everything(client, world, auth, who):
    conv = open_conv(client, auth, world.resident)
    send(client, auth(world.resident), conv["id"], "私事")
    headers = auth(getattr(world, who))
    cid_ = conv["id"]
    assert client.get(f"{BASE}/{cid_}", headers=headers).status_code == 404
    assert client.get(f"{BASE}/{cid_}/messages", headers=headers).status_code == 404
    assert send(client, headers, cid_, "偷看").status_code == 404
    for step in ("claim", "resolve", "reopen"):
        assert client.post(f"{BASE}/{cid_}/{step}", headers=headers).status_code == 404
    assert client.post(f"{BASE}/{cid_}/read", json={"seq": 1}, headers=headers).status_code == 404
    assert all(c["id"] != cid_ for c in inbox(client, headers))


def test_the_grid_worker_gets_it_first_then_the_community_after_the_configured_time(
    app, client, world, auth, outbox, monkeypatch
):
    monkeypatch.setitem(app.config, "CHAT_SHARE_AFTER_SECONDS", 300)
    conv = open_conv(client, auth, world.resident)
    send(client, auth(world.resident), conv["id"], "楼道灯坏了")
    assert [c["id"] for c in inbox(client, auth(world.grid_worker))] == [conv["id"]]
    assert inbox(client, auth(world.worker)) == []
    assert client.get(f"{BASE}/{conv['id']}", headers=auth(world.worker)).status_code == 404

    outbox.run_until_idle(now=utcnow() + timedelta(seconds=200))
    assert inbox(client, auth(world.worker)) == []
    outbox.run_until_idle(now=utcnow() + timedelta(seconds=400))
    shared = inbox(client, auth(world.worker), scope="unassigned")
    assert [c["id"] for c in shared] == [conv["id"]]
    assert shared[0]["shared"] is True
    # Still nothing for another community's worker.
    assert inbox(client, auth(world.worker2)) == []


def test_an_answered_conversation_stays_with_the_grid_worker(app, client, world, auth, outbox):
    conv = open_conv(client, auth, world.resident)
    send(client, auth(world.resident), conv["id"], "你好")
    send(client, auth(world.grid_worker), conv["id"], "您好，请讲")
    outbox.run_until_idle(now=utcnow() + timedelta(hours=1))
    assert inbox(client, auth(world.worker)) == []
    mine = inbox(client, auth(world.grid_worker), scope="mine")
    assert [c["id"] for c in mine] == [conv["id"]]  # answering claimed it


def test_without_a_grid_worker_the_whole_community_sees_it_at_once(client, world, auth):
    conv = open_conv(client, auth, world.resident2)  # grid g2 has no grid worker
    assert conv["shared"] is True
    send(client, auth(world.resident2), conv["id"], "有人吗")
    assert [c["id"] for c in inbox(client, auth(world.worker))] == [conv["id"]]


def test_the_inbox_has_unread_counts_last_message_and_scopes(client, world, auth):
    conv = open_conv(client, auth, world.resident2)
    send(client, auth(world.resident2), conv["id"], "第一条")
    send(client, auth(world.resident2), conv["id"], "第二条很长" * 30)
    (row,) = inbox(client, auth(world.worker), scope="unassigned")
    assert row["unread"] == 2
    assert row["last_message"]["seq"] == 2
    assert row["last_message"]["preview"].startswith("第二条很长")
    assert row["waiting_since"] is not None
    assert inbox(client, auth(world.worker), scope="mine") == []
    res = client.post(f"{BASE}/{conv['id']}/read", json={"seq": 2}, headers=auth(world.worker))
    assert res.get_json()["unread"] == 0
    assert res.get_json()["staff_read_seq"] == 2
    # The resident's own list shows the read tick.
    (mine,) = inbox(client, auth(world.resident2))
    assert mine["staff_read_seq"] == 2
    assert mine["unread"] == 0


def test_the_inbox_list_costs_the_same_queries_for_many_conversations(client, world, auth, count_queries):
    headers = auth(world.worker)

    def conversations(n):
        for i in range(n):
            c = Conversation(
                resident_id=world.resident2.id, community_id=world.c1.id, shared_at=utcnow(),
                first_message_at=utcnow(), last_seq=i, status="open" if i % 2 else "resolved",
            )  # fmt: skip
            db.session.add(c)
        db.session.commit()

    conversations(2)
    with count_queries() as few:
        assert len(inbox(client, headers, limit=50)) == 2
    conversations(30)
    with count_queries() as many:
        assert len(inbox(client, headers, limit=50)) == 32
    assert len(many) == len(few)


def test_the_inbox_pages_by_cursor(client, world, auth):
    for _ in range(5):
        db.session.add(
            Conversation(
                resident_id=world.resident2.id,
                community_id=world.c1.id,
                shared_at=utcnow(),
                first_message_at=utcnow(),
            )
        )
    db.session.commit()
    headers = auth(world.worker)
    first = client.get(BASE, query_string={"limit": 3}, headers=headers).get_json()
    second = client.get(
        BASE, query_string={"limit": 3, "cursor": first["next_cursor"]}, headers=headers
    ).get_json()
    ids = [c["id"] for c in first["data"] + second["data"]]
    assert len(ids) == 5
    assert len(set(ids)) == 5
    assert second["next_cursor"] is None


def test_claim_is_first_come_and_transfer_hands_it_on(client, world, auth):
    conv = open_conv(client, auth, world.resident2)
    send(client, auth(world.resident2), conv["id"], "咨询一下")
    colleague = world.grid_worker  # a grid worker of the same community (grid g1)
    res = client.post(f"{BASE}/{conv['id']}/claim", headers=auth(world.worker))
    assert res.status_code == 200
    assert res.get_json()["assignee"]["id"] == world.worker.id
    again = client.post(f"{BASE}/{conv['id']}/claim", headers=auth(colleague))
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_claimed"

    bad = client.post(
        f"{BASE}/{conv['id']}/transfer", json={"to_user_id": world.worker2.id}, headers=auth(world.worker)
    )
    assert bad.status_code == 422
    res = client.post(
        f"{BASE}/{conv['id']}/transfer", json={"to_user_id": colleague.id}, headers=auth(world.worker)
    )
    assert res.status_code == 200
    assert res.get_json()["assignee"]["id"] == colleague.id
    assert [c["id"] for c in inbox(client, auth(colleague), scope="mine")] == [conv["id"]]
    # The resident is told, as system messages in the same sequence.
    got = messages(client, auth(world.resident2), conv["id"])
    assert [(m["seq"], m["kind"]) for m in got] == [(1, "text"), (2, "system"), (3, "system")]
    assert colleague.name in got[2]["body"]


def test_resolve_rating_and_reopen(client, world, auth):
    conv = open_conv(client, auth, world.resident)
    send(client, auth(world.resident), conv["id"], "问题")
    send(client, auth(world.grid_worker), conv["id"], "答复")
    url = f"{BASE}/{conv['id']}"
    early = client.post(f"{url}/rating", json={"rating": 5}, headers=auth(world.resident))
    assert early.status_code == 409
    assert client.post(f"{url}/resolve", headers=auth(world.resident)).status_code == 403
    res = client.post(f"{url}/resolve", headers=auth(world.grid_worker))
    assert res.status_code == 200
    assert res.get_json()["status"] == "resolved"
    assert client.post(f"{url}/resolve", headers=auth(world.grid_worker)).status_code == 409
    assert client.post(f"{url}/rating", json={"rating": 9}, headers=auth(world.resident)).status_code == 422
    assert (
        client.post(f"{url}/rating", json={"rating": 4}, headers=auth(world.grid_worker)).status_code == 403
    )
    rated = client.post(
        f"{url}/rating", json={"rating": 4, "comment": "很及时"}, headers=auth(world.resident)
    )
    assert rated.status_code == 201
    assert rated.get_json()["rating"] == {"rating": 4, "comment": "很及时"}
    twice = client.post(f"{url}/rating", json={"rating": 5}, headers=auth(world.resident))
    assert twice.status_code == 409
    assert twice.get_json()["error"]["code"] == "already_rated"
    # A new question opens a new conversation; a message in the resolved one reopens it.
    send(client, auth(world.resident), conv["id"], "还有一个问题")
    assert client.get(url, headers=auth(world.resident)).get_json()["status"] == "open"
    assert client.post(f"{url}/resolve", headers=auth(world.grid_worker)).status_code == 200
    assert client.post(f"{url}/reopen", headers=auth(world.grid_worker)).get_json()["status"] == "open"


def test_private_notes_are_for_staff_only(client, world, auth):
    conv = open_conv(client, auth, world.resident)
    send(client, auth(world.resident), conv["id"], "问题")
    note = send(client, auth(world.grid_worker), conv["id"], "此人上周也问过", internal=True)
    assert note.status_code == 201
    assert note.get_json()["internal"] is True
    assert note.get_json()["seq"] == 1  # notes count on their own
    assert send(client, auth(world.resident), conv["id"], "x", internal=True).status_code == 403
    assert [m["body"] for m in messages(client, auth(world.resident), conv["id"])] == ["问题"]
    res = client.get(
        f"{BASE}/{conv['id']}/messages", query_string={"internal": "true"}, headers=auth(world.resident)
    )
    assert res.status_code == 404
    notes = messages(client, auth(world.grid_worker), conv["id"], internal="true")
    assert [m["body"] for m in notes] == ["此人上周也问过"]
    # A note is not an answer: the resident still waits.
    assert client.get(f"{BASE}/{conv['id']}", headers=auth(world.grid_worker)).get_json()["waiting_since"]


def test_history_scrolls_back_and_catches_up(client, world, auth):
    conv = open_conv(client, auth, world.resident)
    headers = auth(world.resident)
    for n in range(1, 8):
        send(client, headers, conv["id"], f"m{n}")
    newest = client.get(
        f"{BASE}/{conv['id']}/messages", query_string={"limit": 3}, headers=headers
    ).get_json()
    assert [m["seq"] for m in newest["data"]] == [5, 6, 7]
    assert newest["has_more"] is True
    older = messages(client, headers, conv["id"], before_seq=5, limit=3)
    assert [m["seq"] for m in older] == [2, 3, 4]
    after = client.get(
        f"{BASE}/{conv['id']}/messages", query_string={"after_seq": 5, "limit": 1}, headers=headers
    ).get_json()
    assert [m["seq"] for m in after["data"]] == [6]
    assert after["has_more"] is True


def test_photos_go_through_uploads_and_are_seen_by_the_conversation_only(client, world, auth):
    conv = open_conv(client, auth, world.resident)
    upload_id = upload(client, auth(world.resident))
    res = send(client, auth(world.resident), conv["id"], "", attachment_ids=[upload_id])
    assert res.status_code == 201
    (att,) = res.get_json()["attachments"]
    assert att["id"] == upload_id
    assert "sig=" in att["url"]
    assert client.get(f"/api/v1/uploads/{upload_id}", headers=auth(world.grid_worker)).status_code == 200
    assert client.get(f"/api/v1/uploads/{upload_id}", headers=auth(world.worker2)).status_code == 404
    # One photo, one message; and not a report's photo either (app.uploads.service.unattached).
    again = send(client, auth(world.resident), conv["id"], "again", attachment_ids=[upload_id])
    assert again.status_code == 422
    from app.reports.categories import seed_categories

    seed_categories()
    db.session.commit()
    report = client.post(
        "/api/v1/reports",
        json={"category": "power.streetlight", "description": "路灯不亮", "lat": 22.555, "lng": 113.885,
              "photo_ids": [upload_id]},
        headers=auth(world.resident),
    )  # fmt: skip
    assert report.status_code == 422
    assert "photo_ids" in report.get_json()["error"]["fields"]
    # Not purged as an orphan.
    from app.uploads.service import purge_orphans

    assert purge_orphans(utcnow() + timedelta(days=2)) == 0


def test_out_of_hours_a_resident_gets_one_automatic_reply(app, client, world, auth, monkeypatch):
    monkeypatch.setitem(app.config, "CHAT_WORKING_HOURS", "08:30-17:30")
    monkeypatch.setitem(app.config, "CHAT_WORKING_DAYS", "1,2,3,4,5")
    from app.chat import service

    saturday_night = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai
    conv, _ = service.open_conversation(by=world.resident, now=saturday_night)
    assert conv.shared_at is not None  # the grid worker is off duty: everyone sees it
    service.send_message(conv.id, by=world.resident, body="晚上好", client_id=cid(), now=saturday_night)
    service.send_message(
        conv.id, by=world.resident, body="还在吗", client_id=cid(), now=saturday_night + timedelta(minutes=5)
    )
    db.session.commit()
    got = messages(client, auth(world.resident), conv.id)
    assert [m["kind"] for m in got] == ["text", "auto", "text"]
    assert "11月30日 08:30" in got[1]["body"]  # Monday morning


def test_canned_replies_belong_to_the_community(client, world, auth):
    url = "/api/v1/canned-replies"
    res = client.post(
        url, json={"shortcut": "hours", "body": "工作时间 8:30-17:30"}, headers=auth(world.worker)
    )
    assert res.status_code == 201
    assert res.get_json()["community_id"] == world.c1.id
    assert [r["shortcut"] for r in client.get(url, headers=auth(world.grid_worker)).get_json()] == ["hours"]
    assert client.get(url, headers=auth(world.worker2)).get_json() == []
    assert client.get(url, headers=auth(world.resident)).status_code == 403
    assert (
        client.post(url, json={"shortcut": "x", "body": "y"}, headers=auth(world.resident)).status_code == 403
    )
    assert client.post(url, json={"shortcut": ""}, headers=auth(world.worker)).status_code == 422


def test_concurrent_sends_get_gapless_seqs_and_a_concurrent_resend_stores_once(app, client, world, auth):
    """Senders racing on one conversation (each its own session and transaction) are ordered by its row
    lock: seqs 1..n with no gap, and two copies of one message racing each other store it once."""
    import threading

    from app.auth.models import User
    from app.chat import service
    from app.core.after_commit import commit

    conv = open_conv(client, auth, world.resident)
    people = [world.resident.id, world.grid_worker.id]
    shared_key = cid()
    results, errors = [], []
    start = threading.Barrier(8)

    def sender(n: int) -> None:
        try:
            with app.test_request_context():
                start.wait(timeout=10)
                for i in range(4):
                    user = db.session.get(User, people[(n + i) % 2] if i else world.resident.id)
                    key = shared_key if i == 0 else cid()
                    msg, replayed = service.send_message(conv["id"], by=user, body=f"{n}-{i}", client_id=key)
                    results.append((msg.id, msg.seq, replayed))
                    commit()
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    stored = messages(client, auth(world.resident), conv["id"], limit=100)
    assert [m["seq"] for m in stored] == list(range(1, 26))  # 8 x 3 fresh messages, and the shared one once
    assert sum(1 for m in stored if m["client_id"] == shared_key) == 1
    assert sorted(replayed for _id, _seq, replayed in results).count(True) == 7
    assert len({(msg_id, seq) for msg_id, seq, _ in results}) == 25
    db.session.expire_all()
    assert db.session.get(Conversation, conv["id"]).last_seq == 25
