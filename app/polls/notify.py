"""What polls tell people: pushes (PushKind.POLL) when a poll opens, closes within 24 h and has results, and
the results notice. All of it is written in the caller's transaction (outbox), so a rollback tells nobody."""

from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.extensions import db
from app.notices.models import Notice
from app.polls.models import Counting, Poll, PollVoter, RollUser
from app.push.models import PushKind
from app.push.service import notify_users

# Residents read times in China time (the PWA's TIME_ZONE too).
LOCAL = ZoneInfo("Asia/Shanghai")


def _url(poll: Poll) -> str:
    return f"/polls/{poll.id}"


def _roll_users(poll: Poll) -> list[int]:
    return list(db.session.scalars(sa.select(RollUser.user_id).where(RollUser.poll_id == poll.id)))


def opened(poll: Poll, user_ids: list[int]) -> None:
    notify_users(
        user_ids,
        PushKind.POLL,
        title=f"投票开始：{poll.title}",
        body=f"{poll.closes_at.astimezone(LOCAL):%m月%d日 %H:%M} 截止。点开投票，完成后会得到回执码。",
        url=_url(poll),
        tag=f"poll-{poll.id}",
        ref=f"poll:{poll.id}:opened",
    )


def closing_soon(poll: Poll) -> None:
    """Remind only those who have not voted (their household or owner party neither)."""
    voted = sa.select(PollVoter.voter_key).where(PollVoter.poll_id == poll.id)
    waiting = db.session.scalars(
        sa.select(RollUser.user_id).where(RollUser.poll_id == poll.id, RollUser.voter_key.not_in(voted))
    )
    notify_users(
        list(waiting),
        PushKind.POLL,
        title=f"投票即将截止：{poll.title}",
        body="24 小时内截止，您还没有投票。",
        url=_url(poll),
        tag=f"poll-{poll.id}",
        ref=f"poll:{poll.id}:closing",
    )


def _result_text(poll: Poll) -> str:
    result = poll.result or {}
    turnout = result.get("turnout", {})
    lines = [
        f"投票“{poll.title}”已结束。",
        f"参与：{turnout.get('heads', 0)} / {turnout.get('eligible_heads', 0)}",
    ]
    if poll.counting == Counting.OWNERS:
        lines.append(f"参与面积：{turnout.get('area')} / {turnout.get('eligible_area')} ㎡")
        lines.append(
            "达到法定参与人数和面积（三分之二以上）" if result.get("quorum_met") else "未达到法定参与比例"
        )
    for option in result.get("options", []):
        area = f"，{option['area']} ㎡" if "area" in option else ""
        lines.append(f"· {option['label']}：{option['count']} 票{area}")
    if result.get("passed") is not None:
        lines.append("结果：通过" if result["passed"] else "结果：未通过")
    lines.append(f"选民名册指纹：{poll.roll_fingerprint}")
    lines.append(f"投票哈希链尾：{poll.chain_head}（可在投票页核对回执码）")
    return "\n".join(lines)


def closed(poll: Poll) -> None:
    # The Notice row is written here rather than through notices.service.create_notice: that would push a
    # NOTICE to every resident on top of the POLL push below, two alerts for one result.
    notice = Notice(
        region_id=poll.region_id,
        author_id=poll.created_by_id,
        title=f"投票结果公示：{poll.title}"[:120],
        body=_result_text(poll),
        category="policy",
        publish_at=poll.closed_at,
    )
    db.session.add(notice)
    db.session.flush()
    poll.notice_id = notice.id
    notify_users(
        _roll_users(poll),
        PushKind.POLL,
        title=f"投票结果已公布：{poll.title}",
        body="查看结果，并核对您的回执码是否在公示名单中。",
        url=_url(poll),
        tag=f"poll-{poll.id}",
        ref=f"poll:{poll.id}:results",
    )


def decided(poll: Poll) -> None:
    notify_users(
        _roll_users(poll),
        PushKind.POLL,
        title=f"决定已公布：{poll.title}",
        body=poll.decision or "",
        url=_url(poll),
        tag=f"poll-{poll.id}",
        ref=f"poll:{poll.id}:decision",
    )
