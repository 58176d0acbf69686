"""HTTP endpoints for web push: the VAPID key, registering and removing a device, notification switches."""

from flask import request
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint

from app.core.after_commit import commit
from app.core.auth import current_user
from app.push import delivery, fallback, service  # noqa: F401  (delivery and fallback register outbox handlers)
from app.push.models import PushKind
from app.push.schemas import (
    NotificationSettingsSchema,
    NotificationSettingsUpdateSchema,
    SubscriptionCreateSchema,
    SubscriptionDeleteSchema,
    SubscriptionSchema,
    VapidKeySchema,
)
from app.push.vapid import keys

bp = Blueprint("push", __name__, url_prefix="/api/v1", description="Web push and notification settings")


@bp.get("/push/vapid-public-key")
@bp.response(200, VapidKeySchema)
def vapid_public_key():
    """The applicationServerKey to pass to PushManager.subscribe(), and which kinds reach a user without push
    by SMS instead (so the app can say so when push is blocked or unreachable)."""
    kinds = service.fallback_kinds()
    return {"public_key": keys().public_key, "fallback_kinds": [k.value for k in PushKind if k in kinds]}


@bp.post("/push/subscriptions")
@jwt_required()
@bp.arguments(SubscriptionCreateSchema)
@bp.response(201, SubscriptionSchema)
@bp.alt_response(200, schema=SubscriptionSchema, description="The device was already registered; refreshed.")
def subscribe(data):
    """Register this device's push subscription (PushSubscription.toJSON()). Sending the same endpoint again
    refreshes it (200); a device now signed in as you moves to you."""
    sub, created = service.subscribe(by=current_user(), user_agent=request.user_agent.string, **data)
    commit()
    return sub, 201 if created else 200


@bp.delete("/push/subscriptions")
@jwt_required()
@bp.arguments(SubscriptionDeleteSchema)
@bp.response(204)
def unsubscribe(data):
    """Stop pushing to this device (after PushSubscription.unsubscribe(), or on sign-out)."""
    service.unsubscribe(by=current_user(), endpoint=data["endpoint"])
    commit()


@bp.get("/me/notification-settings")
@jwt_required()
@bp.response(200, NotificationSettingsSchema)
def get_notification_settings():
    """One switch per kind of notification; all on until changed."""
    return service.get_settings(current_user())


@bp.patch("/me/notification-settings")
@jwt_required()
@bp.arguments(NotificationSettingsUpdateSchema)
@bp.response(200, NotificationSettingsSchema)
def update_notification_settings(data):
    """Turn kinds on or off; kinds left out keep their value."""
    settings = service.update_settings(by=current_user(), changes=data)
    commit()
    return settings
