"""What the desk shows: redeem results, search rows and counts as JSON, in the event's time zone.

Every result carries a title in words (not colour alone) and a tone the page styles; titles and
messages are in the request's language (the staff member's, or a volunteer link's browser's).
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from .. import money
from ..events.content_languages import tr
from ..i18n import language_name
from ..templating import format_money
from .queries import SearchRow, Stats, desk_answers
from .services import Outcome, RedeemResult

TITLES = {
    Outcome.OK: ("ok", _l("Checked in")),
    Outcome.ALREADY: ("warn", _l("Already checked in")),
    Outcome.CANCELLED: ("bad", _l("Not valid: registration cancelled")),
    Outcome.UNPAID: ("bad", _l("Not paid")),
    Outcome.PENDING_APPROVAL: ("bad", _l("Pending approval")),
    Outcome.WRONG_EVENT: ("bad", _l("Ticket for another event")),
    Outcome.NOT_ADMITTED: ("bad", _l("Not admitted through this list")),
    Outcome.FULL: ("bad", _l("Session full")),
    Outcome.UNKNOWN: ("bad", _l("Unknown code")),
}


def _time(moment, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M") if moment else ""


def already_message(at: str, by: str, station: str) -> str:
    """Whole sentences (the same four as static/js/checkin.js's alreadyMessage), not fragments."""
    if by and station:
        return gettext("Already checked in at %(time)s by %(by)s at %(station)s.", time=at, by=by, station=station)
    if by:
        return gettext("Already checked in at %(time)s by %(by)s.", time=at, by=by)
    if station:
        return gettext("Already checked in at %(time)s at %(station)s.", time=at, station=station)
    return gettext("Already checked in at %(time)s.", time=at)


def result_json(result: RedeemResult, tz: ZoneInfo, *, answers_by_registration: dict | None = None) -> dict:
    """`answers_by_registration`: desk_answers read once for many results (a sync batch)."""
    tone, title = TITLES[result.outcome]
    body: dict = {"outcome": result.outcome.value, "tone": tone, "title": str(title), "replayed": result.replayed}
    reg = result.registration
    if reg is not None:
        found = answers_by_registration if answers_by_registration is not None else desk_answers([reg.id])
        answers = found.get(reg.id, {})
        body["attendee"] = {
            "id": reg.id, "name": reg.full_name, "ticket_code": reg.ticket_code, "category": tr(reg.category, "name"),
            "pronouns": answers.get("pronouns", ""), "organisation": answers.get("organisation", ""),
            "accessibility": answers.get("accessibility", ""), "interpretation": answers.get("interpretation", ""),
            "language": language_name(reg.spoken_language),
        }
    if result.check_in is not None:
        ci = result.check_in
        body["check_in"] = {"id": ci.id, "at": _time(ci.checked_in_at, tz), "by": ci.actor_label, "station": ci.station}
    body["message"] = _message(result, body)
    if result.outcome == Outcome.UNPAID:
        body["amount_due_minor"] = result.amount_due_minor
        body["currency"] = result.currency
        # As typed at the door, with the currency's own decimals: "25.00", "1000" (yen), "1.500" (dinar).
        body["amount_due"] = money.plain(result.amount_due_minor or 0, result.currency)
    return body


def _message(result: RedeemResult, body: dict) -> str:
    outcome = result.outcome
    if outcome == Outcome.OK:
        name = body["attendee"]["name"]
        if result.replayed:
            return gettext("%(name)s is checked in. (This scan was already recorded.)", name=name)
        return gettext("%(name)s is checked in.", name=name)
    if outcome == Outcome.ALREADY:
        ci = body["check_in"]
        return already_message(ci["at"], ci["by"], ci["station"])
    if outcome == Outcome.CANCELLED:
        return gettext("This registration is cancelled, rejected or expired. Do not admit; send the person to the help desk.")
    if outcome == Outcome.UNPAID:
        if not result.amount_due_minor:
            return gettext("Payment of the fee is outstanding. Take payment at the door or send the person to the help desk.")
        return gettext("Payment of %(amount)s is outstanding. Take payment at the door or send the person to the help desk.",
                       amount=format_money(result.amount_due_minor, result.currency))
    if outcome == Outcome.PENDING_APPROVAL:
        return gettext("The organisers have not approved this registration yet. Send the person to the help desk.")
    if outcome == Outcome.WRONG_EVENT:
        # Nothing about the other event (not even its title) reaches this event's desk.
        return gettext("This is not a ticket for this event.")
    if outcome == Outcome.NOT_ADMITTED:
        return gettext("This person's registration category is not admitted through this list.")
    if outcome == Outcome.FULL:
        return gettext("All %(capacity)s places are taken and this person did not sign up. Suggest another session.",
                       capacity=result.extra.get("capacity"))
    return gettext("No ticket has this code. Try searching by name.")


def _mask(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}" if domain else ""


def search_json(rows: list[SearchRow], tz: ZoneInfo) -> list[dict]:
    return [
        {"id": r.registration_id, "ticket_code": r.ticket_code, "name": r.name, "email": _mask(r.email),
         "category": r.category, "status": r.status, "organisation": r.organisation,
         "checked_in_at": _time(r.checked_in_at, tz)}
        for r in rows
    ]


def stats_json(data: Stats, tz: ZoneInfo) -> dict:
    return {
        "checked_in": data.checked_in,
        "expected": data.expected,
        "lists": [{"id": c.id, "name": c.name, "checked_in": c.checked_in, "expected": c.expected} for c in data.lists],
        "categories": [{"name": n, "checked_in": i, "expected": e} for n, i, e in data.categories],
        "arrivals": [{"slot": _time(start, tz), "count": count} for start, count in data.arrivals],
    }
