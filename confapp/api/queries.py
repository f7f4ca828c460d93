"""The API's reads: events a token may read, registrations with filters, one page at a time.

Pages are keyset pages ordered by id (stable while rows are added or change), with an opaque
cursor naming the last id of the page; each page is one SELECT of limit + 1 rows.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from flask_smorest import abort
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import contains_eager

from ..accounts.models import EventRole
from ..checkin.models import CheckInList, ListKind
from ..events.models import Event
from ..extensions import db
from ..registration.models import Order, Registration
from ..registration.queries import checked_in_clause


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The id the page starts after (0 for the first page); 422 for a cursor we did not make."""
    if not cursor:
        return 0
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["after"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        after = None
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        abort(422, message=gettext("This cursor is not valid: pass the `next` value of the previous page."),
              errors={"cursor": gettext("Not a cursor of this list.")})
    return after


def _page(query: Select, id_column, *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    rows = db.session.execute(query.where(id_column > decode_cursor(cursor)).order_by(id_column).limit(limit + 1)).all()
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1][0].id)


def list_page(items, *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """A page of what a domain's own query returned (its rule of who sees what), in the same
    keyset order by id and the same cursor as the SELECT-backed pages."""
    after = decode_cursor(cursor)
    rest = sorted((item for item in items if item.id > after), key=lambda item: item.id)
    if len(rest) <= limit:
        return rest, None
    return rest[:limit], encode_cursor(rest[limit - 1].id)


def page_answer(items, args: dict, to_json) -> dict:
    """The list envelope, {"results", "next"}, of one page of `items` (list_page) for the
    request's `cursor` and `limit`, each item as `to_json` gives it."""
    results, next_cursor = list_page(items, cursor=args["cursor"], limit=args["limit"])
    return {"results": [to_json(item) for item in results], "next": next_cursor}


def readable_events(actor, *, cursor: str | None, limit: int) -> tuple[list[Event], str | None]:
    """Events the token reaches and its creator has a role on (every event for a site admin's
    site-wide token)."""
    query = select(Event)
    if actor.token.event_id is not None:
        query = query.where(Event.id == actor.token.event_id)
    if not actor.is_site_admin:
        query = query.where(Event.id.in_(select(EventRole.event_id).where(EventRole.user_id == actor.user.id)))
    rows, next_cursor = _page(query, Event.id, cursor=cursor, limit=limit)
    return [row[0] for row in rows], next_cursor


@dataclass
class RegistrationFilters:
    status: str | None = None
    category: int | None = None
    updated_since: datetime | None = None
    checked_in: str | None = None


def _registrations(event: Event) -> Select:
    """Registrations of `event` with their order and category, and whether they are checked in: one SELECT."""
    return (
        select(Registration, checked_in_clause(True).label("checked_in"))
        .join(Registration.order).join(Registration.category)
        .options(contains_eager(Registration.order), contains_eager(Registration.category))
        .where(Registration.event_id == event.id)
    )


def registrations_page(event: Event, filters: RegistrationFilters, *, cursor: str | None,
                       limit: int) -> tuple[list[dict], str | None]:
    query = _registrations(event)
    if filters.status:
        query = query.where(Registration.status == filters.status)
    if filters.category:
        query = query.where(Registration.category_id == filters.category)
    if filters.checked_in:
        query = query.where(checked_in_clause(filters.checked_in == "yes"))
    if filters.updated_since:
        since = filters.updated_since
        query = query.where(or_(Registration.created_at >= since, Registration.confirmed_at >= since,
                                Registration.cancelled_at >= since, Order.updated_at >= since))
    rows, next_cursor = _page(query, Registration.id, cursor=cursor, limit=limit)
    return [registration_json(reg, checked_in) for reg, checked_in in rows], next_cursor


def registration_detail(event: Event, registration_id: int) -> dict | None:
    row = db.session.execute(_registrations(event).where(Registration.id == registration_id)).first()
    return registration_json(*row) if row else None


def registration_json(reg: Registration, checked_in: bool) -> dict:
    changes = [reg.created_at, reg.confirmed_at, reg.cancelled_at, reg.order.updated_at]
    return {
        "id": reg.id, "ticket_code": reg.ticket_code, "status": reg.status.value,
        "first_name": reg.first_name, "last_name": reg.last_name, "email": reg.email,
        "category": {"id": reg.category.id, "name": reg.category.name}, "order_code": reg.order.code,
        "is_walk_in": reg.is_walk_in, "checked_in": bool(checked_in), "created_at": reg.created_at,
        "confirmed_at": reg.confirmed_at, "cancelled_at": reg.cancelled_at,
        "updated_at": max(moment for moment in changes if moment is not None),
    }


def checkin_list_for(event: Event, list_id: int | None) -> CheckInList:
    """The list a redeem goes through: the one named (of this event), else the main entrance."""
    query = select(CheckInList).where(CheckInList.event_id == event.id)
    if list_id is not None:
        found = db.session.scalar(query.where(CheckInList.id == list_id))
    else:
        found = db.session.scalar(query.where(CheckInList.kind == ListKind.MAIN)
                                  .order_by(CheckInList.position, CheckInList.id).limit(1))
    if found is None:
        abort(404, message=gettext("No such check-in list for this event.") if list_id else
              gettext("This event has no main check-in list yet: open its check-in page once, or pass list_id."))
    return found


def event_tokens(event: Event) -> list:
    """The event's tokens for its tokens page, newest first, with their creators: one SELECT."""
    from sqlalchemy.orm import joinedload

    from .models import ApiToken

    return list(db.session.scalars(select(ApiToken).options(joinedload(ApiToken.created_by))
                                   .where(ApiToken.event_id == event.id).order_by(ApiToken.id.desc())))
