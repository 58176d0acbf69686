"""Reports seen as GeoReport v2 service requests: services from the category leaves, requests from reports.

Statuses map to the two the spec knows: submitted, accepted and in progress are `open`; resolved, closed
and rejected are `closed` (the finer state goes in `status_notes`). Ids are strings; times carry an offset.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.regions.models import Level, Region
from app.reports.models import OPEN_STATUSES, TYPE_NAMES, Report, ReportCategory, ReportStatus, ReportType

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_RANGE = timedelta(days=90)
MAX_REQUESTS = 1000
MAX_DESCRIPTION = 4000
STATUS_NOTES = {
    ReportStatus.SUBMITTED: "已受理，等待签收 (submitted)",
    ReportStatus.ACCEPTED: "已签收 (accepted)",
    ReportStatus.IN_PROGRESS: "处理中 (in progress)",
    ReportStatus.RESOLVED: "已办结，待评价 (resolved)",
    ReportStatus.CLOSED: "已办结 (closed)",
    ReportStatus.REJECTED: "未予受理 (rejected)",
}
ATTRIBUTE_TYPE = "TYPE"
ATTRIBUTE_COMMUNITY = "COMMUNITY"


class Open311Error(Exception):
    """An error in the spec's terms: 400 (bad request), 403 (api_key), 404 (no such resource)."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__(descriptions[0])
        self.status = status
        self.descriptions = descriptions


