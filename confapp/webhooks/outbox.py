"""Emission: event occurrences written into the outbox, in the transaction of the change.

The owning domain's service calls one of the `emit_*` helpers right after its change: one
delivery row per active endpoint of the event that hears the type, so a rolled-back change
leaves no row and a committed one cannot be lost; the sending job is queued after commit
(sending.py). An event without an active endpoint (`Event.has_webhooks` false, read from the
row the caller already holds) costs no query at all, even under the check-in desk's lock."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..jobs import enqueue_after_commit
from .models import DeliveryState, WebhookDelivery, WebhookEndpoint
from .sending import send_webhooks
from .signing import new_webhook_id

_QUEUED_KEY = "confapp_webhooks_queued"


def queue_sending() -> None:
    """Queue the sending job once per transaction, to run after it commits."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    transaction = session.get_transaction()
    if session.info.get(_QUEUED_KEY) is transaction:
        return
    session.info[_QUEUED_KEY] = transaction  # a later transaction is another object: queued again
    enqueue_after_commit(session, send_webhooks)


def emit(event, event_type: str, data: dict, *, key: str | None, now: datetime) -> int:
    """Write one delivery of `event_type` for every active endpoint of `event` that hears it, in
    the caller's transaction. `key` names the occurrence ("checkin.created:12"): emitting the
    same occurrence again writes nothing more. Returns how many deliveries were written."""
    return emit_many(event, event_type, [(key, data)], now=now)


def emit_many(event, event_type: str, occurrences: list[tuple[str | None, dict]], *, now: datetime) -> int:
    """`emit` for several occurrences of one type at once, each (key, data): the endpoints and the
    keys already written are read once for all of them (a moved programme of 40 sessions costs
    two SELECTs, not 80)."""
    if not occurrences or not getattr(event, "has_webhooks", False):
        return 0
    endpoints = [e for e in db.session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.event_id == event.id, WebhookEndpoint.active.is_(True)))
        if e.hears(event_type)]
    if not endpoints:
        return 0
    # Stored cut to the column's length, so compared cut too.
    keyed = [((key or f"{event_type}:{new_webhook_id()}")[:200], data) for key, data in occurrences]
    already = set(db.session.execute(select(WebhookDelivery.endpoint_id, WebhookDelivery.occurrence_key).where(
        WebhookDelivery.endpoint_id.in_([e.id for e in endpoints]),
        WebhookDelivery.occurrence_key.in_(sorted({key for key, _ in keyed})))).tuples())
    written = 0
    for key, data in keyed:
        body = json.dumps({"type": event_type, "timestamp": now.isoformat().replace("+00:00", "Z"),
                           "data": {"event": {"id": event.id, "slug": event.slug}, **data}},
                          separators=(",", ":"), sort_keys=True)
        for endpoint in endpoints:
            if (endpoint.id, key) in already:
                continue
            already.add((endpoint.id, key))  # the same key twice in one call is one occurrence too
            db.session.add(WebhookDelivery(
                endpoint_id=endpoint.id, webhook_id=new_webhook_id(), occurrence_key=key, event_type=event_type,
                payload=body, state=DeliveryState.PENDING, attempts=0, last_error="", created_at=now))
            written += 1
    if written:
        db.session.flush()
        queue_sending()
    return written


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def registration_data(registration) -> dict:
    """Ids and states only: names, emails and answers stay in the API, behind its scopes."""
    return {"registration": {"id": registration.id, "order_id": registration.order_id,
                             "category_id": registration.category_id, "status": str(registration.status),
                             "created_at": _iso(registration.created_at)}}


def emit_registrations(event_type: str, registrations, *, now: datetime, key: str | None = None) -> int:
    """`event_type` for each registration (registration.created / updated / cancelled)."""
    written = 0
    for registration in registrations:
        occurrence = key or (f"{event_type}:{registration.id}" if event_type != "registration.updated" else None)
        written += emit(registration.event, event_type, registration_data(registration), key=occurrence, now=now)
    return written


def emit_order(event_type: str, order, *, now: datetime, key: str | None = None, **extra) -> int:
    """order.paid / order.refunded: amounts in minor units with the currency, no buyer details."""
    data = {"order": {"id": order.id, "code": order.code, "payment_state": str(order.payment_state),
                      "currency": order.currency, "total_minor": order.total_minor, "paid_minor": order.paid_minor,
                      "refunded_minor": order.refunded_minor,
                      "registration_ids": [r.id for r in order.registrations]}, **extra}
    return emit(order.event, event_type, data, key=key or f"{event_type}:{order.id}", now=now)


def emit_check_in(event_type: str, check_in, event, *, now: datetime) -> int:
    """checkin.created / checkin.undone."""
    data = {"check_in": {"id": check_in.id, "registration_id": check_in.registration_id, "list_id": check_in.list_id,
                         "checked_in_at": _iso(check_in.checked_in_at), "undone_at": _iso(check_in.reverted_at)}}
    return emit(event, event_type, data, key=f"{event_type}:{check_in.id}", now=now)


def _session_data(session) -> dict:
    return {"session": {"id": session.id, "uid": session.uid, "title": session.title, "status": str(session.status),
                        "starts_at": _iso(session.starts_at), "ends_at": _iso(session.ends_at),
                        "room_id": session.room_id, "track_id": session.track_id, "sequence": session.sequence}}


def emit_session(event_type: str, session, event, *, now: datetime) -> int:
    """session.published / updated / cancelled, for sessions the public has seen (a draft's
    changes stay inside): what the agenda shows, in the event's default language."""
    if session.first_published_at is None:
        return 0
    key = None if event_type == "session.updated" else f"{event_type}:{session.id}:{session.sequence}"
    return emit(event, event_type, _session_data(session), key=key, now=now)


def emit_sessions_moved(sessions, event, *, now: datetime) -> int:
    """session.updated for each session an event's move shifted (program.moving.move_event) that
    the public has seen. A move gives each of them a new SEQUENCE, so (id, sequence) names this
    move's change of it: one delivery per session per move, even if it were emitted again."""
    seen = [s for s in sessions if s.first_published_at is not None]
    return emit_many(event, "session.updated", [(f"session.updated:{s.id}:{s.sequence}", _session_data(s))
                                                for s in seen], now=now)


def emit_waitlist_offers(event, entries, *, now: datetime) -> int:
    """waitlist.offered, one per entry offered a place (ids and the offer's end, no one's name)."""
    return sum(emit(event, "waitlist.offered", {"waitlist_entry": {
        "id": entry.id, "category_id": entry.category_id, "offer_expires_at": _iso(entry.offer_expires_at)}},
        key=f"waitlist.offered:{entry.id}:{_iso(entry.offer_expires_at)}", now=now) for entry in entries)


def emit_message_sent(message, *, queued: int, now: datetime) -> int:
    """message.sent when an announcement or reminder starts going out (not its text)."""
    return emit(message.event, "message.sent", {"message": {"id": message.id, "kind": str(message.kind),
                                                           "recipients": queued}},
                key=f"message.sent:{message.id}", now=now)


def emit_report_published(report, *, now: datetime) -> int:
    """report.published, each time the summary report is published (a new snapshot)."""
    return emit(report.event, "report.published", {"report": {"id": report.id, "published_at": _iso(now)}},
                key=f"report.published:{report.id}:{_iso(now)}", now=now)
