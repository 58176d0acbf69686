"""The signed-in user of a request, and JWT failures answered in the one error envelope."""

from flask import Flask
from flask_jwt_extended import current_user as _jwt_current_user

from app.core.errors import error_response
from app.extensions import jwt


def current_user():
    return _jwt_current_user._get_current_object()


def init_app(app: Flask) -> None:
    from app.auth.service import load_token_user

    @jwt.token_in_blocklist_loader
    def _revoked(_header, payload) -> bool:
        # Loads the user in the same query; flask-jwt-extended asks the user loader right after.
        user = load_token_user(payload)
        from flask import g

        g._token_user = user
        return user is None

    @jwt.user_lookup_loader
    def _lookup(_header, payload):
        from flask import g

        return g.pop("_token_user", None) or load_token_user(payload)

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
