"""The check-in desk's JSON endpoints and the volunteer-link desk page.

Two ways in: a staff session (login, the CHECK_IN action on the list's event, the CSRF token
in the X-CSRFToken header on POST) or a volunteer link (its token in the X-Checkin-Link header
or in the path; token auth, so no CSRF cookie is involved). A link opens only its own list.
"""
from __future__ import annotations

from flask import jsonify, render_template, request, url_for
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .. import money
from ..errors import DomainError, NotFound, ValidationFailed, json_error, too_large_message
from ..extensions import commit_keeping_loaded, csrf, db, limiter
from ..inputs import json_body, json_id
from ..sqlite import mark_request_read_only
from ..transactions import reads_before_writes
from ..types import utcnow
from . import desk, handlers, queries, services
from .blueprint import api, bp
from .desk_access import desk_for_request
from .desk_strings import desk_strings
from .models import CheckInList
from .search import purge_event_terms, purge_person_terms
from ..reports.purge import register_person_purger, register_purger

MAX_SYNC_SCANS = handlers.MAX_SYNC_SCANS


@api.errorhandler(DomainError)
def _domain_error(error: DomainError):
    db.session.rollback()
    return json_error(error.status_code, error.code, error.message, getattr(error, "errors", None))


@api.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    message = error.description or error.name
    if isinstance(error, CSRFError):
        message = gettext("The page's security token is missing or expired. Reload the desk.")
    elif error.code == 413:
        message = too_large_message()
    return json_error(error.code or 500, error.name.lower().replace(" ", "_"), message)




def _tz(checkin_list: CheckInList):
    return checkin_list.event.tz


# Each operation is reachable by list id (staff session, or link header) and by link token in the path.
def _route(rule: str, **options):
    def decorator(view):
        endpoint = view.__name__
        api.add_url_rule(f"/lists/<int:list_id>/{rule}", endpoint, view, **options)
        api.add_url_rule(f"/links/<token>/{rule}", endpoint + "_by_link", view, **options)
        return csrf.exempt(view)
    return decorator


@_route("search")
def search(list_id: int | None = None, token: str | None = None):
    checkin_list, _ = desk_for_request(list_id, token)
    return jsonify(handlers.search(checkin_list, request.args.get("q", "")))


@_route("redeem", methods=["POST"])
def redeem(list_id: int | None = None, token: str | None = None):
    # Reads first (the link, the ticket, its order) in a deferred transaction; SQLite's write lock
    # is taken at the redeem's decision point, only for deciding and writing the check-in.
    with reads_before_writes():
        checkin_list, actor = desk_for_request(list_id, token)
        body = json_body()
        code = str(body.get("code") or "")[:64]
        if not code.strip():
            raise ValidationFailed({"code": gettext("Scan or type a ticket code.")})
        result = services.redeem(code, checkin_list=checkin_list, station=str(body.get("station") or "")[:80],
                                 actor=actor, now=utcnow(),
                                 scan_id=(str(body["scan_id"])[:64] if body.get("scan_id") else None))
    commit_keeping_loaded()
    # The desk's card is only reads: on embedded SQLite build it in a deferred transaction, so the
    # write lock (BEGIN IMMEDIATE) is held for the check-in alone, not for rendering the answer.
    mark_request_read_only()
    return jsonify(desk.result_json(result, _tz(checkin_list)))


@_route("undo", methods=["POST"])
def undo(list_id: int | None = None, token: str | None = None):
    checkin_list, actor = desk_for_request(list_id, token)
    body = json_body()
    check_in_id = json_id(body, "check_in_id", gettext("Which check-in should be undone?"))
    return jsonify(handlers.undo(checkin_list, check_in_id, actor=actor))


