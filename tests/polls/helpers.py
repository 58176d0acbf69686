"""Helpers for poll tests: an owners' register built by hand, polls created through the API, closing them."""

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.polls import chain
from app.polls.jobs import tick
from app.polls.models import Poll
from app.regions.models import Region, Unit
from app.regions.ownership import Owner, OwnerKind, OwnerUser, UnitOwner
from tests.factories import UnitFactory, UserFactory

POLLS = "/api/v1/polls"
_rooms = iter(range(1000, 100_000))


def unit(community: Region, area: str, *, grid: Region | None = None) -> Unit:
    return UnitFactory(
        community_id=community.id,
        grid_id=grid.id if grid else None,
        building="9",
        room=str(next(_rooms)),
        floor_area=Decimal(area),
    )


def owner(community: Region, areas: list[str], *, kind=OwnerKind.PERSON, users=(), name=None) -> Owner:
    """An owner party holding one new unit per area in `areas`, with `users` verified as its people."""
    party = Owner(community_id=community.id, name=name or f"业主{next(_rooms)}", kind=kind)
    db.session.add(party)
    db.session.flush()
    for area in areas:
        db.session.add(UnitOwner(unit_id=unit(community, area).id, owner_id=party.id))
    for user in users:
        db.session.add(OwnerUser(owner_id=party.id, user_id=user.id))
    db.session.flush()
    return party


def owners_with_users(community: Region, areas: list[str]) -> list:
    """One single-unit owner per area, each with one app user; returns [(owner, user)]."""
    pairs = []
    for area in areas:
        user = UserFactory()
        pairs.append((owner(community, [area], users=[user]), user))
    db.session.commit()
    return pairs


def poll_body(region: Region, **overrides) -> dict:
    body = {
        "region_id": region.id,
        "title": "是否同意加装电梯",
        "options": [{"label": "同意"}, {"label": "反对"}, {"label": "弃权"}],
        "closes_at": (utcnow() + timedelta(days=3)).isoformat(),
    }
    body.update(overrides)
    return body


def create(client, headers, region: Region, **overrides) -> dict:
    response = client.post(POLLS, json=poll_body(region, **overrides), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def vote(client, headers, poll: dict, *labels: str, **extra):
    ids = [o["id"] for o in poll["options"] if o["label"] in labels]
    return client.post(f"{POLLS}/{poll['id']}/ballots", json={"option_ids": ids, **extra}, headers=headers)


def close(poll_id: int) -> None:
    """Move the poll's closing time into the past and run the worker's tick, as the worker would."""
    db.session.execute(
        sa.update(Poll).where(Poll.id == poll_id).values(closes_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    tick(utcnow())
    db.session.commit()


def verify_chain(page: dict) -> str:
    """Recompute the published chain from genesis; returns the head it arrives at."""
    head = page["genesis"]
    for expected_seq, entry in enumerate(page["data"], start=1):
        assert entry["seq"] == expected_seq
        head = chain.link(head, entry["seq"], entry["receipt"], entry["digest"])
        assert head == entry["hash"]
    return head
