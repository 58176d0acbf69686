"""Query strings parsed once per process: the arguments of the hottest reads, kept per query string."""

from flask import request
from marshmallow import Schema
from webargs.flaskparser import FlaskParser


class ParseOnceParser(FlaskParser):
    """A FlaskParser that remembers what a query string loaded to, for schemas with `parse_once = True`.

    Every resident's phone opens the feed with the same `?limit=20`, and webargs with marshmallow cost a
    signed-in feed request about as much as its sign-in check. A schema may opt in only when loading is pure:
    scalar fields, nothing read from the request, the user or the clock. Invalid input raises as before
    and is not kept; each caller gets its own copy of the arguments.
    """

    MAX_ENTRIES = 1024

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._parsed: dict[tuple, dict] = {}

    def parse(self, argmap, req=None, *, location=None, validate=None, **kwargs):
        if location != "query" or validate is not None or not getattr(argmap, "parse_once", False):
            return super().parse(argmap, req, location=location, validate=validate, **kwargs)
        key = (id(argmap), request.query_string)
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = super().parse(argmap, req, location=location, **kwargs)
            if len(self._parsed) >= self.MAX_ENTRIES:
                self._parsed.clear()  # cursors make many distinct strings; a miss costs one parse
            self._parsed[key] = parsed
        return dict(parsed)


def parse_once(schema: Schema) -> Schema:
    """Mark a query schema instance as pure (see ParseOnceParser); returns it."""
    schema.parse_once = True
    return schema