def w3c(value: datetime | None) -> str | None:
    """W3C-DTF with the local offset, e.g. 2026-11-28T10:00:00+08:00."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).replace(microsecond=0).isoformat()


def parse_w3c(name: str, text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError as exc:
        raise Open311Error(400, f"{name} must be a W3C date-time, e.g. 2010-01-01T00:00:00Z.") from exc
    if value.tzinfo is None:
        raise Open311Error(400, f"{name} must carry a time zone (Z or ±HH:MM).")
    return value


# --- services --------------------------------------------------------------------------------------------


def _leaves() -> list[ReportCategory]:
    subjects = db.session.scalars(
        sa.select(ReportCategory)
        .where(ReportCategory.parent_id.is_(None), ReportCategory.active.is_(True))
        .options(selectinload(ReportCategory.children))
        .order_by(ReportCategory.sort_order, ReportCategory.id)
    ).all()
    return [leaf for subject in subjects for leaf in subject.children if leaf.active]


def _duration(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} 天"
    if minutes % 60 == 0:
        return f"{minutes // 60} 小时"
    return f"{minutes} 分钟"


def service_row(leaf: ReportCategory) -> dict:
    subject = leaf.parent
    limits = f"签收 {_duration(leaf.dispatch_minutes)}内，办结 {_duration(leaf.resolve_minutes)}内。"
    return {
        "service_code": leaf.code,
        "service_name": leaf.name,
        "description": f"{leaf.name_en}. {limits}",
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(
            filter(None, [leaf.name_en, subject.name, subject.name_en, *leaf.keywords.split(",")])
        ),
        "group": subject.name,
    }


def services() -> list[dict]:
    return [service_row(leaf) for leaf in _leaves()]


def get_service(code: str) -> ReportCategory:
    leaf = db.session.scalar(
        sa.select(ReportCategory)
        .where(ReportCategory.code == code)
        .options(joinedload(ReportCategory.parent))
    )
    if leaf is None or not leaf.active or not leaf.is_leaf:
        raise Open311Error(404, f"Unknown service_code: {code}")
    return leaf


def _communities() -> list[Region]:
    return list(
        db.session.scalars(sa.select(Region).where(Region.level == Level.COMMUNITY).order_by(Region.id))
    )


def service_definition(code: str) -> dict:
    leaf = get_service(code)
    type_name = TYPE_NAMES[leaf.default_type]
    return {
        "service_code": leaf.code,
        "attributes": [
            {
                "variable": True,
                "code": ATTRIBUTE_TYPE,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": f"默认 (default): {type_name[0]} {type_name[1]}",
                "order": 1,
                "description": "诉求类型 Type of request",
                "values": [{"key": t.value, "name": f"{zh} {en}"} for t, (zh, en) in TYPE_NAMES.items()],
            },
            {
                "variable": True,
                "code": ATTRIBUTE_COMMUNITY,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "Needed when the location is outside every grid, or only an address.",
                "order": 2,
                "description": "所在社区 Community",
                "values": [{"key": str(c.id), "name": c.name} for c in _communities()],
            },
        ],
    }


def changeset() -> str:
    latest = db.session.scalar(sa.select(sa.func.max(ReportCategory.updated_at)))
    return w3c(latest) or "1970-01-01T00:00:00+00:00"


# --- posting a request -----------------------------------------------------------------------------------

ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


def parse_attributes(form) -> dict[str, str]:
    """`attribute[CODE]=v` for our single-value lists; anything else is a 400 naming it."""
    values: dict[str, str] = {}
    for name in form:
        match = ATTRIBUTE_RE.match(name)
        if not name.startswith("attribute"):
            continue
        if match is None or match.group(1) not in (ATTRIBUTE_TYPE, ATTRIBUTE_COMMUNITY):
            raise Open311Error(400, f"Unknown attribute: {name}")
        if match.group(2) or len(form.getlist(name)) > 1:
            raise Open311Error(400, f"{match.group(1)} takes a single value.")
        values[match.group(1)] = form.get(name, "").strip()
    if values.get(ATTRIBUTE_TYPE) and values[ATTRIBUTE_TYPE] not in {t.value for t in ReportType}:
        raise Open311Error(400, f"attribute[TYPE] must be one of: {', '.join(t.value for t in ReportType)}.")
    community = values.get(ATTRIBUTE_COMMUNITY)
    if community and not (community.isdigit() and int(community) in {c.id for c in _communities()}):
        raise Open311Error(400, "attribute[COMMUNITY] must be a community key from the service definition.")
    return values


def parse_location(form) -> tuple[float | None, float | None, str | None]:
    lat, lng = (form.get("lat") or "").strip(), (form.get("long") or "").strip()
    address = (form.get("address_string") or "").strip() or None
    address_id = (form.get("address_id") or "").strip()
    if bool(lat) != bool(lng):
        raise Open311Error(400, "Send lat and long together.")
    if lat:
        try:
            lat_f, lng_f = float(lat), float(lng)
        except ValueError as exc:
            raise Open311Error(400, "lat and long must be numbers (WGS84).") from exc
        if not (-90 <= lat_f <= 90 and -180 <= lng_f <= 180):
            raise Open311Error(400, "lat and long are outside the globe.")
        return lat_f, lng_f, address
    if address or address_id:
        return None, None, address or f"address_id {address_id}"
    raise Open311Error(400, "A location is required: lat and long, or address_string.")


# --- reading requests ------------------------------------------------------------------------------------


def _closed_at(report: Report) -> datetime:
    if report.status == ReportStatus.RESOLVED:
        return report.resolved_at or report.updated_at
    return report.closed_at or report.updated_at


def request_row(report: Report) -> dict:
    open_ = report.status in OPEN_STATUSES
    agency = report.department.name if report.department else report.region.name
    return {
        "service_request_id": str(report.id),
        "status": "open" if open_ else "closed",
        "status_notes": STATUS_NOTES[report.status],
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": report.description,
        "agency_responsible": agency,
        "service_notice": None,
        "requested_datetime": w3c(report.created_at),
        "updated_datetime": w3c(report.updated_at if open_ else _closed_at(report)),
        "expected_datetime": w3c(report.resolve_due),
        "address": report.address,
        "address_id": None,
        "zipcode": None,
        # Rounded to about 10 m: the public listing needs the spot, not the doorway.
        "lat": round(report.lat, 4) if report.lat is not None else None,
        "long": round(report.lng, 4) if report.lng is not None else None,
        "media_url": report.media_url,
    }


_PUBLIC = (
    joinedload(Report.category),
    joinedload(Report.region),
    joinedload(Report.department),
)


def get_request(request_id: str) -> Report:
    if not request_id.isdigit():
        raise Open311Error(404, f"Unknown service_request_id: {request_id}")
    report = db.session.scalar(
        sa.select(Report).where(Report.id == int(request_id), Report.public.is_(True)).options(*_PUBLIC)
    )
    if report is None:
        raise Open311Error(404, f"Unknown service_request_id: {request_id}")
    return report


def _comma_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def find_requests(args, *, now: datetime) -> list[Report]:
    stmt = sa.select(Report).where(Report.public.is_(True)).options(*_PUBLIC)
    ids = _comma_list(args.get("service_request_id"))
    if ids:
        if not all(i.isdigit() for i in ids):
            raise Open311Error(400, "service_request_id must be a comma list of ids.")
        # The spec: a list of ids overrides every other argument.
        return list(db.session.scalars(stmt.where(Report.id.in_([int(i) for i in ids])).order_by(Report.id)))

    codes = _comma_list(args.get("service_code"))
    if codes:
        stmt = stmt.join(ReportCategory, ReportCategory.id == Report.category_id).where(
            ReportCategory.code.in_(codes)
        )
    statuses = _comma_list(args.get("status"))
    if statuses:
        if not set(statuses) <= {"open", "closed"}:
            raise Open311Error(400, "status must be open, closed, or both comma-separated.")
        if statuses == ["open"]:
            stmt = stmt.where(Report.status.in_(OPEN_STATUSES))
        elif statuses == ["closed"]:
            stmt = stmt.where(Report.status.not_in(OPEN_STATUSES))
    start = parse_w3c("start_date", args["start_date"]) if (args.get("start_date") or "").strip() else None
    end = parse_w3c("end_date", args["end_date"]) if (args.get("end_date") or "").strip() else None
    if start is None and end is None:
        end = now
    if start is None:
        start = end - MAX_RANGE
    if end is None:
        end = start + MAX_RANGE
    if start > end:
        raise Open311Error(400, "start_date must come before end_date.")
    if end - start > MAX_RANGE:
        raise Open311Error(400, "start_date and end_date may span at most 90 days.")
    stmt = stmt.where(Report.created_at >= start, Report.created_at <= end)
    return list(
        db.session.scalars(stmt.order_by(Report.created_at.desc(), Report.id.desc()).limit(MAX_REQUESTS))
    )
