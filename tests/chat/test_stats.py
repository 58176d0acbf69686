"""chat_figures on a hand-built week: first responses, waiting conversations and CSAT."""

from datetime import UTC, datetime, timedelta

from app.chat.models import Conversation, ConversationStatus
from app.chat.stats import chat_figures
from app.extensions import db

START = datetime(2026, 11, 2, tzinfo=UTC)
END = START + timedelta(days=7)


def conv(world, community, created, *, answer_after=None, rating=None, waiting=False, status="open"):
    c = Conversation(
        resident_id=world.resident.id,
        community_id=community.id,
        created_at=created,
        updated_at=created,
        first_message_at=created,
        first_response_at=created + timedelta(seconds=answer_after) if answer_after is not None else None,
        waiting_since=created if waiting else None,
        status=ConversationStatus(status),
        csat_rating=rating,
        rated_at=created + timedelta(hours=1) if rating else None,
    )
    db.session.add(c)
    return c


def test_figures_of_a_hand_built_week(world):
    day = START + timedelta(days=1)
    # Answered in 10 s .. 100 s: median 55, p90 (nearest rank of 10) = 90.
    for n in range(1, 11):
        conv(
            world,
            world.c1,
            day + timedelta(minutes=n),
            answer_after=10 * n,
            rating=(5, 4, 2)[n % 3] if n <= 6 else None,
        )
    conv(world, world.c1, day, waiting=True)  # waiting, unanswered
    conv(world, world.c1, START - timedelta(days=30), waiting=True)  # waiting, created long before
    conv(world, world.c1, START - timedelta(seconds=1), answer_after=5000, rating=1)  # before the window
    conv(world, world.c1, END, answer_after=7000, rating=1)  # end is exclusive
    conv(world, world.c2, day, answer_after=9000, rating=1, waiting=True)  # another community
    conv(world, world.c1, day, waiting=True, status="resolved")  # resolved: not waiting
    db.session.commit()

    got = chat_figures([world.c1.id], START, END)
    assert got == {
        "first_response": {"median_s": 55.0, "p90_s": 90.0, "count": 10},
        "waiting_now": 2,
        # Ratings of n = 1..6: n%3 -> 4, 2, 5, 4, 2, 5.
        "csat": {"rated": 6, "satisfied": 4},
    }
    both = chat_figures([world.c1.id, world.c2.id], START, END)
    assert both["first_response"]["count"] == 11
    assert both["waiting_now"] == 3
    assert both["csat"] == {"rated": 7, "satisfied": 4}


def test_an_empty_window_has_no_times(world):
    assert chat_figures([world.c1.id], START, END) == {
        "first_response": {"median_s": None, "p90_s": None, "count": 0},
        "waiting_now": 0,
        "csat": {"rated": 0, "satisfied": 0},
    }


def test_the_demo_has_conversations_once(app, monkeypatch):
    from app.chat.models import ChatMessage, Conversation
    from app.demo import seed_demo

    monkeypatch.setitem(app.config, "CHAT_WORKING_HOURS", "00:00-24:00")
    seed_demo()
    count = db.session.query(Conversation).count()
    messages = db.session.query(ChatMessage).count()
    seed_demo()
    assert count == 3
    assert db.session.query(Conversation).count() == 3
    assert db.session.query(ChatMessage).count() == messages
    rated = db.session.query(Conversation).filter(Conversation.csat_rating == 5).one()
    assert rated.status == ConversationStatus.RESOLVED
