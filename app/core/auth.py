"""The signed-in user of a request, and JWT failures answered in the one error envelope."""

from flask import Flask, g
from flask_jwt_extended import get_current_user

from app.core.errors import error_response
from app.extensions import jwt


def current_principal():
    """The verified login of this request (see app.auth.principal), or None without one."""
    return get_current_user()


def current_user():
    """The signed-in ORM user, loaded on first use; None when the request carries no token."""
    principal = get_current_user()
    return None if principal is None else principal.user


def init_app(app: Flask) -> None:
    from app.auth.principal import load_principal

    @jwt.token_in_blocklist_loader
    def _revoked(_header, payload) -> bool:
        # The login check yields the principal; flask-jwt-extended asks the user loader right after.
        g._principal = principal = load_principal(payload)
        return principal is None

    @jwt.user_lookup_loader
    def _lookup(_header, payload):
        return g.pop("_principal", None) or load_principal(payload)

    @jwt.unauthorized_loader
    def _missing(reason: str):
        return error_response(401, "unauthorized", "Sign in to continue.")

    @jwt.invalid_token_loader
    def _invalid(reason: str):
        return error_response(401, "invalid_token", "The access token is invalid.")

    @jwt.expired_token_loader
    def _expired(_header, _payload):
        return error_response(401, "token_expired", "The access token has expired.")

    @jwt.revoked_token_loader
    def _revoked_answer(_header, _payload):
        return error_response(401, "token_revoked", "This sign-in has ended; please sign in again.")

    @jwt.needs_fresh_token_loader
    def _not_fresh(_header, _payload):
        return error_response(401, "fresh_token_required", "Please sign in again.")

    @jwt.user_lookup_error_loader
    def _no_user(_header, _payload):
        return error_response(401, "token_revoked", "This sign-in has ended; please sign in again.")