@_route("walkin", methods=["POST"])
def walkin(list_id: int | None = None, token: str | None = None):
    checkin_list, actor = desk_for_request(list_id, token)
    body = json_body()
    category_id = json_id(body, "category_id", gettext("Choose a category."))
    return jsonify(handlers.walk_in(
        checkin_list, first_name=str(body.get("first_name") or "")[:120], last_name=str(body.get("last_name") or "")[:120],
        email=str(body.get("email") or "")[:254], category_id=category_id, station=str(body.get("station") or "")[:80],
        amount_minor=_walk_in_amount(checkin_list, category_id, body.get("amount")), actor=actor,
    ))


def _walk_in_amount(checkin_list: CheckInList, category_id: int, typed) -> int | None:
    """Pay what you can at the door: the amount typed, in the category's currency (None: the suggested one)."""
    text = str(typed or "")[:40].strip()
    category = next((c for c in queries.walk_in_categories(checkin_list) if c.id == category_id), None)
    if not text or category is None:
        return None
    try:
        return money.parse_money(text, category.currency)
    except ValueError as error:
        raise ValidationFailed({"amount": str(error)}) from None


@_route("pay", methods=["POST"])
def pay(list_id: int | None = None, token: str | None = None):
    from ..registration.models import Registration

    checkin_list, actor = desk_for_request(list_id, token)
    body = json_body()
    registration_id = json_id(body, "registration_id", gettext("Which registration was paid?"))
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise NotFound(gettext("No such registration."))
    currency = registration.order.currency
    try:
        amount = money.parse_money(str(body.get("amount") or ""), currency)
    except ValueError as error:
        raise ValidationFailed({"amount": str(error)}) from None
    if amount is None:
        raise ValidationFailed({"amount": gettext("Enter the amount received, like %(example)s.", example=money.example(currency))})
    return jsonify(handlers.pay(checkin_list, registration_id, amount_minor=amount, how=str(body.get("how") or ""),
                                station=str(body.get("station") or "")[:80], actor=actor))


@_route("sync", methods=["POST"])
def sync(list_id: int | None = None, token: str | None = None):
    checkin_list, actor = desk_for_request(list_id, token)
    scans = json_body().get("scans")
    if not isinstance(scans, list) or len(scans) > MAX_SYNC_SCANS or not all(isinstance(s, dict) for s in scans):
        raise ValidationFailed({"scans": gettext("Send a list of at most %(limit)s scans.", limit=MAX_SYNC_SCANS)})
    return jsonify(handlers.sync(checkin_list, scans, actor=actor))


@_route("stats")
def stats(list_id: int | None = None, token: str | None = None):
    checkin_list, _ = desk_for_request(list_id, token)
    return jsonify(handlers.stats(checkin_list))


@_route("offline")
def offline(list_id: int | None = None, token: str | None = None):
    checkin_list, actor = desk_for_request(list_id, token)
    link = getattr(actor, "link", None)
    response = jsonify({
        "list_id": checkin_list.id,
        "generated_at": utcnow().isoformat(),
        "expires_at": link.valid_until.isoformat() if link else None,
        "fields": queries.OFFLINE_FIELDS,
        "rows": queries.offline_rows(checkin_list),
        # A per-session list with a capacity: the places walk-ins may still take, counted down
        # on the device while offline (sign-ups keep theirs).
        "room": services.room_places(checkin_list),
    })
    response.headers["Cache-Control"] = "no-store"
    return response




@bp.route("/checkin/v/<token>")
@limiter.limit("60/minute")
def link_desk(token: str):
    """The desk opened through a volunteer link, without an account."""
    try:
        link = services.link_from_token(token, now=utcnow())
    except DomainError as error:
        return render_template("checkin/link_refused.html", message=error.message), error.status_code
    return render_template(
        "checkin/desk.html", checkin_list=link.list, event=link.list.event, link=link, link_token=token,
        categories=queries.walk_in_categories(link.list),
        api_base=url_for("checkin.api.search", list_id=link.list_id).rsplit("/", 1)[0],
        station=link.name, logout_url=None, desk_strings=desk_strings(),
    )



register_purger(purge_event_terms, "checkin_search_terms")
register_person_purger(purge_person_terms, "checkin_search_terms")
