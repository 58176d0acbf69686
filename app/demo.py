"""Demo data for `flask seed-demo`: a slice of Bao'an with accounts and notices; rerunning adds nothing."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.auth.models import User
from app.auth.service import hash_password
from app.core.after_commit import commit
from app.core.db import utcnow
from app.core.permissions import Role
from app.extensions import db
from app.notices.models import Notice, NoticeRead
from app.regions.models import Level, Membership, MembershipStatus, Region, Unit
from app.regions.service import create_region

DEMO_PASSWORD = "demo12345"

# Each community is a quadrilateral (its south edge, then its north edge, west to east, as [lng, lat]),
# cut into grids along shared edges; the cut points sit at different fractions on the two edges, so
# neighbouring grids touch without overlapping and none is a plain square.
COMMUNITIES = {
    "新安街道": {
        "海裕社区": {
            "south": ([113.8840, 22.5515], [113.9050, 22.5510]),
            "north": ([113.8860, 22.5660], [113.9030, 22.5680]),
            "cuts": ([0.30, 0.62], [0.36, 0.66]),
        },
        "灵芝社区": {
            "south": ([113.8860, 22.5660], [113.9030, 22.5680]),
            "north": ([113.8880, 22.5810], [113.9010, 22.5840]),
            "cuts": ([0.48], [0.55]),
        },
    },
    "西乡街道": {
        "固戍社区": {
            "south": ([113.8380, 22.5900], [113.8580, 22.5870]),
            "north": ([113.8410, 22.6060], [113.8560, 22.6090]),
            "cuts": ([0.34, 0.70], [0.30, 0.64]),
        },
    },
}
GRID_NUMERALS = "一二三四"

# Buildings per grid; each has one entrance, six floors and two flats a floor.
BUILDINGS_PER_GRID = 2
FLOORS = 6
FLATS = {"01": Decimal("89.36"), "02": Decimal("72.15")}

STAFF = [
    # phone, name, role, where (a region name)
    ("13800000000", "陈志强", Role.ADMIN, "宝安区"),
    ("13800000001", "林晓梅", Role.COMMUNITY_WORKER, "海裕社区"),
    ("13800000002", "黄伟明", Role.GRID_WORKER, "海裕社区第一网格"),
    ("13800000003", "郑丽华", Role.COMMITTEE, "海裕社区"),
    ("13800000004", "刘建军", Role.STREET_STAFF, "新安街道"),
]
RESIDENT_NAMES = [
    "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周婷", "吴强",
    "徐丽", "孙涛", "马超", "朱红", "胡斌", "郭琳", "何军", "高燕", "罗平", "梁晨",
]  # fmt: skip

DEMO_LOGINS = [
    ("13800000000", "admin (宝安区)"),
    ("13800000001", "community worker (海裕社区)"),
    ("13800000002", "grid worker (海裕社区第一网格)"),
    ("13800000003", "committee member (海裕社区)"),
    ("13800000004", "street staff (新安街道)"),
    ("13900000001–13900000020", "residents of 海裕社区 (01–10 grid 1, 11–20 grid 2)"),
]


@dataclass
class Tally:
    created: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)

    def saw(self, kind: str, *, new: bool) -> None:
        self.total[kind] = self.total.get(kind, 0) + 1
        if new:
            self.created[kind] = self.created.get(kind, 0) + 1


def _point(a: list[float], b: list[float], t: float) -> list[float]:
    return [round(a[0] + (b[0] - a[0]) * t, 6), round(a[1] + (b[1] - a[1]) * t, 6)]


def grid_polygons(shape: dict) -> list[dict]:
    """GeoJSON polygons (counter-clockwise, closed) for the grids of one community."""
    south_cuts, north_cuts = ([0.0, *cuts, 1.0] for cuts in shape["cuts"])
    south = [_point(*shape["south"], t) for t in south_cuts]
    north = [_point(*shape["north"], t) for t in north_cuts]
    return [
        {"type": "Polygon", "coordinates": [[south[i], south[i + 1], north[i + 1], north[i], south[i]]]}
        for i in range(len(south) - 1)
    ]


def _region(tally: Tally, name: str, level: Level, parent: Region | None, boundary: dict | None = None):
    found = db.session.scalar(
        sa.select(Region).where(
            Region.name == name,
            Region.level == level,
            Region.parent_id.is_(None) if parent is None else Region.parent_id == parent.id,
        )
    )
    tally.saw("regions", new=found is None)
    return found or create_region(name=name, level=level, parent=parent, boundary=boundary)


def _user(tally: Tally, phone: str, name: str, password_hash: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.phone == phone))
    tally.saw("users", new=user is None)
    if user is None:
        user = User(phone=phone, name=name, password_hash=password_hash)
        db.session.add(user)
        db.session.flush()
    return user


def _membership(tally: Tally, user: User, region: Region, role: Role, *, unit: Unit | None = None, by=None):
    found = db.session.scalar(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.region_id == region.id, Membership.role == role
        )
    )
    tally.saw("memberships", new=found is None)
    if found is None:
        found = Membership(
            user=user,
            region=region,
            role=role,
            unit=unit,
            status=MembershipStatus.ACTIVE,
            decided_at=utcnow(),
            decided_by_id=by.id if by else None,
        )
        db.session.add(found)
        db.session.flush()
    return found


def _units(tally: Tally, community: Region, grids: list[Region]) -> dict[int, list[Unit]]:
    existing = {
        (u.building, u.entrance, u.room): u
        for u in db.session.scalars(sa.select(Unit).where(Unit.community_id == community.id))
    }
    by_grid: dict[int, list[Unit]] = {}
    building = 0
    for grid in grids:
        for _ in range(BUILDINGS_PER_GRID):
            building += 1
            for floor in range(1, FLOORS + 1):
                for flat, area in FLATS.items():
                    key = (str(building), "1", f"{floor}{flat}")
                    unit = existing.get(key)
                    tally.saw("units", new=unit is None)
                    if unit is None:
                        # Top floors carry a share of the roof terrace, as many Shenzhen estates register.
                        extra = Decimal("12.40") if floor == FLOORS else Decimal(0)
                        unit = Unit(
                            community_id=community.id,
                            grid_id=grid.id,
                            building=key[0],
                            entrance=key[1],
                            room=key[2],
                            floor_area=area + Decimal(building % 3) * Decimal("3.5") + extra,
                        )
                        db.session.add(unit)
                    by_grid.setdefault(grid.id, []).append(unit)
    db.session.flush()
    return by_grid


def _notices(tally: Tally, regions: dict[str, Region], authors: dict[str, User]) -> list[Notice]:
    now = utcnow().replace(microsecond=0)
    day = timedelta(days=1)
    specs = [
        # region, author, category, pinned, published (relative to now), expires, title, body
        ("海裕社区", "13800000001", "safety", True, -1 * day, None,
         "关于开展台风“海燕”防御工作的紧急通知",
         "据市气象台预报，今年第14号台风将于本周末影响我区。请各位居民收好阳台花盆、晾晒衣物，"
         "检查门窗是否牢固，非必要不外出。社区党群服务中心24小时值班，值班电话0755-27771234。"),
        ("宝安区", "13800000000", "policy", False, -3 * day, None,
         "宝安区2026年城乡居民医疗保险参保缴费开始啦",
         "2027年度城乡居民基本医疗保险集中缴费期为11月1日至12月31日。可通过“i深圳”App、"
         "微信“深圳医保”公众号或社区党群服务中心办理，逾期缴费将设置待遇等待期。"),
        ("新安街道", "13800000004", "event", False, -2 * day, 12 * day,
         "新安街道“邻里节”文艺汇演报名通知",
         "为丰富辖区居民文化生活，街道将于下月举办“邻里节”文艺汇演。欢迎各社区居民以个人或团队形式报名，"
         "节目类型不限，报名截止至本月25日，请到所在社区党群服务中心登记。"),
        ("海裕社区", "13800000001", "service", False, -4 * day, None,
         "社区党群服务中心周末便民服务安排",
         "本周六上午9:00—12:00，社区党群服务中心提供免费量血压、磨剪刀、家电维修和法律咨询服务，"
         "欢迎居民朋友前来。请自带需维修的小家电，大件家电可提前电话预约上门。"),
        ("海裕社区第一网格", "13800000002", "urgent", False, -1 * day, 6 * day,
         "1-2栋二次供水水箱清洗停水通知",
         "因二次供水水箱年度清洗消毒，1栋、2栋将于本周四9:00—17:00停水，请各住户提前储水。"
         "如遇特殊情况请联系网格员黄伟明。"),
        ("海裕社区第二网格", "13800000001", "general", False, -5 * day, None,
         "3-4栋垃圾分类定时定点投放调整",
         "即日起，3栋、4栋厨余垃圾投放时间调整为每天7:00—9:00、19:00—21:00，"
         "投放点设在3栋东侧。请大家破袋投放，共同维护小区环境。"),
        ("海裕社区", "13800000003", "policy", False, -6 * day, None,
         "关于小区加装电梯意见征集的说明",
         "居委会收到多栋居民关于加装电梯的建议。根据《民法典》第二百七十八条，加装电梯需经专有部分面积"
         "和人数双过三分之二的业主参与表决。下周将在“议事”栏目发起意见征集，请各位业主留意。"),
        ("灵芝社区", "13800000004", "safety", False, -2 * day, None,
         "电动自行车进楼入户充电专项整治",
         "近期将对辖区住宅楼开展电动自行车违规停放、充电专项检查。请勿将电动自行车推入楼道或家中充电，"
         "小区已增设集中充电桩60个，扫码即可使用。"),
        ("固戍社区", "13800000004", "service", False, -7 * day, None,
         "固戍社区流感疫苗免费接种安排",
         "60岁以上老人及在校学生可在社区健康服务中心免费接种流感疫苗，请携带身份证或社保卡，"
         "接种时间为工作日8:30—11:30、14:30—17:00。"),
        ("海裕社区", "13800000001", "general", False, -25 * day, -5 * day,
         "国庆假期社区服务时间调整（已结束）",
         "国庆假期期间社区党群服务中心开放时间调整为9:00—12:00，假期结束后恢复正常办公。"),
        ("海裕社区", "13800000003", "event", False, 2 * day, 20 * day,
         "下周六“四点半课堂”亲子读书会",
         "社区图书室将于下周六下午举办亲子读书会，适合6—12岁儿童与家长共同参加，名额30组，"
         "报名请在本通知发布后联系社区工作人员。"),
    ]  # fmt: skip
    notices = []
    for region_name, author_phone, category, pinned, offset, expires, title, body in specs:
        region = regions[region_name]
        notice = db.session.scalar(
            sa.select(Notice).where(Notice.region_id == region.id, Notice.title == title)
        )
        tally.saw("notices", new=notice is None)
        if notice is None:
            publish_at = now + offset
            notice = Notice(
                region_id=region.id,
                author_id=authors[author_phone].id,
                title=title,
                body=body,
                category=category,
                pinned=pinned,
                publish_at=publish_at,
                expires_at=now + expires if expires is not None else None,
                created_at=min(publish_at, now),
            )
            db.session.add(notice)
        notices.append(notice)
    db.session.flush()
    return notices


def _report_setup(tally: Tally, district: Region) -> None:
    """The report subject tree and the district's departments, so a demo resident can report at once."""
    from app.reports.categories import seed_categories, seed_departments
    from app.reports.models import Department, ReportCategory

    for kind, model, seed in (
        ("report categories", ReportCategory, seed_categories),
        ("departments", Department, lambda: seed_departments(district)),
    ):
        created = seed()
        total = db.session.scalar(sa.select(sa.func.count()).select_from(model))
        tally.total[kind] = total
        tally.created[kind] = created


