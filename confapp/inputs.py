"""Bounds on what a visitor sends, in one place for every route: no NUL characters anywhere in
a request (PostgreSQL text cannot hold them), ids that fit the database's integer columns,
page numbers and JSON bodies read through the same helpers.

Forms get the same bounds field by field from confapp.forms.Form; this module covers what no
form sees (paths, query strings, hand-parsed forms, JSON bodies).
"""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import gettext
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from .errors import ValidationFailed

# PostgreSQL's `integer` (and what SQLite's driver takes without overflow, with room to spare).
MAX_ID = 2**31 - 1
# No list is longer than this many pages; a larger number shows the last page anyway.
MAX_PAGE = 100_000
# Dates anyone may give (events, sales windows, sessions): pages that show dates stay small.
FIRST_YEAR, LAST_YEAR = 2000, 2100
NUL_MESSAGE = "Text cannot contain the NUL character (\\0). Remove it and try again."


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: a number too large for an id is a 404, not a database error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _has_nul(value) -> bool:
    return "\x00" in value


def check_request() -> None:
    """Every request, once before any view. A body without files (a plain form, JSON) is at most
    MAX_FORM_MEMORY_SIZE: Werkzeug applies that limit to multipart fields only. Then no NUL
    character in any text: path, query, form fields and file names, and a JSON body (raw, so an
    escaped \\u0000 counts too)."""
    limit = current_app.config.get("MAX_FORM_MEMORY_SIZE")
    if (limit and (request.content_length or 0) > limit
            and (request.is_json or request.mimetype == "application/x-www-form-urlencoded")):
        raise RequestEntityTooLarge()
    if _has_nul(request.path) or "%00" in request.query_string.decode("latin-1"):
        raise BadRequest(NUL_MESSAGE)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.is_json:
        raw = request.get_data(cache=True, as_text=False)
        if b"\x00" in raw or b"\\u0000" in raw:
            raise BadRequest(NUL_MESSAGE)
        return
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, values in request.form.lists():
            if _has_nul(key) or any(_has_nul(v) for v in values):
                raise BadRequest(NUL_MESSAGE)
        for key, storage in request.files.items(multi=True):
            if _has_nul(key) or _has_nul(storage.filename or ""):
                raise BadRequest(NUL_MESSAGE)


def as_id(value) -> int | None:
    """Typed or posted text as an id: digits from 1 to MAX_ID, else None."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 10 or not 1 <= int(text) <= MAX_ID:
        return None
    return int(text)


def page_arg(name: str = "page") -> int:
    """The page number asked for in the query string: 1 when missing or not a number, at most MAX_PAGE."""
    page = request.args.get(name, 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def json_body() -> dict:
    """The request's JSON object, or ValidationFailed (a JSON 422) for anything else."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed({"body": gettext("Send a JSON object.")})
    return body


def json_id(body: dict, key: str, message: str) -> int:
    """An id from a JSON body: a whole number from 1 to MAX_ID (a JSON number or digits), else
    ValidationFailed({key: message})."""
    value = body.get(key)
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 10:
        value = int(value.strip())
    if not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ValidationFailed({key: message})
    return value


def register_input_bounds(app: Flask) -> None:
    """Call before any blueprint is registered: routes compile their converters when added."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(check_request)
