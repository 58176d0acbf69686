"""Reading a community's unit register from CSV: every row checked, every problem reported by line number."""

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from werkzeug.exceptions import RequestEntityTooLarge

from app.core.errors import UnprocessableError

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
MAX_AREA = Decimal(100_000)
CENT = Decimal("0.01")
# Enough line-by-line detail to fix a spreadsheet, without a megabyte of errors for a wrong file.
MAX_REPORTED_ROWS = 500

HEADER_ALIASES = {
    "building": "building",
    "楼栋": "building",
    "楼栋号": "building",
    "楼号": "building",
    "栋": "building",
    "unit": "unit",
    "entrance": "unit",
    "单元": "unit",
    "单元号": "unit",
    "room": "room",
    "房号": "room",
    "房间号": "room",
    "门牌号": "room",
    "floor_area": "floor_area",
    "area": "floor_area",
    "建筑面积": "floor_area",
    "面积": "floor_area",
    "grid": "grid",
    "网格": "grid",
    # The owners' register (optional; see app/regions/ownership.py): who owns the unit.
    "owner": "owner",
    "业主": "owner",
    "业主姓名": "owner",
    "owner_kind": "owner_kind",
    "业主类型": "owner_kind",
    "owner_phones": "owner_phones",
    "业主手机": "owner_phones",
    "业主电话": "owner_phones",
}
REQUIRED = ("building", "unit", "room", "floor_area")
OPTIONAL = ("grid", "owner", "owner_kind", "owner_phones")
OWNER_KINDS = {"": "person", "person": "person", "个人": "person", "joint": "joint", "共有": "joint"}
OWNER_KINDS |= {"developer": "developer", "开发商": "developer"}
PHONE_RE = re.compile(r"^1\d{10}$")
PHONES_SPLIT = re.compile(r"[;；,，、/\s]+")
OWNER_LENGTH = 80
AREA_RE = re.compile(r"^[+-]?\d{1,9}(\.\d{1,20})?$")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
FIELD_LENGTH = 40


@dataclass(frozen=True)
class UnitRow:
    line: int
    building: str
    entrance: str
    room: str
    floor_area: Decimal
    grid: str
    owner: str = ""
    owner_kind: str = ""
    owner_phones: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.building, self.entrance, self.room)


def _file_error(message: str) -> UnprocessableError:
    return UnprocessableError("The file cannot be imported.", fields={"file": [message]})


def _column(cell: str) -> str:
    # Spreadsheets export headers such as "建筑面积（㎡）" or "Floor area (m2)".
    name = re.sub(r"[（(].*?[)）]", "", cell).strip().lower().replace(" ", "_")
    return HEADER_ALIASES.get(name, name)


def _header(cells: list[str]) -> list[str]:
    columns = [_column(c) for c in cells]
    while columns and columns[-1] == "":
        columns.pop()
    problems = []
    unknown = [c for c in columns if c not in REQUIRED and c not in OPTIONAL]
    if unknown:
        problems.append(f"Unknown column(s): {', '.join(unknown)}.")
    if len(set(columns)) != len(columns):
        problems.append("A column appears twice.")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        problems.append(f"Missing column(s): {', '.join(missing)}.")
    if problems:
        expected = (
            "building,unit,room,floor_area[,grid][,owner,owner_kind,owner_phones] "
            "(or 楼栋,单元,房号,建筑面积[,网格][,业主,业主类型,业主手机])"
        )
        raise UnprocessableError(
            "The header row is wrong.", fields={"header": [*problems, f"Expected {expected}."]}
        )
    return columns


