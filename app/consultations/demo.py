"""Demo consultations for `flask seed-demo`: one open with opinions, one answered with follow-through;
found again by title, so rerunning adds nothing."""

from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.consultations import service
from app.consultations.models import Consultation, Stance
from app.core.db import utcnow
from app.extensions import db
from app.regions.models import Level, Region

COMMITTEE = "13800000003"
OPEN_TITLE = "小区东门空地加装电动车充电棚"
ANSWERED_TITLE = "3—4栋垃圾投放点迁移"
# author phone, stance, text, replies (author phone, text)
OPINIONS = [
    ("13900000001", Stance.FOR, "支持！现在大家都把车推进楼道充电，太危险了。", [
        ("13800000003", "谢谢支持，充电棚会配烟感和自动断电。"),
    ]),
    ("13900000005", Stance.AGAINST, "东门空地是孩子们玩的地方，能不能换到地下车库入口？", []),
    ("13900000012", Stance.NEUTRAL, "位置都可以，希望收费别太贵，按小时计费比较合理。", [
        ("13900000002", "同意，最好能扫码按度计费。"),
    ]),
]  # fmt: skip


def seed_demo_consultations() -> tuple[int, int]:
    """Returns (created now, total consultations). Needs the demo regions and accounts."""
    users = {u.phone: u for u in db.session.scalars(sa.select(User))}
    community = db.session.scalar(
        sa.select(Region).where(Region.name == "海裕社区", Region.level == Level.COMMUNITY)
    )
    committee = users.get(COMMITTEE)
    created = 0
    if community is not None and committee is not None:
        created += _open_one(community, committee, users)
        created += _answered_one(community, committee)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Consultation))
    return created, total


def _exists(region: Region, title: str) -> bool:
    found = sa.select(Consultation.id).where(Consultation.region_id == region.id, Consultation.title == title)
    return db.session.scalar(found) is not None


def _open_one(community: Region, committee: User, users: dict[str, User]) -> int:
    if _exists(community, OPEN_TITLE):
        return 0
    now = utcnow()
    consultation = service.create_consultation(
        by=committee,
        region_id=community.id,
        title=OPEN_TITLE,
        body="很多居民反映电动车没地方充电，只好推进楼道。居委会拟在小区东门空地加装一座可停放40辆车的"
        "充电棚，配备烟感报警和充满自动断电。请大家说说赞成还是反对，有什么建议，月底前汇总答复。",
        closes_at=now + timedelta(days=10),
        outcome_due_at=now + timedelta(days=20),
        open=True,
        now=now - timedelta(days=2),
    )
    for phone, stance, text, replies in OPINIONS:
        if phone not in users:
            continue
        opinion = service.add_comment(consultation.id, by=users[phone], body=text, stance=stance)
        for reply_phone, reply_text in replies:
            if reply_phone in users:
                service.add_comment(
                    consultation.id, by=users[reply_phone], body=reply_text, parent_id=opinion.id
                )
    for phone in ("13900000001", "13900000003", "13900000004", "13900000011"):
        if phone in users:
            service.support(consultation.id, by=users[phone])
    return 1


def _answered_one(community: Region, committee: User) -> int:
    if _exists(community, ANSWERED_TITLE):
        return 0
    start = utcnow() - timedelta(days=30)
    consultation = service.create_consultation(
        by=committee,
        region_id=community.id,
        title=ANSWERED_TITLE,
        body="3栋东侧垃圾投放点夏天异味大，拟迁到4栋北侧绿化带旁，请大家发表意见。",
        closes_at=start + timedelta(days=7),
        outcome_due_at=start + timedelta(days=14),
        open=True,
        now=start,
    )
    service.transition(consultation.id, "close", by=committee, now=start + timedelta(days=7))
    service.publish_outcome(
        consultation.id,
        by=committee,
        body="经议事，投放点迁至4栋北侧，增设洗手池和除臭设备，原址改为休闲座椅。",
        now=start + timedelta(days=10),
    )
    item = service.add_followup(consultation.id, by=committee, body="新投放点建设", progress=30)
    service.add_followup(consultation.id, by=committee, body="洗手池已安装", progress=70, item_id=item.id)
    service.add_followup(consultation.id, by=committee, body="原址改造休闲座椅", progress=10)
    return 1