def seed_demo() -> str:
    """Create whatever part of the demo is missing, commit, and return a summary to print."""
    tally = Tally()
    regions: dict[str, Region] = {}
    district = regions["宝安区"] = _region(tally, "宝安区", Level.DISTRICT, None)
    grids_of: dict[str, list[Region]] = {}
    for street_name, communities in COMMUNITIES.items():
        street = regions[street_name] = _region(tally, street_name, Level.STREET, district)
        for community_name, shape in communities.items():
            community = regions[community_name] = _region(tally, community_name, Level.COMMUNITY, street)
            grids_of[community_name] = []
            for numeral, polygon in zip(GRID_NUMERALS, grid_polygons(shape), strict=False):
                grid_name = f"{community_name}第{numeral}网格"
                grid = regions[grid_name] = _region(tally, grid_name, Level.GRID, community, polygon)
                grids_of[community_name].append(grid)

    units = {}
    for community_name, grids in grids_of.items():
        units.update(_units(tally, regions[community_name], grids))

    # One Argon2 hash for all: the password is public anyway, and 25 hashes would slow `make run` by seconds.
    password_hash = hash_password(DEMO_PASSWORD)
    staff: dict[str, User] = {}
    for phone, name, role, where in STAFF:
        staff[phone] = _user(tally, phone, name, password_hash)
        _membership(tally, staff[phone], regions[where], role)

    first = regions["海裕社区"]
    grid1, grid2 = grids_of["海裕社区"][:2]
    worker = staff["13800000001"]
    residents = []
    for n, name in enumerate(RESIDENT_NAMES, start=1):
        grid = grid1 if n <= 10 else grid2
        unit = units[grid.id][(n - 1) % 10]
        resident = _user(tally, f"139{n:08d}", name, password_hash)
        _membership(tally, resident, first, Role.RESIDENT, unit=unit, by=worker)
        residents.append(resident)

    _report_setup(tally, district)
    from app.reports.demo import seed_demo_reports

    tally.created["reports"], tally.total["reports"] = seed_demo_reports()
    from app.consultations.demo import seed_demo_consultations

    tally.created["consultations"], tally.total["consultations"] = seed_demo_consultations()

    from app.polls.demo import seed_demo_polls

    tally.created["polls"], tally.total["polls"] = seed_demo_polls()

    from app.chat.demo import seed_demo_chat, seed_demo_photos

    tally.created["conversations"], tally.total["conversations"] = seed_demo_chat()
    # The workers a resident's chat card can show: their grid worker, or the community worker answering.
    answering = (Role.GRID_WORKER, Role.COMMUNITY_WORKER)
    chat_staff = [staff[phone] for phone, _, role, _ in STAFF if role in answering]
    tally.created["worker photos"], tally.total["worker photos"] = seed_demo_photos(chat_staff)
    notices = _notices(tally, regions, staff)
    # A few receipts, so the pinned notice's read rate is not zero on day one.
    pinned = notices[0]
    for resident in residents[:6]:
        new = db.session.get(NoticeRead, (pinned.id, resident.id)) is None
        tally.saw("read receipts", new=new)
        if new:
            db.session.add(NoticeRead(notice_id=pinned.id, user_id=resident.id))
    commit()
    return _summary(tally)


def _summary(tally: Tally) -> str:
    lines = ["Demo data (宝安区 › 新安街道/西乡街道):"]
    for kind, total in tally.total.items():
        lines.append(f"  {kind:<18} {total:>4} in demo, {tally.created.get(kind, 0):>4} created now")
    lines += [
        "",
        "Demo logins:",
        f"  {'phone':<24} {'password':<10} role",
        f"  {'-' * 24} {'-' * 10} {'-' * 40}",
    ]
    lines.extend(f"  {phone:<24} {DEMO_PASSWORD:<10} {role}" for phone, role in DEMO_LOGINS)
    return "\n".join(lines)
