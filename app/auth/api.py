"""HTTP endpoints for registering, signing in, refreshing, signing out, reading oneself and one's photo."""

from flask import current_app, request
from flask_jwt_extended import get_jwt, jwt_required
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from app.auth import service
from app.auth.schemas import (
    AuthResultSchema,
    LoginSchema,
    MePhotoSchema,
    MeSchema,
    RegisterSchema,
    TokensSchema,
)
from app.core.after_commit import commit
from app.core.auth import current_user
from app.extensions import limiter

bp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Accounts and tokens")


def _phone_key() -> str:
    body = request.get_json(silent=True) or {}
    phone = body.get("phone") if isinstance(body, dict) else None
    return f"phone:{service.normalize_phone(phone) if isinstance(phone, str) else ''}"


def _ip_key() -> str:
    return f"ip:{get_remote_address()}"


def _auth_limits(fn):
    fn = limiter.limit(lambda: current_app.config["AUTH_RATE_LIMIT_PHONE"], key_func=_phone_key)(fn)
    return limiter.limit(lambda: current_app.config["AUTH_RATE_LIMIT_IP"], key_func=_ip_key)(fn)


@bp.post("/auth/register")
@_auth_limits
@bp.arguments(RegisterSchema)
@bp.response(201, AuthResultSchema)
def register(data):
    """Create an account with a mainland mobile number and sign in."""
    user = service.register_user(**data)
    tokens = service.start_session(user, user_agent=request.user_agent.string)
    commit()
    return {"user": user, **tokens}


@bp.post("/auth/login")
@_auth_limits
@bp.arguments(LoginSchema)
@bp.response(200, AuthResultSchema)
def login(data):
    """Sign in with phone and password."""
    user = service.authenticate(**data)
    tokens = service.start_session(user, user_agent=request.user_agent.string)
    commit()
    return {"user": user, **tokens}


@bp.post("/auth/refresh")
@jwt_required(refresh=True)
@bp.response(200, TokensSchema)
def refresh():
    """Trade the refresh token (as Bearer) for a new pair; the old one stops working."""
    try:
        tokens = service.rotate_refresh_token(get_jwt())
    except service.RefreshReuseError:
        commit()  # keep the revocation even though the request fails
        raise
    commit()
    return tokens


@bp.post("/auth/logout")
@jwt_required(verify_type=False)
@bp.response(204)
def logout():
    """End this login: its access and refresh tokens are refused from now on."""
    service.revoke_session(get_jwt()["sid"], reason="logout")
    commit()


@bp.get("/me")
@jwt_required()
@bp.response(200, MeSchema)
def me():
    """The signed-in user with every membership."""
    return current_user()


@bp.put("/me/photo")
@jwt_required()
@bp.arguments(MePhotoSchema)
@bp.response(200, MeSchema)
def set_photo(data):
    """Make one of your uploads (POST /uploads) your photo, shown to residents on your chat card; the photo it
    replaces is no longer used, and the clean-up of unused images deletes it."""
    user = current_user()
    service.set_photo(data["upload_id"], by=user)
    commit()
    return user


@bp.delete("/me/photo")
@jwt_required()
@bp.response(204)
def remove_photo():
    """Remove your photo; the clean-up of unused images deletes it."""
    service.remove_photo(by=current_user())
    commit()
