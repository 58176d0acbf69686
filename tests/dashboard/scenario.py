"""A hand-built month of reports (October 2026, Asia/Shanghai) whose every dashboard figure is known.

All times are UTC; local time is UTC+8. T0 is 10 Oct 2026 10:00 local. Categories: noise.living (sign 2 h,
contact 24 h, resolve 7 d) and lift.fault (2 h, 2 h, 24 h), neither needing a proof photo (lift is a query).

c1 (海裕社区, grid g1):
  R1  noise  T0   signed +1h, contacted +3h, resolved +2d, rated resolved 5 at +3d        → closed
  R2  lift   T0   signed +3h, contacted +30h, resolved +8d (all late), rated resolved 3  → closed
  R3  noise  T0   signed +1h, contacted +2h, resolved +1d, rated NOT resolved 2 (+2d) → redo; resolved +3d,
                  rated resolved 4 (+4d)                                                 → closed, redone
  R4  noise  T0   rejected as invalid at +1h                                              → excluded
  R5  noise  31 Oct 23:59 local (15:59Z), untouched                                       → October, open
  R6  noise  1 Nov 00:00 local (16:00Z), untouched                                        → November, open
  R7  noise  20 Sep, signed, never contacted                                              → September, open
  R8  noise  100 minutes ago, untouched                                                   → open, yellow
  R9  noise  T0+1d signed +1h, contacted +2h; resolved/rated unresolved twice (+2d, +4d)  → supervised, open
c2 (灵芝社区, grid g3):
  R10 noise  T0   signed +30m, contacted +1h, resolved +1d, rated resolved 5 at +2d      → closed
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.core.db import utcnow
from app.extensions import db
from app.notices.models import Notice, NoticeRead
from app.regions.models import Membership
from app.reports import service
from app.reports.deadlines import check_deadlines
from app.reports.models import Report, ReportType
from app.reports.workflow import Action, move_report
from tests.reports.helpers import IN_G1, IN_G3

H = timedelta(hours=1)
D = timedelta(days=1)
T0 = datetime(2026, 10, 10, 2, 0, tzinfo=UTC)
A = Action


def report(by, at: datetime, *, category: str = "noise.living", where: dict = IN_G1, **extra) -> Report:
    created, _ = service.create_report(
        by=by, category=category, description="楼上每天半夜很吵", now=at, **where, **extra
    )
    db.session.commit()
    return created


def step(rep: Report, by, action: Action, at: datetime) -> None:
    note = "处理说明" if action in (A.RESOLVE, A.REJECT, A.CLOSE, A.REOPEN, A.EXTEND) else None
    move_report(rep, action, by=by, now=at, note=note)
    db.session.commit()


def rate(rep: Report, by, at: datetime, *, resolved: bool, satisfaction: int) -> None:
    service.rate_report(rep.id, by=by, resolved=resolved, satisfaction=satisfaction, now=at)
    db.session.commit()


@dataclass
class Scenario:
    reports: dict

    @classmethod
    def build(cls, w) -> "Scenario":
        gw, res = w.grid_worker, w.resident
        r = {}
        r[1] = report(res, T0)
        step(r[1], gw, A.ACCEPT, T0 + H)
        step(r[1], gw, A.CONTACT, T0 + 3 * H)
        step(r[1], gw, A.RESOLVE, T0 + 2 * D)
        rate(r[1], res, T0 + 3 * D, resolved=True, satisfaction=5)

        r[2] = report(res, T0, category="lift.fault", type=ReportType.CONSULTATION)
        step(r[2], gw, A.ACCEPT, T0 + 3 * H)
        step(r[2], gw, A.CONTACT, T0 + 30 * H)
        step(r[2], gw, A.RESOLVE, T0 + 8 * D)
        rate(r[2], res, T0 + 9 * D, resolved=True, satisfaction=3)

        r[3] = report(res, T0)
        step(r[3], gw, A.ACCEPT, T0 + H)
        step(r[3], gw, A.CONTACT, T0 + 2 * H)
        step(r[3], gw, A.RESOLVE, T0 + D)
        rate(r[3], res, T0 + 2 * D, resolved=False, satisfaction=2)
        step(r[3], gw, A.RESOLVE, T0 + 3 * D)
        rate(r[3], res, T0 + 4 * D, resolved=True, satisfaction=4)

        r[4] = report(res, T0)
        step(r[4], gw, A.REJECT, T0 + H)

        r[5] = report(res, datetime(2026, 10, 31, 15, 59, tzinfo=UTC))
        r[6] = report(res, datetime(2026, 10, 31, 16, 0, tzinfo=UTC))

        r[7] = report(res, datetime(2026, 9, 20, 2, 0, tzinfo=UTC))
        step(r[7], gw, A.ACCEPT, datetime(2026, 9, 20, 3, 0, tzinfo=UTC))

        now = utcnow()
        r[8] = report(w.resident2, now - timedelta(minutes=100))

        t9 = T0 + D
        r[9] = report(res, t9)
        step(r[9], gw, A.ACCEPT, t9 + H)
        step(r[9], gw, A.CONTACT, t9 + 2 * H)
        step(r[9], gw, A.RESOLVE, t9 + D)
        rate(r[9], res, t9 + 2 * D, resolved=False, satisfaction=1)
        step(r[9], gw, A.RESOLVE, t9 + 3 * D)
        rate(r[9], res, t9 + 4 * D, resolved=False, satisfaction=1)

        r[10] = report(w.outsider, T0, where=IN_G3)
        step(r[10], w.worker2, A.ACCEPT, T0 + timedelta(minutes=30))
        step(r[10], w.worker2, A.CONTACT, T0 + H)
        step(r[10], w.worker2, A.RESOLVE, T0 + D)
        rate(r[10], w.outsider, T0 + 2 * D, resolved=True, satisfaction=5)

        check_deadlines(now)
        db.session.commit()
        cls._participation(w)
        return cls(r)

    @staticmethod
    def _participation(w) -> None:
        """resident verified on 5 Oct; a c1 notice (15 Oct) read by resident and the worker, a g1 notice
        (20 Oct) read by resident: audience 2 + 1, reads by verified residents 1 + 1."""
        membership = db.session.query(Membership).filter_by(user_id=w.resident.id, region_id=w.c1.id).one()
        membership.decided_at = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)
        n1 = Notice(region_id=w.c1.id, author_id=w.worker.id, title="停水通知", body="周六停水",
                    publish_at=datetime(2026, 10, 15, 1, 0, tzinfo=UTC))  # fmt: skip
        n2 = Notice(region_id=w.g1.id, author_id=w.grid_worker.id, title="楼道清理", body="周日清理楼道",
                    publish_at=datetime(2026, 10, 20, 1, 0, tzinfo=UTC))  # fmt: skip
        db.session.add_all([n1, n2])
        db.session.flush()
        db.session.add_all([
            NoticeRead(notice_id=n1.id, user_id=w.resident.id),
            NoticeRead(notice_id=n1.id, user_id=w.worker.id),
            NoticeRead(notice_id=n2.id, user_id=w.resident.id),
        ])  # fmt: skip
        db.session.commit()
