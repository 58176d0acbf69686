"""HTTP endpoints for notices: the reader's feed, posting and managing, read receipts and read stats."""

import orjson
from flask import current_app
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint

from app.core.after_commit import commit
from app.core.auth import current_principal, current_user
from app.core.query_args import ParseOnceParser, parse_once
from app.core.schemas import page_schema
from app.notices import service
from app.notices.schemas import (
    NoticeCreateSchema,
    NoticeListArgs,
    NoticeSchema,
    NoticeStatsSchema,
    NoticeUpdateSchema,
    dump_feed_item,
)

bp = Blueprint("notices", __name__, url_prefix="/api/v1", description="Notices (通知公告)")
bp.ARGUMENTS_PARSER = ParseOnceParser()

NoticePageSchema = page_schema(NoticeSchema, "NoticePage")
# An instance, not the class: webargs would build a new schema (copying every field) on each request.
LIST_ARGS = parse_once(NoticeListArgs())


@bp.get("/notices")
@jwt_required()
@bp.arguments(LIST_ARGS, location="query")
@bp.response(200, NoticePageSchema)
def list_notices(args):
    """The caller's notices, pinned first then newest; staff may pass `status` to manage their regions'."""
    items, next_cursor = service.list_notices(viewer=current_principal(), **args)
    # A ready response passes flask-smorest's schema untouched; dump_feed_item keeps the same shape.
    page = {"data": [dump_feed_item(item) for item in items], "next_cursor": next_cursor}
    return current_app.response_class(orjson.dumps(page), mimetype="application/json")


@bp.post("/notices")
@jwt_required()
@bp.arguments(NoticeCreateSchema)
@bp.response(201, NoticeSchema)
def create_notice(data):
    """Post a notice for a region the caller serves; a future `publish_at` schedules it."""
    notice = service.create_notice(by=current_user(), **data)
    commit()
    return notice


@bp.get("/notices/<int:notice_id>")
@jwt_required()
@bp.response(200, NoticeSchema)
def get_notice(notice_id: int):
    """One notice the caller may see."""
    return service.get_notice(notice_id, viewer=current_user())


@bp.patch("/notices/<int:notice_id>")
@jwt_required()
@bp.arguments(NoticeUpdateSchema)
@bp.response(200, NoticeSchema)
def update_notice(data, notice_id: int):
    """Edit, reschedule or expire a notice (`expires_at` now expires it, null clears the expiry)."""
    notice = service.update_notice(notice_id, by=current_user(), changes=data)
    commit()
    return notice


@bp.delete("/notices/<int:notice_id>")
@jwt_required()
@bp.response(204)
def withdraw_notice(notice_id: int):
    """Withdraw a notice: readers no longer see it; staff still find it with `status=withdrawn`."""
    service.withdraw_notice(notice_id, by=current_user())
    commit()


@bp.post("/notices/<int:notice_id>/read")
@jwt_required()
@bp.response(204)
def mark_read(notice_id: int):
    """Record that the caller read the notice; repeating it changes nothing."""
    service.mark_read(notice_id, by=current_user())
    commit()


@bp.get("/notices/<int:notice_id>/stats")
@jwt_required()
@bp.response(200, NoticeStatsSchema)
def notice_stats(notice_id: int):
    """Audience and read rate, for staff who serve the notice's region."""
    return service.notice_stats(notice_id, viewer=current_user())
