"""The one error envelope for every failure: API errors, validation, HTTP, JWT and rate limits."""

from flask import Flask, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    status = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(self, message: str | None = None, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.code = code or self.code
        self.fields = fields

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class BadRequestError(ApiError):
    status, code = 400, "bad_request"


class UnauthorizedError(ApiError):
    status, code, message = 401, "unauthorized", "Sign in to continue."


class ForbiddenError(ApiError):
    status, code, message = 403, "forbidden", "You are not allowed to do this."


class NotFoundError(ApiError):
    status, code, message = 404, "not_found", "Not found."


class ConflictError(ApiError):
    status, code, message = 409, "conflict", "This conflicts with the current state."


class UnprocessableError(ApiError):
    status, code, message = 422, "validation_error", "The request is invalid."


class UnavailableError(ApiError):
    status, code, message = 503, "unavailable", "This cannot be done just now; please try again."


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


def validation_fields(exc: ValidationError) -> dict:
    """A schema's messages as the envelope's `fields` (a schema-level error under `_schema`)."""
    return exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}


def error_response(status: int, code: str, message: str, fields: dict | None = None, headers=None):
    body: dict = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    response = jsonify({"error": body})
    response.status_code = status
    if headers:
        response.headers.extend(headers)
    return response


def _webargs_fields(messages: dict) -> dict:
    """webargs nests errors under their location ("json", "query"); callers only need field names."""
    fields: dict = {}
    for located in messages.values():
        if isinstance(located, dict):
            fields.update(located)
    return fields


def handle_http_exception(exc: HTTPException):
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    if status == 422 and "messages" in data:
        fields = _webargs_fields(data["messages"])
        return error_response(422, "validation_error", "The request is invalid.", fields)
    if status == 429:
        return error_response(
            429,
            "rate_limited",
            "Too many requests; please wait a moment and try again.",
            headers=exc.get_response().headers if hasattr(exc, "get_response") else None,
        )
    message = exc.description if isinstance(exc.description, str) else exc.name
    if status == 400 and "messages" in data:
        message = "The request body is not valid JSON."
    headers = None
    if status == 405:
        headers = (
            [("Allow", ", ".join(exc.valid_methods or []))] if getattr(exc, "valid_methods", None) else None
        )
    return error_response(status, HTTP_CODES.get(status, "http_error"), message, headers=headers)


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        response = jsonify(exc.to_dict())
        response.status_code = exc.status
        return response

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError):
        return error_response(422, "validation_error", "The request is invalid.", validation_fields(exc))

    app.register_error_handler(HTTPException, handle_http_exception)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return handle_http_exception(exc)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "Something went wrong on our side.")
