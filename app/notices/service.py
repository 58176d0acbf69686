"""Rules for notices: who reads which, who posts and manages them, read receipts and read rates.

Functions here flush but never commit. A notice the viewer may not see is a NotFoundError.
"""

import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa

from app.audit.service import record
from app.auth.models import User
from app.auth.principal import Principal
from app.core import stamps
from app.core.db import insert_for, utcnow
from app.core.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from app.core.pagination import SortKey, cut_page, keyset_page, keyset_params, order_by
from app.core.permissions import NOTICE_ROLES, STAFF_ROLES, Role, serves, staff_paths
from app.extensions import db
from app.notices.models import Notice, NoticeRead
from app.push.service import notify_notice
from app.regions.models import Membership, MembershipStatus, Region, Unit, path_ids

READS = "notice_reads"
# Feed pages show notices with their region's and author's names (see _PAGES).
stamps.watch("notices", Notice)
stamps.watch("notices", Region)
stamps.watch("notices", User, fields=("name",))
# Each reader's read flags, cached per page beside it; no stamp means the reader has read nothing.
stamps.watch_per_user(READS, NoticeRead, lambda read: read.user_id)

FEED_ORDER = [
    SortKey(Notice.pinned, "pinned"),
    SortKey(Notice.publish_at, "publish_at"),
    SortKey(Notice.id, "id"),
]
EDITABLE = ("title", "body", "category", "pinned", "publish_at", "expires_at")


@dataclass
class ReaderScope:
    """The regions whose published notices a user reads: exact ids plus whole subtrees (by path prefix)."""

    region_ids: set[int] = field(default_factory=set)
    subtree_paths: list[str] = field(default_factory=list)

    def covers(self, region: Region) -> bool:
        return region.id in self.region_ids or any(region.path.startswith(p) for p in self.subtree_paths)


def reader_scope(viewer: Principal) -> ReaderScope:
    """Residents read their home chain (grid, community, street, district); staff read their region's
    ancestors and everything beneath it. Without an active membership a user reads nothing."""
    scope = ReaderScope()
    for m in viewer.memberships:
        scope.region_ids.update(path_ids(m.region_path))
        if m.role == Role.RESIDENT:
            scope.region_ids.update(m.home_ids)
        else:
            scope.subtree_paths.append(m.region_path)
    return scope


def manages(user: User, region: Region) -> bool:
    return serves(user, region, NOTICE_ROLES)


def _published(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        Notice.withdrawn_at.is_(None),
        Notice.publish_at <= now,
        sa.or_(Notice.expires_at.is_(None), Notice.expires_at > now),
    )


def _status_clause(status: str, now: datetime) -> sa.ColumnElement[bool]:
    live = Notice.withdrawn_at.is_(None)
    return {
        "published": _published(now),
        "scheduled": sa.and_(live, Notice.publish_at > now),
        "expired": sa.and_(live, Notice.publish_at <= now, Notice.expires_at <= now),
        "withdrawn": Notice.withdrawn_at.is_not(None),
        "all": sa.true(),
    }[status]


def list_notices(
    *,
    viewer: Principal,
    limit: int,
    cursor: str | None,
    q: str | None = None,
    status: str | None = None,
    region_id: int | None = None,
) -> tuple[list[dict], str | None]:
    """The viewer's feed (published notices of their scope), or with `status` the notices of the regions
    they manage in that state; pinned first, then newest. Items are plain dicts (see FEED_COLUMNS)."""
    now = utcnow()
    params = {"now": now}
    if status is None:
        scope = reader_scope(viewer)
        if not scope.region_ids and not scope.subtree_paths:
            return [], None
        subtrees = scope.subtree_paths
        params["region_ids"] = sorted(scope.region_ids)
    else:
        subtrees = viewer.staff_paths(NOTICE_ROLES)
        if not subtrees:
            raise ForbiddenError("Only staff who manage notices may filter by status.")
    params |= {f"subtree_{i}": _prefix_pattern(path) for i, path in enumerate(subtrees)}
    if region_id is not None:
        path = db.session.scalar(sa.select(Region.path).where(Region.id == region_id))
        if path is None:
            raise UnprocessableError(fields={"region_id": ["No such region."]})
        params["within"] = _prefix_pattern(path)
    words = (q or "").strip()
    if words:
        params["words"] = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    params |= keyset_params(FEED_ORDER, limit=limit, cursor=cursor)
    shape = (status, len(subtrees), bool(cursor), bool(words), region_id is not None)
    page = _read_page(shape, params, now, limit) if status else _reader_page(shape, params, now, limit)
    read = _read_ids(viewer.user_id, page)
    paths = viewer.staff_paths(NOTICE_ROLES)
    items = [
        {
            **item,
            "read": item["id"] in read,
            "can_edit": any(item["region_path"].startswith(p) for p in paths),
        }
        for item in page.items
    ]
    return items, page.next_cursor