def _strip_suffix(value: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if value.endswith(suffix) and len(value) > len(suffix):
            return value[: -len(suffix)]
    return value


def _row(line: int, columns: list[str], cells: list[str]) -> tuple[UnitRow | None, list[str]]:
    errors: list[str] = []
    extra = cells[len(columns) :]
    if any(c.strip() for c in extra):
        errors.append(f"Expected {len(columns)} values, found {len(cells)}.")
    values = dict(zip(columns, (c.strip() for c in cells), strict=False))
    # "3栋" and "2单元" are how people write them; the register stores "3" and "2" and labels add the suffix.
    building = _strip_suffix(values.get("building", ""), ("栋",))
    entrance = _strip_suffix(values.get("unit", ""), ("单元",))
    room = values.get("room", "")
    if not building:
        errors.append("building is required.")
    if not room:
        errors.append("room is required.")
    for name, value in (("building", building), ("unit", entrance), ("room", room)):
        if len(value) > FIELD_LENGTH:
            errors.append(f"{name} is longer than {FIELD_LENGTH} characters.")
    raw_area = values.get("floor_area", "")
    area = None
    if not raw_area:
        errors.append("floor_area is required.")
    elif not AREA_RE.match(raw_area):
        errors.append(f"floor_area {raw_area!r} is not a number of m², e.g. 88.5.")
    else:
        area = Decimal(raw_area)
        if area != area.quantize(CENT):
            errors.append(f"floor_area {raw_area} has more than 2 decimals.")
        elif area <= 0 or area > MAX_AREA:
            errors.append(f"floor_area must be above 0 and at most {MAX_AREA} m².")
    if any(CONTROL_RE.search(c) for c in cells):
        errors.append("A value contains control characters.")
    owner, owner_kind, phones = _owner(values, errors)
    if errors:
        return None, errors
    return UnitRow(
        line, building, entrance, room, area, values.get("grid", ""), owner, owner_kind, phones
    ), []


def _owner(values: dict[str, str], errors: list[str]) -> tuple[str, str, tuple[str, ...]]:
    """The optional owner columns: a party's name (the same text for every unit of one owner), its kind
    (个人 person, 共有 joint owners, 开发商 the developer's unsold units) and the phones of its people."""
    owner = values.get("owner", "")
    raw_kind = values.get("owner_kind", "").lower()
    kind = OWNER_KINDS.get(raw_kind)
    if kind is None:
        errors.append(f"owner_kind {raw_kind!r} is not one of 个人/共有/开发商 (person/joint/developer).")
        return "", "", ()
    phones = tuple(p for p in PHONES_SPLIT.split(values.get("owner_phones", "").replace(" ", "")) if p)
    if len(owner) > OWNER_LENGTH:
        errors.append(f"owner is longer than {OWNER_LENGTH} characters.")
    bad = [p for p in phones if not PHONE_RE.match(p)]
    if bad:
        errors.append(f"owner_phones {', '.join(bad)} are not mobile numbers.")
    if not owner and kind != "developer":
        if raw_kind or phones:
            errors.append("owner is required when owner_kind or owner_phones is given.")
        return "", "", ()
    return owner or "开发商", kind, phones


def decode(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise RequestEntityTooLarge(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        return raw.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as exc:
        raise _file_error('The file is not UTF-8; save it as "CSV UTF-8".') from exc


def parse(text: str) -> tuple[list[UnitRow], dict[str, list[str]]]:
    """Rows that passed the per-row checks, and the errors by line number (as strings, JSON keys)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[UnitRow] = []
    errors: dict[str, list[str]] = {}
    columns: list[str] | None = None
    seen: dict[tuple[str, str, str], int] = {}
    count = 0
    previous_end = 0
    try:
        for cells in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if columns is None:
                columns = _header(cells)
                continue
            count += 1
            if count > MAX_ROWS:
                raise RequestEntityTooLarge(f"The file has more than {MAX_ROWS} rows.")
            row, problems = _row(line, columns, cells)
            if row is not None and row.key in seen:
                problems = [f"Same building, unit and room as line {seen[row.key]}."]
            if problems:
                errors[str(line)] = problems
                continue
            seen[row.key] = line
            rows.append(row)
    except csv.Error as exc:
        raise _file_error(f"Line {reader.line_num}: {exc}.") from exc
    if columns is None:
        raise _file_error("The file is empty.")
    if count == 0:
        raise _file_error("The file has a header but no rows.")
    return rows, errors


def row_errors(errors: dict[str, list[str]]) -> UnprocessableError:
    shown = dict(list(errors.items())[:MAX_REPORTED_ROWS])
    fields: dict = {"rows": shown}
    if len(errors) > len(shown):
        fields["file"] = [f"{len(errors) - len(shown)} more rows have errors."]
    return UnprocessableError(f"{len(errors)} rows have errors; nothing was imported.", fields=fields)
