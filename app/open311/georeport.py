"""The GeoReport v2 endpoints under /open311/v2: discovery, services, service definitions, requests (GET and
POST with an api_key), one request, and tokens. Each answers in `.xml` or `.json`; errors are the spec's
array of {code, description} with 400 (bad request), 403 (api_key) or 404 (no such thing)."""

from flask import Blueprint, current_app, request, url_for
from werkzeug.exceptions import HTTPException

from app.core.after_commit import commit
from app.core.db import utcnow
from app.core.errors import ApiError
from app.extensions import db
from app.open311 import keys
from app.open311.render import errors, respond
from app.open311.service import (
    ATTRIBUTE_COMMUNITY,
    ATTRIBUTE_TYPE,
    MAX_DESCRIPTION,
    SPECIFICATION,
    Open311Error,
    changeset,
    find_requests,
    get_request,
    get_service,
    parse_attributes,
    parse_location,
    request_row,
    service_definition,
    services,
    w3c,
)
from app.reports import service as reports
from app.reports.models import Channel, ReportType

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
FORMAT = "<any(xml, json):fmt>"
CONTACT_FIELDS = ("email", "device_id", "account_id", "first_name", "last_name", "phone")


def _format() -> str:
    return (request.view_args or {}).get("fmt") or ("json" if request.path.endswith(".json") else "xml")


@bp.errorhandler(Open311Error)
def _open311_error(exc: Open311Error):
    db.session.rollback()
    return errors(_format(), exc.status, *exc.descriptions)


@bp.errorhandler(Exception)
def _any_error(exc: Exception):
    db.session.rollback()
    status = getattr(exc, "code", None) if not isinstance(exc, ApiError) else exc.status
    if isinstance(status, int) and status in (403, 404):
        return errors(_format(), status, getattr(exc, "description", None) or str(exc))
    if isinstance(status, int) and 400 <= status < 500:
        return errors(_format(), 400, getattr(exc, "description", None) or str(exc))
    current_app.logger.exception("Open311 %s %s failed", request.method, request.path)
    return errors(_format(), 400, "The service could not process this request; please try again later.")


@bp.before_request
def _check_jurisdiction():
    """One jurisdiction here: the id may be left out, but a different one does not exist."""
    given = (request.values.get("jurisdiction_id") or "").strip()
    if given and given != current_app.config["OPEN311_JURISDICTION_ID"]:
        raise Open311Error(404, f"Unknown jurisdiction_id: {given}")


@bp.get("/")
def root():
    """The spec suggests offering discovery at the endpoint's root too (no route defaults: they redirect)."""
    return discovery("xml")


@bp.get(f"/discovery.{FORMAT}")
def discovery(fmt: str):
    stamp = changeset()
    body = {
        "changeset": stamp,
        "contact": "Linli (邻里) — write to the district's digital governance office.",
        "key_service": "API keys are issued by a district administrator (POST /api/v1/open311/keys).",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url_for("open311.discovery", fmt=fmt, _external=True).rsplit("/", 1)[0],
                "changeset": stamp,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", body)


@bp.get(f"/services.{FORMAT}")
def list_services(fmt: str):
    return respond(fmt, "services", services())


@bp.get(f"/services/<path:code>.{FORMAT}")
def get_service_definition(code: str, fmt: str):
    return respond(fmt, "service_definition", service_definition(code))


@bp.get(f"/requests.{FORMAT}")
def list_requests(fmt: str):
    rows = find_requests(request.args, now=utcnow())
    return respond(fmt, "service_requests", [request_row(r) for r in rows])


@bp.get(f"/requests/<request_id>.{FORMAT}")
def get_one_request(request_id: str, fmt: str):
    return respond(fmt, "service_requests", [request_row(get_request(request_id))])


@bp.get(f"/tokens/<token>.{FORMAT}")
def get_token(token: str, fmt: str):
    # Every service here is `realtime`: POST answers with the service_request_id, so no token ever exists.
    raise Open311Error(
        404, f"Unknown token: {token}. Requests are created in realtime here; no tokens are issued."
    )


@bp.post(f"/requests.{FORMAT}")
def post_request(fmt: str):
    form = request.form
    api_key = keys.check_key(form.get("api_key"))
    if api_key is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request.")
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code is required.")
    leaf = get_service(code)
    lat, lng, address = parse_location(form)
    attributes = parse_attributes(form)
    description = (form.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description may be at most {MAX_DESCRIPTION} characters.")
    media_url = (form.get("media_url") or "").strip() or None
    if media_url and (len(media_url) > 500 or not media_url.startswith(("http://", "https://"))):
        raise Open311Error(400, "media_url must be an http(s) URL of at most 500 characters.")
    contact = {name: form[name].strip()[:200] for name in CONTACT_FIELDS if (form.get(name) or "").strip()}
    contact |= {"partner": api_key.name, "api_key_id": api_key.id}
    community = attributes.get(ATTRIBUTE_COMMUNITY)
    try:
        report, _ = reports.create_report(
            by=None,
            category=leaf.code,
            description=description or leaf.name,
            lat=lat,
            lng=lng,
            address=address,
            type=ReportType(attributes[ATTRIBUTE_TYPE]) if attributes.get(ATTRIBUTE_TYPE) else None,
            community_id=int(community) if community else None,
            channel=Channel.OPEN311,
            contact=contact,
            media_url=media_url,
        )
    except ApiError as exc:
        raise Open311Error(400, exc.message) from exc
    api_key.last_used_at = utcnow()
    commit()
    notice = f"Expected to be resolved by {w3c(report.resolve_due)}."
    return respond(
        fmt,
        "service_requests",
        [{"service_request_id": str(report.id), "service_notice": notice, "account_id": None}],
    )


@bp.route("/<path:anything>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(anything: str):
    """Unknown paths are 404; a known path asked with the wrong method is 405, both in the spec's shape."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != "open311.unknown":
            allowed.append(method)
    if allowed:
        response = errors(_format(), 405, f"Use {' or '.join(allowed)} here.")
        response.headers["Allow"] = ", ".join(allowed)
        return response
    raise Open311Error(404, f"No such resource: /open311/v2/{anything}")
