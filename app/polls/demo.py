"""Demo polls for `flask seed-demo`: 海裕社区's owners' register, an open residents' poll and a closed owners'
vote with its result notice, decision and follow-through. Created once (found again by title)."""

from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.core.db import utcnow
from app.extensions import db
from app.polls import service
from app.polls.models import Channel, Counting, Poll, ResultsVisibility, Secrecy, Threshold
from app.regions.models import Level, Membership, Region, Unit
from app.regions.ownership import Owner, OwnerKind, OwnerUser, UnitOwner

COMMUNITY = "海裕社区"
COMMITTEE_PHONE = "13800000003"
WORKER_PHONE = "13800000001"
# Building 6 is not all sold: the developer still holds its top two floors (one owner by headcount).
DEVELOPER_BUILDING, DEVELOPER_FROM_FLOOR = "6", 5
OPEN_TITLE = "社区广场健身器材更新：您希望优先添置哪些？"
CLOSED_TITLE = "是否同意使用维修资金更换1-2栋电梯"


def _owners(community: Region) -> int:
    """Every unit gets an owner party: residents own their own unit, the developer its unsold ones."""
    owned = set(
        db.session.scalars(sa.select(UnitOwner.unit_id).join(Unit).where(Unit.community_id == community.id))
    )
    units = db.session.scalars(
        sa.select(Unit).where(Unit.community_id == community.id).order_by(Unit.id)
    ).all()
    residents = {
        m.unit_id: m.user
        for m in db.session.scalars(
            sa.select(Membership).where(Membership.region_id == community.id, Membership.unit_id.is_not(None))
        )
    }
    developer = None
    created = 0
    for unit in units:
        if unit.id in owned:
            continue
        unsold = unit.building == DEVELOPER_BUILDING and int(unit.room[:-2]) >= DEVELOPER_FROM_FLOOR
        if unsold:
            if developer is None:
                developer = db.session.scalar(
                    sa.select(Owner).where(
                        Owner.community_id == community.id, Owner.kind == OwnerKind.DEVELOPER
                    )
                ) or Owner(
                    community_id=community.id, name="宝安置业有限公司（开发商）", kind=OwnerKind.DEVELOPER
                )
                db.session.add(developer)
                db.session.flush()
            party = developer
        else:
            user = residents.get(unit.id)
            party = Owner(community_id=community.id, name=user.name if user else f"{unit.label}业主")
            db.session.add(party)
            db.session.flush()
            if user is not None:
                db.session.add(OwnerUser(owner_id=party.id, user_id=user.id))
        db.session.add(UnitOwner(unit_id=unit.id, owner_id=party.id))
        created += 1
    db.session.flush()
    return created


def seed_demo_polls() -> tuple[int, int]:
    """Returns (created now, total polls). Needs the demo regions, units and accounts."""
    community = db.session.scalar(
        sa.select(Region).where(Region.name == COMMUNITY, Region.level == Level.COMMUNITY)
    )
    users = {u.phone: u for u in db.session.scalars(sa.select(User))}
    committee, worker = users.get(COMMITTEE_PHONE), users.get(WORKER_PHONE)
    if community is None or committee is None or worker is None:
        return 0, 0
    _owners(community)
    created = 0
    titles = set(db.session.scalars(sa.select(Poll.title).where(Poll.region_id == community.id)))
    now = utcnow()
    if OPEN_TITLE not in titles:
        created += 1
        poll = service.create_poll(
            by=committee,
            data={
                "region_id": community.id,
                "title": OPEN_TITLE,
                "body": "广场东侧的健身器材已使用十年，居委会计划更新。请选出您最希望添置的两项（可多选）。",
                "options": [{"label": label} for label in ("乒乓球台", "儿童滑梯", "漫步机", "遮阳休息亭")],
                "kind": "multiple",
                "max_choices": 2,
                "counting": Counting.PERSON,
                "threshold": Threshold.ORDINARY,
                "secrecy": Secrecy.SECRET,
                "results": ResultsVisibility.LIVE,
                "closes_at": now + timedelta(days=5),
            },
        )
        residents = [users[f"139{n:08d}"] for n in range(2, 9) if f"139{n:08d}" in users]
        for n, resident in enumerate(residents):
            picks = [poll.options[n % 4].id, poll.options[(n + 1) % 4].id] if n % 3 else [poll.options[2].id]
            service.cast_ballot(poll.id, picks, by=resident)
    if CLOSED_TITLE not in titles:
        created += 1
        poll = service.create_poll(
            by=committee,
            data={
                "region_id": community.id,
                "title": CLOSED_TITLE,
                "body": "1栋、2栋电梯已运行18年，年检多次整改。拟使用专项维修资金整体更换，"
                "预算约86万元。依《民法典》第二百七十八条，由业主共同决定（普通事项）。",
                "options": [{"label": "同意", "approves": True}, {"label": "不同意"}, {"label": "弃权"}],
                "kind": "single",
                "counting": Counting.OWNERS,
                "threshold": Threshold.ORDINARY,
                "secrecy": Secrecy.NAMED,
                "results": ResultsVisibility.AFTER_CLOSE,
                "closes_at": now + timedelta(days=1),
            },
        )
        yes, no, abstain = (o.id for o in poll.options)
        roll = service.roll_page(poll.id, viewer=worker, after=0, limit=500, q=None)
        with_app = {
            row.voter_key: row.user_id
            for row in db.session.execute(
                sa.text("SELECT voter_key, user_id FROM poll_roll_users WHERE poll_id = :p"), {"p": poll.id}
            )
        }
        for i, entry in enumerate(roll):
            if i % 4 == 3:
                continue  # a quarter did not take part
            choice = [no] if i % 7 == 1 else [abstain] if i % 11 == 2 else [yes]
            key = entry["voter_id"]
            if key in with_app and i % 2 == 0:
                service.cast_ballot(poll.id, choice, by=db.session.get(User, with_app[key]))
            else:
                service.cast_ballot(poll.id, choice, by=worker, channel=Channel.PAPER, voter_id=key)
        poll.closes_at = now - timedelta(hours=2)
        service.close_poll(poll, now - timedelta(hours=2))
        service.decide(
            poll.id,
            by=committee,
            body="表决通过。居委会将会同物业公开招标电梯更换单位，标书与报价将在公告栏公示。",
        )
        service.add_followup(poll.id, by=committee, body="已完成招标文件编制，下周一公开挂网。", progress=25)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Poll))
    return created, total
