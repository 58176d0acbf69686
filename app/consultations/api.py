"""HTTP endpoints for consultations (议事协商): posting, the lifecycle, opinions, supports, moderation, the
outcome and its follow-through."""

from flask import current_app
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint

from app.consultations import jobs, queries, service  # noqa: F401  (jobs registers the close/overdue tick)
from app.consultations.schemas import (
    CommentCreateSchema,
    CommentHideSchema,
    CommentListArgs,
    CommentReportResultSchema,
    CommentReportSchema,
    ConsultationCommentSchema,
    ConsultationCreateSchema,
    ConsultationFollowupCreateSchema,
    ConsultationFollowupSchema,
    ConsultationListArgs,
    ConsultationOpinionSchema,
    ConsultationOutcomeSchema,
    ConsultationSchema,
    ConsultationSummarySchema,
    ConsultationSupportResultSchema,
    ConsultationTransitionSchema,
    ConsultationUpdateSchema,
)
from app.core.after_commit import commit
from app.core.auth import current_user
from app.core.schemas import page_schema
from app.extensions import limiter

bp = Blueprint(
    "consultations", __name__, url_prefix="/api/v1/consultations", description="Consultations (议事协商)"
)

ConsultationPageSchema = page_schema(ConsultationSummarySchema, "ConsultationPage")
OpinionPageSchema = page_schema(ConsultationOpinionSchema, "OpinionPage")


def _comment_limit() -> str:
    return current_app.config["CONSULTATION_COMMENT_RATE_LIMIT"]


def _detail(consultation_id: int, user):
    return queries.detail(service.get_consultation(consultation_id, viewer=user), viewer=user)


@bp.get("")
@jwt_required()
@bp.arguments(ConsultationListArgs, location="query")
@bp.response(200, ConsultationPageSchema)
def list_consultations(args):
    """Consultations of the caller's regions, newest first (drafts only for their staff); `overdue=true`
    gives staff the late outcomes beneath them."""
    rows, next_cursor = queries.list_consultations(viewer=current_user(), **args)
    return {"data": rows, "next_cursor": next_cursor}


@bp.post("")
@jwt_required()
@bp.arguments(ConsultationCreateSchema)
@bp.response(201, ConsultationSchema)
def create_consultation(data):
    """Post a consultation for a region you serve (committee, community worker, street staff); a draft
    unless `open` is true."""
    user = current_user()
    consultation = service.create_consultation(by=user, **data)
    commit()
    return _detail(consultation.id, user)


@bp.get("/<int:consultation_id>")
@jwt_required()
@bp.response(200, ConsultationSchema)
def get_consultation(consultation_id: int):
    """One consultation with its photos, counts, outcome and follow-through."""
    return _detail(consultation_id, current_user())


@bp.patch("/<int:consultation_id>")
@jwt_required()
@bp.arguments(ConsultationUpdateSchema)
@bp.response(200, ConsultationSchema)
def update_consultation(data, consultation_id: int):
    """Edit a draft or open consultation (its staff); `photo_ids` replaces the photos."""
    user = current_user()
    service.update_consultation(consultation_id, by=user, changes=data)
    commit()
    return _detail(consultation_id, user)


@bp.post("/<int:consultation_id>/transitions")
@jwt_required()
@bp.arguments(ConsultationTransitionSchema)
@bp.response(200, ConsultationSchema)
def move_consultation(data, consultation_id: int):
    """Open a draft, or close an open consultation early (it also closes by itself at closes_at)."""
    user = current_user()
    service.transition(consultation_id, data["action"], by=user)
    commit()
    return _detail(consultation_id, user)


@bp.get("/<int:consultation_id>/comments")
@jwt_required()
@bp.arguments(CommentListArgs, location="query")
@bp.response(200, OpinionPageSchema)
def list_comments(args, consultation_id: int):
    """Opinions, newest first, each with its replies."""
    user = current_user()
    consultation = service.get_consultation(consultation_id, viewer=user)
    rows, next_cursor = queries.list_comments(consultation, viewer=user, **args)
    return {"data": rows, "next_cursor": next_cursor}


@bp.post("/<int:consultation_id>/comments")
@jwt_required()
@limiter.limit(_comment_limit)
@bp.arguments(CommentCreateSchema)
@bp.response(201, ConsultationCommentSchema)
def add_comment(data, consultation_id: int):
    """Give an opinion with a stance (for / against / neutral), or reply to an opinion with `parent_id`
    (one level deep). Verified residents of the region, or its staff (marked official)."""
    user = current_user()
    comment = service.add_comment(consultation_id, by=user, **data)
    commit()
    return queries.comment_view(comment, viewer=user, staff=comment.official, reported=False)


@bp.post("/<int:consultation_id>/support")
@jwt_required()
@bp.response(201, ConsultationSupportResultSchema)
@bp.alt_response(
    200, schema=ConsultationSupportResultSchema, description="Already supported; nothing changed"
)
def support(consultation_id: int):
    """Support the consultation (verified residents of the region, once each)."""
    consultation, counted = service.support(consultation_id, by=current_user())
    commit()
    body = {
        "consultation_id": consultation.id,
        "supported": True,
        "support_count": consultation.support_count,
    }
    return body, 201 if counted else 200


@bp.post("/<int:consultation_id>/comments/<int:comment_id>/reports")
@jwt_required()
@limiter.limit(_comment_limit)
@bp.arguments(CommentReportSchema)
@bp.response(201, CommentReportResultSchema)
@bp.alt_response(
    200, schema=CommentReportResultSchema, description="Already reported by you; nothing changed"
)
def report_comment(data, consultation_id: int, comment_id: int):
    """Report an abusive comment to the region's staff (once per person)."""
    comment, counted = service.report_comment(consultation_id, comment_id, by=current_user(), **data)
    commit()
    return {"comment_id": comment.id, "reported": True}, 201 if counted else 200


@bp.post("/<int:consultation_id>/comments/<int:comment_id>/hide")
@jwt_required()
@bp.arguments(CommentHideSchema)
@bp.response(200, ConsultationCommentSchema)
def hide_comment(data, consultation_id: int, comment_id: int):
    """Hide a comment with a reason (the region's staff): its author sees why, others a placeholder; the
    audit log keeps it."""
    user = current_user()
    comment = service.hide_comment(consultation_id, comment_id, by=user, reason=data["reason"])
    commit()
    return queries.comment_view(comment, viewer=user, staff=True, reported=False)


@bp.post("/<int:consultation_id>/outcome")
@jwt_required()
@bp.arguments(ConsultationOutcomeSchema)
@bp.response(201, ConsultationSchema)
def publish_outcome(data, consultation_id: int):
    """Publish the committee's answer (closing the consultation if still open); pushed to the residents."""
    user = current_user()
    service.publish_outcome(consultation_id, by=user, body=data["body"])
    commit()
    return _detail(consultation_id, user)


@bp.post("/<int:consultation_id>/followups")
@jwt_required()
@bp.arguments(ConsultationFollowupCreateSchema)
@bp.response(201, ConsultationFollowupSchema)
def add_followup(data, consultation_id: int):
    """Follow-through after the outcome: a new item with its progress (0–100), or with `item_id` a dated
    update of an item."""
    followup = service.add_followup(consultation_id, by=current_user(), **data)
    commit()
    return {
        "id": followup.id,
        "item_id": followup.item_id,
        "body": followup.body,
        "progress": followup.progress,
        "author": {"id": followup.author.id, "name": followup.author.name},
        "created_at": followup.created_at,
    }