@dataclass(frozen=True, slots=True)
class _Page:
    """A page as every reader of its scope sees it: no read flags, nothing else about the viewer."""

    items: tuple[dict, ...]
    next_cursor: str | None
    # When the page changes by itself: one of its rows, or the one after it, expires.
    ends_at: datetime | None
    stamp: int | None = None
    fresh_until: datetime | None = None
    serial: int | None = None  # set when cached: names this page among every page this process cached


# Pages of the reader feed, per process. Everyone whose scope is the same regions (every resident of a
# grid) reads the same first page, and building it cost more than the rest of the request; an entry is
# served only while the notices stamp it was built under is current and no notice of the scope has been
# published or expired since. The age cap bounds the harm of a write that bypassed the stamp.
_PAGES: dict[tuple, _Page] = {}
PAGE_CACHE_ENTRIES = 1000
PAGE_MAX_AGE = timedelta(seconds=60)
_SERIALS = itertools.count(1)


def _reader_page(shape: tuple, params: dict, now: datetime, limit: int) -> _Page:
    stamp = stamps.current("notices")
    key = (
        shape,
        *((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(params.items()) if k != "now"),
    )
    cached = _PAGES.get(key)
    if cached is not None and cached.stamp == stamp and now < cached.fresh_until:
        return cached
    page = _read_page(shape, params, now, limit)
    if stamp is None:
        return page
    next_publish = db.session.connection().execute(_next_publish_statement(*shape), params).scalar()
    fresh_until = min(t for t in (page.ends_at, next_publish, now + PAGE_MAX_AGE) if t is not None)
    if len(_PAGES) >= PAGE_CACHE_ENTRIES:
        _PAGES.clear()  # cheaper than LRU bookkeeping; a miss costs one page query
    _PAGES[key] = page = replace(page, stamp=stamp, fresh_until=fresh_until, serial=next(_SERIALS))
    return page


def _read_page(shape: tuple, params: dict, now: datetime, limit: int) -> _Page:
    # Plain rows want no ORM machinery: the session's connection runs them in the same transaction, cheaper.
    rows = db.session.connection().execute(_feed_statement(*shape), params).all()
    page_rows, next_cursor = cut_page(rows, FEED_ORDER, limit=limit)
    # Notice.status_at reads only the row's own times, so it serves Core rows as well.
    items = tuple({**row._mapping, "status": Notice.status_at(row, now)} for row in page_rows)
    ends_at = min((row.expires_at for row in rows if row.expires_at is not None), default=None)
    return _Page(items, next_cursor, ends_at)


@lru_cache(maxsize=128)
def _read_ids_statement(n: int) -> sa.Select:
    # One parameter per id rather than an expanding IN: SQLAlchemy rewrites an expanding statement on each
    # run, which cost more than the query.
    ids = [sa.bindparam(f"id_{i}") for i in range(n)]
    return sa.select(NoticeRead.notice_id).where(
        NoticeRead.user_id == sa.bindparam("viewer_id"), NoticeRead.notice_id.in_(ids)
    )


# (user id, page serial) -> (the user's reads stamp, the ids among the page's they have read); see _PAGES.
_READ_FLAGS: dict[tuple[int, int], tuple[int, frozenset[int]]] = {}
READ_FLAG_ENTRIES = 10_000


def _read_ids(user_id: int, page: _Page) -> frozenset[int]:
    stamp = stamps.current(stamps.user_stamp(READS, user_id))
    if stamp is None or not page.items:
        return frozenset()  # has read nothing
    key = (user_id, page.serial)
    cached = _READ_FLAGS.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    ids = [item["id"] for item in page.items]
    params = {"viewer_id": user_id} | {f"id_{i}": notice_id for i, notice_id in enumerate(ids)}
    read = frozenset(db.session.connection().execute(_read_ids_statement(len(ids)), params).scalars())
    if page.serial is not None:
        if len(_READ_FLAGS) >= READ_FLAG_ENTRIES:
            _READ_FLAGS.clear()
        _READ_FLAGS[key] = (stamp, read)
    return read


def _prefix_pattern(path: str) -> str:
    # Materialized paths hold only digits and slashes, so the prefix needs no LIKE escaping.
    return path + "%"


FEED_COLUMNS = (
    *(
        getattr(Notice, name)
        for name in (
            "id",
            "title",
            "body",
            "category",
            "pinned",
            "publish_at",
            "expires_at",
            "withdrawn_at",
            "created_at",
            "updated_at",
        )
    ),
    Notice.region_id,
    Region.name.label("region_name"),
    Region.level.label("region_level"),
    Region.path.label("region_path"),
    Notice.author_id,
    User.name.label("author_name"),
)


def _feed_where(status: str | None, subtrees: int, search: bool, within: bool) -> list:
    """The filters of the feed, with the bound parameters `list_notices` fills in (but `now`, which each
    statement binds its own way)."""
    prefixes = [Region.path.like(sa.bindparam(f"subtree_{i}")) for i in range(subtrees)]
    in_subtrees = Notice.region_id.in_(sa.select(Region.id).where(sa.or_(sa.false(), *prefixes)))
    if status is None:
        in_scope = Notice.region_id.in_(sa.bindparam("region_ids", expanding=True))
        where = [sa.or_(in_scope, in_subtrees) if subtrees else in_scope]
    else:
        where = [in_subtrees]
    if within:
        where.append(
            Notice.region_id.in_(sa.select(Region.id).where(Region.path.like(sa.bindparam("within"))))
        )
    if search:
        words = sa.bindparam("words")
        where.append(sa.or_(Notice.title.ilike(words, escape="\\"), Notice.body.ilike(words, escape="\\")))
    return where


def _now() -> sa.BindParameter:
    return sa.bindparam("now", type_=Notice.publish_at.type)


@lru_cache(maxsize=256)
def _feed_statement(status: str | None, subtrees: int, after: bool, search: bool, within: bool) -> sa.Select:
    """The feed's one query for a page with its regions and authors, built once per shape: constructing it
    cost more than SQLite takes to run it. The page is cut in a subquery before joining: SQLite would
    otherwise join every matching notice and only then sort and cut (tens of ms at 10,000 notices against a
    fraction of one)."""
    state = _published(_now()) if status is None else _status_clause(status, _now())
    where = [*_feed_where(status, subtrees, search, within), state]
    page = keyset_page(sa.select(Notice.id).where(*where), FEED_ORDER, after=after).subquery()
    return (
        sa.select(*FEED_COLUMNS)
        .join(page, page.c.id == Notice.id)
        .join(Region, Region.id == Notice.region_id)
        .join(User, User.id == Notice.author_id)
        .order_by(*order_by(FEED_ORDER))
    )


@lru_cache(maxsize=256)
def _next_publish_statement(
    status: None, subtrees: int, after: bool, search: bool, within: bool
) -> sa.Select:
    """When the next scheduled notice of a reader feed's scope goes out: its cached pages end there."""
    return sa.select(sa.func.min(Notice.publish_at)).where(
        *_feed_where(status, subtrees, search, within),
        Notice.withdrawn_at.is_(None),
        Notice.publish_at > _now(),
    )


def _annotate(notices: list[Notice], viewer: User, now: datetime) -> None:
    """Adds what depends on the caller to loaded notices: `read`, `status`, `can_edit`."""
    read_ids = set(
        db.session.scalars(
            sa.select(NoticeRead.notice_id).where(
                NoticeRead.user_id == viewer.id, NoticeRead.notice_id.in_([n.id for n in notices])
            )
        )
    )
    paths = staff_paths(viewer, NOTICE_ROLES)
    for notice in notices:
        notice.read = notice.id in read_ids
        notice.status = notice.status_at(now)
        notice.can_edit = any(notice.region.path.startswith(p) for p in paths)


def _visible(notice: Notice, viewer: User, now: datetime) -> bool:
    if manages(viewer, notice.region):
        return True
    return notice.status_at(now) == "published" and reader_scope(Principal.of(viewer)).covers(notice.region)


def get_notice(notice_id: int, *, viewer: User) -> Notice:
    notice = db.session.get(Notice, notice_id)
    now = utcnow()
    if notice is None or not _visible(notice, viewer, now):
        raise NotFoundError("Notice not found.")
    _annotate([notice], viewer, now)
    return notice


def _managed_notice(notice_id: int, by: User) -> Notice:
    """A notice the user may change: 404 if they cannot see it, 403 if they see it but may not edit."""
    notice = get_notice(notice_id, viewer=by)
    if not notice.can_edit:
        raise ForbiddenError("You cannot change this notice.")
    return notice


def _region_for_posting(region_id: int, by: User) -> Region:
    region = db.session.get(Region, region_id)
    if region is None:
        raise UnprocessableError(fields={"region_id": ["No such region."]})
    if not manages(by, region):
        raise ForbiddenError("You cannot post notices for this region.")
    return region


def create_notice(
    *,
    by: User,
    title: str,
    body: str,
    region_id: int,
    category: str = "general",
    pinned: bool = False,
    publish_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> Notice:
    region = _region_for_posting(region_id, by)
    now = utcnow()
    publish_at = publish_at or now
    if expires_at is not None and expires_at <= publish_at:
        raise UnprocessableError(fields={"expires_at": ["Must be after publish_at."]})
    notice = Notice(
        region=region,
        author=by,
        title=title,
        body=body,
        category=category,
        pinned=pinned,
        publish_at=publish_at,
        expires_at=expires_at,
    )
    db.session.add(notice)
    db.session.flush()
    notify_notice(notice)
    record(
        by,
        "notice.create",
        notice,
        region_id=notice.region_id,
        summary=f"Posted notice “{title}”",
        data={"region_id": region.id, "publish_at": publish_at.isoformat()},
    )
    _annotate([notice], by, now)
    return notice


def update_notice(notice_id: int, *, by: User, changes: dict) -> Notice:
    notice = _managed_notice(notice_id, by)
    if notice.withdrawn_at is not None:
        raise ConflictError(
            "This notice was withdrawn and can no longer be changed.", code="notice_withdrawn"
        )
    publish_at = changes.get("publish_at", notice.publish_at)
    expires_at = changes.get("expires_at", notice.expires_at)
    if expires_at is not None and expires_at <= publish_at:
        raise UnprocessableError(fields={"expires_at": ["Must be after publish_at."]})
    changed = []
    if "region_id" in changes and changes["region_id"] != notice.region_id:
        notice.region = _region_for_posting(changes["region_id"], by)
        changed.append("region_id")
    for name in EDITABLE:
        if name in changes and getattr(notice, name) != changes[name]:
            setattr(notice, name, changes[name])
            changed.append(name)
    if changed:
        db.session.flush()
        record(
            by,
            "notice.update",
            notice,
            region_id=notice.region_id,
            summary=f"Edited notice “{notice.title}” ({', '.join(changed)})",
            data={"fields": changed},
        )
        if "publish_at" in changed:
            notify_notice(notice)  # the pending push moves with the new publishing time
    _annotate([notice], by, utcnow())
    return notice


def withdraw_notice(notice_id: int, *, by: User) -> None:
    """Withdrawing is final and idempotent: a second call changes and logs nothing."""
    notice = _managed_notice(notice_id, by)
    if notice.withdrawn_at is not None:
        return
    notice.withdrawn_at = utcnow()
    db.session.flush()
    record(
        by, "notice.withdraw", notice, region_id=notice.region_id, summary=f"Withdrew notice “{notice.title}”"
    )


def mark_read(notice_id: int, *, by: User) -> None:
    """Idempotent; concurrent duplicates are absorbed by the primary key rather than raising."""
    notice = get_notice(notice_id, viewer=by)
    if notice.read:
        return
    result = db.session.execute(
        insert_for(db.session.get_bind())(NoticeRead)
        .values(notice_id=notice.id, user_id=by.id, read_at=utcnow())
        .on_conflict_do_nothing()
    )
    if result.rowcount:
        stamps.bump(db.session.connection(), [stamps.user_stamp(READS, by.id)])  # Core: no ORM hook


def _audience(region: Region) -> sa.Select:
    """Distinct users with an active resident membership living in `region` or beneath it; a member
    with a unit lives in the unit's grid, without one in the region they joined."""
    home = sa.func.coalesce(Unit.grid_id, Membership.region_id)
    return (
        sa.select(Membership.user_id)
        .outerjoin(Unit, Membership.unit_id == Unit.id)
        .join(Region, Region.id == home)
        .where(
            Membership.role == Role.RESIDENT,
            Membership.status == MembershipStatus.ACTIVE,
            Region.path.startswith(region.path, autoescape=True),
        )
        .distinct()
    )


def notice_stats(notice_id: int, *, viewer: User) -> dict:
    """Staff-only read figures; to anyone else the stats do not exist (404)."""
    notice = get_notice(notice_id, viewer=viewer)
    if not serves(viewer, notice.region, STAFF_ROLES):
        raise NotFoundError("Notice not found.")
    audience = _audience(notice.region).subquery()
    audience_count = db.session.scalar(sa.select(sa.func.count()).select_from(audience)) or 0
    read_count = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(NoticeRead)
            .where(NoticeRead.notice_id == notice.id, NoticeRead.user_id.in_(sa.select(audience.c.user_id)))
        )
        or 0
    )
    rate = round(read_count / audience_count, 4) if audience_count else 0.0
    return {"audience_count": audience_count, "read_count": read_count, "read_rate": rate}
