"""The domain error family and the one place that turns errors into responses.

Services raise DomainError subclasses; HTML views catch them to show form errors,
and anything uncaught is rendered here: JSON for the API and JSON clients,
a friendly page otherwise. No traceback ever reaches a user.
"""
from __future__ import annotations

import logging
import traceback

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

log = logging.getLogger(__name__)


class DomainError(Exception):
    status_code = 400
    code = "domain_error"
    default_message = _l("The request could not be completed.")

    def __init__(self, message: str | None = None, **details):
        # Evaluated now, in the language of the request that raised it.
        self.message = str(message or self.default_message)
        super().__init__(self.message)
        self.details = details


class NotAllowed(DomainError):
    status_code = 403
    code = "not_allowed"
    default_message = _l("You are not allowed to do that.")


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_message = _l("Not found.")


class InvalidState(DomainError):
    status_code = 409
    code = "invalid_state"
    default_message = _l("That is not possible in the current state.")


class SoldOut(DomainError):
    status_code = 409
    code = "sold_out"
    default_message = _l("There are no places left.")


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    default_message = _l("That conflicts with existing data.")


class ValidationFailed(DomainError):
    status_code = 422
    code = "validation_failed"
    default_message = _l("Some fields need attention.")

    def __init__(self, errors: dict[str, str] | None = None, message: str | None = None):
        super().__init__(message)
        self.errors = errors or {}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_body(status: int, code: str, message: str, fields: dict | None = None) -> dict:
    """An RFC 9457 problem: `type` names the problem (about:blank for a plain HTTP status),
    `title` is the status's phrase, `detail` says what happened in words; `code` is the stable
    machine-readable name and `errors` the message for each field of a validation error."""
    plain = code == HTTP_STATUS_CODES.get(status, "").lower().replace(" ", "_")
    body: dict = {"type": "about:blank" if plain else f"urn:confapp:problem:{code}",
                  "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status,
                  "detail": message, "code": code}
    if fields:
        body["errors"] = fields
    return body


def json_error(status: int, code: str, message: str, fields: dict | None = None):
    """The one JSON error format: application/problem+json (RFC 9457) under /api/, else
    {"error": {"code", "message", "fields"?}} (the desk and other JSON clients of the pages)."""
    if request.path.startswith("/api/"):
        response = jsonify(problem_body(status, code, message, fields))
        response.status_code = status
        response.mimetype = PROBLEM_CONTENT_TYPE
        return response
    body: dict = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    return response


def _html_error(status: int, title: str, message: str):
    template = f"errors/{status}.html" if status in (400, 403, 404, 405, 409, 413, 422, 429, 500) else "errors/generic.html"
    return render_template(template, status=status, title=title, message=message), status


def too_large_message() -> str:
    """What a 413 says (a body over MAX_CONTENT_LENGTH, or one form field over MAX_FORM_MEMORY_SIZE)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return gettext("What you sent is larger than this site accepts (at most %(megabytes)s MB in one go, "
                   "and a text field at most a few hundred thousand characters). Nothing was saved: go back, "
                   "make the file smaller or the text shorter, and try again.", megabytes=f"{limit / 1024 / 1024:.0f}")


def describe_database_error(error: DBAPIError) -> str:
    """A database error for the log without the values it carried. The engine hides bound
    parameters (hide_parameters), but PostgreSQL's own message and DETAIL quote them ("Key
    (email)=(...) already exists", "invalid input syntax ...: \"...\""): keep only the SQLSTATE,
    the constraint, table and column names, and the statement, whose values are placeholders."""
    orig = error.orig
    diag = getattr(orig, "diag", None)
    parts = [type(orig).__name__]
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code:
        parts.append(f"SQLSTATE {code}")
    for name in ("table_name", "column_name", "constraint_name"):
        value = getattr(diag, name, None) if diag is not None else None
        if value:
            parts.append(f"{name.split('_')[0]} {value}")
    statement = " ".join((error.statement or "").split())[:500]
    return f"{', '.join(parts)}; statement: {statement}"


def register_error_handlers(app: Flask) -> None:
    from .extensions import db

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        db.session.rollback()
        fields = getattr(error, "errors", None)
        if wants_json():
            return json_error(error.status_code, error.code, error.message, fields)
        return _html_error(error.status_code, error.message, error.message)

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        status = error.code or 500
        title = error.name
        message = error.description or title
        retry_url = None
        if status == 400 and "CSRF" in (error.description or ""):
            title = gettext("This form has expired")
            message = gettext("Your form expired or was sent from elsewhere. Please go back, reload the page and try again.")
            # Most forms post back to their own page: offer to open it afresh (a new token, nothing typed lost
            # that was not already lost).
            retry_url = request.path if request.method == "POST" else None
        if status == 429:
            message = gettext("Too many attempts. Please wait a minute and try again.")
        if status == 413:
            title, message = gettext("That is too large to send"), too_large_message()
        if wants_json():
            code = error.name.lower().replace(" ", "_")
            response = json_error(status, code, message)
            allow = dict(error.get_headers()).get("Allow")
            if allow:  # a 405 says which methods would do
                response.headers["Allow"] = allow
            return response
        if retry_url:
            return render_template("errors/400.html", status=status, title=title, message=message,
                                   retry_url=retry_url), status
        return _html_error(status, title, message)

    @app.errorhandler(OperationalError)
    def handle_database_busy(error: OperationalError):
        from .db_locks import is_lock_timeout

        if not is_lock_timeout(error):
            return handle_unexpected(error)
        db.session.rollback()  # the whole transaction: nothing is half-written
        log.warning("Lock wait timed out on %s %s", request.method, request.url_rule)
        if wants_json() or request.is_json:
            response = json_error(503, "busy", gettext("Busy, please try again in a few seconds. Nothing was saved."))
        else:
            response = app.make_response((render_template("errors/503.html"), 503))
        response.headers["Retry-After"] = "3"
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        # Log the type and traceback for operators; request data (personal data) is never logged.
        if isinstance(error, DBAPIError):
            log.error("Unhandled %s on %s %s: %s\n%s", type(error).__name__, request.method, request.url_rule,
                      describe_database_error(error), "".join(traceback.format_tb(error.__traceback__)))
        else:
            log.error("Unhandled %s on %s %s", type(error).__name__, request.method, request.url_rule, exc_info=error)
        message = gettext("Something went wrong on our side. Nothing you entered was saved by the failed step; please try again.")
        if wants_json():
            return json_error(500, "internal_error", message)
        return _html_error(500, gettext("Something went wrong"), message)
