"""GeoReport v2 bodies in both formats: schemaless XML with the UTF-8 declaration, and JSON by the Spark
convention (the root container dropped, repeated children always an array)."""

import json
from xml.etree import ElementTree as ET

from flask import Response

# Container element -> the element it repeats.
REPEATED = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
MIMETYPES = {"xml": "text/xml", "json": "application/json"}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_element(key, child))
    elif isinstance(value, list):
        for child in value:
            element.append(_element(REPEATED[tag], child))
    else:
        element.text = _text(value)
    return element


def to_xml(root: str, body) -> str:
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(_element(root, body), encoding="unicode")


def respond(fmt: str, root: str, body, status: int = 200) -> Response:
    """`body` has the JSON shape: a list for the repeated roots (services, service_requests, errors)."""
    text = json.dumps(body, ensure_ascii=False) if fmt == "json" else to_xml(root, body)
    return Response(text, status=status, content_type=f"{MIMETYPES[fmt]}; charset=utf-8")


def errors(fmt: str, status: int, *descriptions: str) -> Response:
    return respond(fmt, "errors", [{"code": status, "description": d} for d in descriptions], status)
