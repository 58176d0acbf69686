"""The category tree: its seed (GB/T 30428.2 event classes plus livelihood subjects), departments, and the
rules for reading and editing it (admins only). Functions here flush but never commit."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.audit.service import record
from app.auth.models import User
from app.core.errors import ForbiddenError, NotFoundError, UnprocessableError
from app.extensions import db
from app.regions.models import Level, Region
from app.reports.access import admin_region_id, is_admin
from app.reports.models import Department, ReportCategory, ReportType

HOUR, DAY = 60, 24 * 60
# (dispatch 签收, first contact, resolve 办结) in minutes; DESIGN.md §3 and the Beijing/Shenzhen limits.
SAFETY = (30, HOUR, 2 * HOUR)
UTILITY = (2 * HOUR, 2 * HOUR, DAY)
GENERAL = (2 * HOUR, DAY, 7 * DAY)

T = ReportType

# code, name, name_en, icon, [leaves: code, name, name_en, preset, default type, options]
TREE = [
    ("env", "市容环境", "City appearance", "broom", [
        ("env.garbage", "暴露垃圾", "Exposed garbage", GENERAL, T.COMPLAINT, {}),
        ("env.sewage", "污水冒溢", "Sewage overflow", UTILITY, T.HELP, {}),
        ("env.greenery", "绿化损毁", "Damaged greenery", GENERAL, T.COMPLAINT, {}),
        ("env.burning", "露天焚烧", "Open burning", SAFETY, T.REPORT, {}),
    ]),
    ("ads", "宣传广告", "Advertising", "megaphone", [
        ("ads.flyers", "非法小广告", "Illegal flyers and posters", GENERAL, T.COMPLAINT, {}),
        ("ads.signboard", "招牌广告安全隐患", "Unsafe signboard", SAFETY, T.HELP, {}),
        ("ads.banner", "违规横幅", "Unauthorised banner", GENERAL, T.COMPLAINT, {}),
    ]),
    ("build", "施工管理", "Construction", "crane", [
        ("build.noise", "施工噪音", "Construction noise", GENERAL, T.COMPLAINT, {}),
        ("build.dust", "施工扬尘", "Construction dust", GENERAL, T.COMPLAINT, {}),
        ("build.illegal", "违法建设", "Illegal construction", GENERAL, T.REPORT, {}),
        ("build.road", "占道施工", "Roadworks blocking the way", GENERAL, T.COMPLAINT, {}),
    ]),
    ("street", "街面秩序", "Street order", "shop", [
        ("street.vendors", "无照游商", "Unlicensed street vendors", GENERAL, T.COMPLAINT, {}),
        ("street.parking", "乱停乱放", "Illegal parking", GENERAL, T.COMPLAINT, {}),
        ("street.bikes", "共享单车乱停放", "Shared bikes piled up", GENERAL, T.COMPLAINT, {}),
        ("street.outdoor", "店外经营", "Trading outside the shop", GENERAL, T.COMPLAINT, {}),
    ]),
    ("emergency", "突发事件", "Emergencies", "siren", [
        ("emergency.collapse", "路面塌陷", "Road collapse", SAFETY, T.HELP, {}),
        ("emergency.pipe", "管道爆裂", "Burst pipe", SAFETY, T.HELP, {}),
        ("emergency.tree", "树木倒伏", "Fallen tree", SAFETY, T.HELP, {}),
        ("emergency.flood", "积水内涝", "Flooding", SAFETY, T.HELP, {}),
    ]),
    ("water", "供水", "Water supply", "droplet", [
        ("water.outage", "停水", "No water", UTILITY, T.HELP, {}),
        ("water.leak", "供水管漏水", "Leaking water main", UTILITY, T.HELP, {}),
        ("water.quality", "水质异常", "Water quality", UTILITY, T.COMPLAINT, {}),
    ]),
    ("power", "供电照明", "Power and lighting", "bolt", [
        ("power.outage", "停电", "Power cut", UTILITY, T.HELP, {}),
        ("power.streetlight", "路灯损坏", "Broken streetlight", GENERAL, T.HELP, {}),
        ("power.wires", "电线裸露", "Exposed wires", SAFETY, T.HELP, {}),
    ]),
    ("lift", "电梯", "Lifts", "elevator", [
        ("lift.trapped", "电梯困人", "Person trapped in a lift", SAFETY, T.HELP, {}),
        ("lift.fault", "电梯故障", "Lift out of order", UTILITY, T.HELP, {}),
    ]),
    ("noise", "噪音扰民", "Noise", "volume", [
        ("noise.living", "生活噪音", "Household noise", GENERAL, T.COMPLAINT, {"proof": False}),
        ("noise.business", "商业噪音", "Noise from a business", GENERAL, T.COMPLAINT, {"proof": False}),
    ]),
    ("property", "物业管理", "Property management", "building", [
        ("property.service", "物业服务", "Property service", GENERAL, T.COMPLAINT, {"proof": False}),
        ("property.facility", "公共设施损坏", "Damaged shared facility", GENERAL, T.HELP, {}),
        ("property.fees", "物业收费", "Property fees", GENERAL, T.CONSULTATION, {"proof": False}),
    ]),
    ("neighbour", "邻里纠纷", "Neighbour disputes", "people", [
        ("neighbour.dispute", "邻里矛盾", "Dispute between neighbours", GENERAL, T.HELP,
         {"proof": False, "public": False}),
        ("neighbour.seepage", "楼上渗漏", "Leak from the flat above", GENERAL, T.HELP, {"public": False}),
    ]),
    ("fire", "消防隐患", "Fire hazards", "flame", [
        ("fire.exit", "消防通道堵塞", "Blocked fire exit", SAFETY, T.REPORT, {}),
        ("fire.ebike", "电动车违规充电", "E-bike charging indoors", SAFETY, T.REPORT, {}),
        ("fire.equipment", "消防设施损坏", "Broken fire equipment", GENERAL, T.HELP, {}),
    ]),
    ("other", "其他", "Other", "dots", [
        ("other.question", "政策咨询", "Question about a policy", GENERAL, T.CONSULTATION, {"proof": False}),
        ("other.suggestion", "意见建议", "Suggestion", GENERAL, T.SUGGESTION, {"proof": False}),
        ("other.misc", "其他问题", "Something else", GENERAL, T.HELP, {"proof": False}),
    ]),
]  # fmt: skip

# code, name, name_en: the units a street or district whistles (吹哨报到).
DEPARTMENTS = [
    ("urban", "城管执法", "Urban management"),
    ("fire", "消防救援", "Fire and rescue"),
    ("safety", "应急管理(安监)", "Emergency management and work safety"),
    ("housing", "住房建设", "Housing and construction"),
    ("water", "水务", "Water authority"),
    ("power", "供电局", "Power company"),
    ("market", "市场监管(特种设备)", "Market regulation (lifts)"),
    ("traffic", "交警", "Traffic police"),
    ("eco", "生态环境", "Ecology and environment"),
]


def seed_categories() -> int:
    """Create missing categories (existing ones, perhaps edited by an admin, are left alone); returns new."""
    existing = {c.code: c for c in db.session.scalars(sa.select(ReportCategory))}
    created = 0
    for order, (code, name, name_en, icon, leaves) in enumerate(TREE):
        parent = existing.get(code)
        if parent is None:
            parent = ReportCategory(code=code, name=name, name_en=name_en, icon=icon, sort_order=order)
            parent.default_type = leaves[0][4]
            db.session.add(parent)
            created += 1
        for leaf_order, (leaf_code, leaf_name, leaf_en, preset, type_, options) in enumerate(leaves):
            if leaf_code in existing:
                continue
            dispatch, contact, resolve = preset
            db.session.add(
                ReportCategory(
                    code=leaf_code,
                    parent=parent,
                    name=leaf_name,
                    name_en=leaf_en,
                    icon=icon,
                    keywords=f"{name},{name_en}",
                    sort_order=leaf_order,
                    default_type=type_,
                    dispatch_minutes=dispatch,
                    contact_minutes=contact,
                    resolve_minutes=resolve,
                    proof_photo_required=options.get("proof", True),
                    is_public=options.get("public", True),
                )
            )
            created += 1
    db.session.flush()
    return created


def seed_departments(region: Region | None = None) -> int:
    """Create missing departments on `region` (by default the first district); returns how many are new."""
    if region is None:
        region = db.session.scalar(
            sa.select(Region).where(Region.level == Level.DISTRICT).order_by(Region.id)
        )
        if region is None:
            return 0
    existing = set(db.session.scalars(sa.select(Department.code)))
    created = 0
    for code, name, name_en in DEPARTMENTS:
        if code not in existing:
            db.session.add(Department(code=code, name=name, name_en=name_en, region=region))
            created += 1
    db.session.flush()
    return created


# --- categories ------------------------------------------------------------------------------------------


def category_tree(*, viewer: User | None = None, include_inactive: bool = False) -> list[dict]:
    """Subjects with their leaves, in display order, from two queries."""
    if include_inactive and (viewer is None or not is_admin(viewer)):
        raise ForbiddenError("Only admins see deactivated categories.")
    subjects = db.session.scalars(
        sa.select(ReportCategory)
        .where(ReportCategory.parent_id.is_(None))
        .options(selectinload(ReportCategory.children))
        .order_by(ReportCategory.sort_order, ReportCategory.id)
    ).all()
    shown = (lambda c: True) if include_inactive else (lambda c: c.active)
    return [
        {
            **_flat(subject),
            "children": [{**_flat(leaf), "children": []} for leaf in subject.children if shown(leaf)],
        }
        for subject in subjects
        if shown(subject)
    ]


def category_view(category: ReportCategory) -> dict:
    return {**_flat(category), "children": [{**_flat(leaf), "children": []} for leaf in category.children]}


_CATEGORY_FIELDS = (
    "code", "name", "name_en", "icon", "keywords", "default_type", "deadlines",
    "proof_photo_required", "is_public", "active",
)  # fmt: skip


def _flat(category: ReportCategory) -> dict:
    """The category's own fields; its children are listed by the caller, so no lazy load fires per leaf."""
    return {name: getattr(category, name) for name in _CATEGORY_FIELDS}


