"""A few demo reports in every state, for `flask seed-demo`: created once (by their idempotency keys)."""

from datetime import timedelta

import sqlalchemy as sa
from shapely.geometry import shape

from app.auth.models import User
from app.core.db import utcnow
from app.extensions import db
from app.regions.models import Level, Region
from app.reports import service
from app.reports.models import Report
from app.reports.workflow import Action, move_report

# reporter phone, grid, category, description, hours ago, moves made by the grid's staff (the resolved
# ones are of categories that need no proof photo, so the demo carries no image files)
DEMO_REPORTS = [
    ("13900000001", "海裕社区第一网格", "env.garbage", "3栋楼下垃圾桶满了两天，没人清运。", 1.6, []),
    ("13900000002", "海裕社区第一网格", "power.streetlight", "小区东门路灯不亮，晚上很黑。", 20,
     ["accept", "contact"]),
    ("13900000003", "海裕社区第一网格", "noise.living", "楼上每天晚上十一点后还在拖动家具。", 50,
     ["accept", "contact", "start", "resolve"]),
    ("13900000011", "海裕社区第二网格", "property.service", "物业保洁不到位，5栋楼道三天没拖。", 80,
     ["accept", "contact", "start", "resolve", "rate"]),
    ("13900000004", "海裕社区第一网格", "fire.ebike", "1栋楼道里有人给电动车充电，电线拖到家里。", 0.4, []),
    ("13900000012", "海裕社区第二网格", "street.bikes", "地铁口共享单车堆满人行道。", 30, ["accept"]),
]  # fmt: skip
# Grid 1 has a grid worker in the demo; grid 2 is worked by the community worker.
STAFF_OF = {"海裕社区第一网格": "13800000002", "海裕社区第二网格": "13800000001"}


def _spot(grid: Region) -> dict:
    point = shape(grid.boundary).representative_point()
    return {"lat": round(point.y, 6), "lng": round(point.x, 6)}


def seed_demo_reports() -> tuple[int, int]:
    """Returns (created now, total reports). Needs the demo regions, accounts and categories."""
    users = {u.phone: u for u in db.session.scalars(sa.select(User))}
    grids = {g.name: g for g in db.session.scalars(sa.select(Region).where(Region.level == Level.GRID))}
    created = 0
    for n, (phone, grid_name, category, text, hours, moves) in enumerate(DEMO_REPORTS, start=1):
        reporter, grid, worker = users.get(phone), grids.get(grid_name), users.get(STAFF_OF[grid_name])
        if reporter is None or grid is None or worker is None:
            continue
        start = utcnow() - timedelta(hours=hours)
        report, replayed = service.create_report(
            by=reporter, category=category, description=text, idempotency_key=f"demo-{n}", now=start,
            **_spot(grid),
        )  # fmt: skip
        if replayed:
            continue
        created += 1
        for step, action in enumerate(moves, start=1):
            at = start + timedelta(minutes=20 * step)
            if action == "rate":
                db.session.flush()
                thanks = "很快就修好了，谢谢！"
                service.rate_report(
                    report.id, by=reporter, resolved=True, satisfaction=5, comment=thanks, now=at
                )
                continue
            note = {"resolve": "已上门协调处理", "contact": "已电话联系居民"}.get(action)
            move_report(report, Action(action), by=worker, note=note, now=at)
        db.session.flush()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Report))
    return created, total
