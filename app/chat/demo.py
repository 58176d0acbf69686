"""Demo conversations for `flask seed-demo`: answered and rated, waiting, and in a worker's hands with a
private note; plus a few canned replies and the workers' photos for the residents' worker card. Created once
(a resident with a conversation, or a worker with a photo, is skipped)."""

import io
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image, ImageDraw

from app.auth.models import User
from app.auth.service import set_photo
from app.chat import service
from app.chat.models import CannedReply, Conversation
from app.core.db import utcnow
from app.extensions import db
from app.regions.models import Level, Region
from app.uploads.service import create_upload

# resident phone, hours ago, [(who: "r" resident / "w" worker / "n" private note, text)], then steps
DEMO_CHATS = [
    ("13900000001", "13800000002", 26, [
        ("r", "您好，请问小区什么时候统一清洗水箱？"),
        ("w", "您好，本月20日上午9点到12点清洗，届时会停水，请提前储水。"),
        ("r", "好的，谢谢！"),
    ], ["resolve", "rate"]),
    ("13900000002", "13800000002", 0.3, [
        ("r", "3栋电梯这两天老是卡在5楼，能不能找物业看看？"),
    ], []),
    ("13900000011", "13800000001", 3, [
        ("r", "我想办理居住证明，需要带什么材料？"),
        ("w", "请带身份证、租赁合同（或房产证）原件，工作日到社区党群服务中心一楼办理。"),
        ("n", "该居民租赁合同快到期，提醒其续签后再来。"),
        ("r", "周六可以去吗？"),
    ], []),
]  # fmt: skip
CANNED = [
    ("工作时间", "社区党群服务中心工作时间：周一至周五 8:30–12:00，14:00–17:30。"),
    ("已转交", "您反映的问题已转交相关部门处理，我们会持续跟进并及时告诉您进展。"),
    ("紧急情况", "如遇火灾、治安等紧急情况，请立即拨打 119 / 110。"),
]


def seed_demo_chat() -> tuple[int, int]:
    """Returns (conversations created now, conversations in all)."""
    users = {u.phone: u for u in db.session.scalars(sa.select(User))}
    created = 0
    for n, (phone, staff_phone, hours, lines, steps) in enumerate(DEMO_CHATS, start=1):
        resident, worker = users.get(phone), users.get(staff_phone)
        if resident is None or worker is None:
            continue
        if db.session.scalar(sa.select(Conversation.id).where(Conversation.resident_id == resident.id)):
            continue
        at = utcnow() - timedelta(hours=hours)
        conv, _ = service.open_conversation(by=resident, now=at)
        for i, (who, text) in enumerate(lines, start=1):
            at += timedelta(minutes=4)
            service.send_message(
                conv.id, by=resident if who == "r" else worker, body=text, client_id=f"demo-chat-{n}-{i}",
                internal=who == "n", now=at,
            )  # fmt: skip
        for step in steps:
            at += timedelta(minutes=10)
            if step == "resolve":
                service.resolve(conv.id, by=worker, now=at)
            elif step == "rate":
                service.rate(conv.id, by=resident, rating=5, comment="回复很及时", now=at)
        created += 1
    community = db.session.scalar(
        sa.select(Region).where(Region.name == "海裕社区", Region.level == Level.COMMUNITY)
    )
    if community is not None and not db.session.scalar(
        sa.select(CannedReply.id).where(CannedReply.community_id == community.id)
    ):
        for shortcut, body in CANNED:
            db.session.add(CannedReply(community_id=community.id, shortcut=shortcut, body=body))
    db.session.flush()
    return created, db.session.scalar(sa.select(sa.func.count()).select_from(Conversation))


# (background, figure): a light ground and a darker figure of the same hue, a different pair per worker.
PHOTO_COLOURS = [
    ((219, 234, 254), (30, 64, 175)),
    ((220, 252, 231), (22, 101, 52)),
    ((254, 243, 199), (146, 64, 14)),
    ((252, 231, 243), (157, 23, 77)),
]


def avatar_png(n: int, size: int = 256) -> bytes:
    """A head and shoulders on a coloured ground: a stand-in portrait drawn here, with nothing downloaded."""
    background, figure = PHOTO_COLOURS[n % len(PHOTO_COLOURS)]
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((0.32 * size, 0.16 * size, 0.68 * size, 0.52 * size), fill=figure)
    # The shoulders run past the bottom edge, as in a portrait photo.
    draw.ellipse((0.14 * size, 0.58 * size, 0.86 * size, 1.22 * size), fill=figure)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed_demo_photos(workers: list[User]) -> tuple[int, int]:
    """Gives each worker without a photo a drawn one, uploaded (and so cleaned and re-encoded) like any
    other. Returns (photos set now, workers given one in all)."""
    created = 0
    for n, worker in enumerate(workers):
        if worker.photo_id is None:
            upload, _ = create_upload(avatar_png(n), by=worker)
            set_photo(upload.id, by=worker)
            created += 1
    return created, len(workers)