def get_category(code: str) -> ReportCategory:
    category = db.session.scalar(sa.select(ReportCategory).where(ReportCategory.code == code))
    if category is None:
        raise NotFoundError("No such category.")
    return category


def get_leaf_category(code: str, *, field: str = "category") -> ReportCategory:
    """The active leaf a report is filed under; anything else is a validation error on `field`."""
    category = db.session.scalar(sa.select(ReportCategory).where(ReportCategory.code == code))
    if category is None or not category.active or not category.is_leaf:
        raise UnprocessableError(fields={field: ["Choose an active category from /report-categories."]})
    return category


def update_category(code: str, changes: dict, *, by: User) -> ReportCategory:
    """Admins edit names, flags and deadlines; reports already filed keep the deadlines they were given."""
    if not is_admin(by):
        raise ForbiddenError("Only admins edit categories.")
    category = get_category(code)
    before = {"deadlines": category.deadlines, "active": category.active}
    deadlines = changes.pop("deadlines", None)
    if deadlines is not None:
        if not category.is_leaf:
            raise UnprocessableError(fields={"deadlines": ["Only leaf categories carry deadlines."]})
        merged = {**category.deadlines, **deadlines}
        if max(merged["dispatch_minutes"], merged["contact_minutes"]) > merged["resolve_minutes"]:
            raise UnprocessableError(
                fields={"deadlines": ["Signing for and first contact must be due no later than resolution."]}
            )
        for key, value in merged.items():
            setattr(category, key, value)
    for key, value in changes.items():
        setattr(category, key, value)
    db.session.flush()
    record(
        by,
        "report_category.update",
        category,
        region_id=admin_region_id(by),
        summary=f"Edited report category {category.code} ({category.name})",
        data={"before": before, "after": {"deadlines": category.deadlines, "active": category.active}},
    )
    return category
