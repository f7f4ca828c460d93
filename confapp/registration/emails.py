"""Registration emails: tickets (QR code + calendar file + self-service link), approval,
payment link, rejection, cancellation, waitlist. Rendered now, sent after commit."""
from __future__ import annotations

import io
from datetime import timezone

import segno
from icalendar import Calendar
from icalendar import Event as VEvent

from ..extensions import db
from ..mail import queue_email
from ..templating import format_money
from ..types import utcnow
from . import links
from .common import settings_for
from .models import Order, Registration, RegistrationStatus, WaitlistEntry


def ticket_qr(code: str):
    return segno.make(code, error="m")


def ticket_png(code: str, qr=None) -> bytes:
    buffer = io.BytesIO()
    (qr or ticket_qr(code)).save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def event_ics(event) -> bytes:
    """A one-event calendar file (VEVENT) for the attendee's calendar."""
    calendar = Calendar()
    calendar.add("prodid", "-//confapp//registration//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    vevent = VEvent()
    vevent.add("uid", f"event-{event.id}@confapp")
    vevent.add("dtstamp", utcnow())
    vevent.add("dtstart", event.starts_at.astimezone(timezone.utc))
    vevent.add("dtend", event.ends_at.astimezone(timezone.utc))
    vevent.add("summary", event.title)
    location = ", ".join(p for p in (event.venue_name, event.venue_address, event.venue_city, event.venue_region) if p)
    if location:
        vevent.add("location", location)
    from ..urls import external_url

    vevent.add("url", external_url("events.public_page", slug=event.slug))
    calendar.add_component(vevent)
    return calendar.to_ical()


def _event(order_or_reg):
    from ..events.models import Event

    return db.session.get(Event, order_or_reg.event_id)


def send_confirmation(order: Order, *, message: str = "") -> None:
    """One email per confirmed attendee with their ticket; the buyer gets a summary when not attending."""
    event = _event(order)
    note = settings_for(event).confirmation_note
    ics = event_ics(event)
    confirmed = [r for r in order.registrations if r.status == RegistrationStatus.CONFIRMED]
    for registration in confirmed:
        qr = ticket_qr(registration.ticket_code)
        queue_email(
            registration.email, f"Your registration for {event.title}", "registration_confirmation",
            attachments=[(f"ticket-{registration.ticket_code[:6]}.png", "image/png", ticket_png(registration.ticket_code, qr)),
                         ("event.ics", "text/calendar", ics)],
            event=event, order=order, registration=registration, message=message, note=note,
            qr_data_uri=qr.png_data_uri(scale=5, border=2), money=format_money,
            self_service_url=links.self_service_url(registration, event),
            # The receipt link carries the order token: only the buyer's own mailbox gets it.
            receipt_url=links.receipt_url(order, event) if order.paid_minor and links.is_buyer(registration) else None,
        )
    if confirmed and order.buyer_email not in {r.email for r in confirmed}:
        queue_email(order.buyer_email, f"Your order for {event.title}", "registration_order_summary",
                    event=event, order=order, registrations=confirmed, money=format_money,
                    order_url=links.order_url(order, event))


def send_pending_approval(order: Order) -> None:
    event = _event(order)
    queue_email(order.buyer_email, f"We received your registration for {event.title}", "registration_pending",
                event=event, order=order, order_url=links.order_url(order, event))


def send_payment_link(order: Order, *, message: str = "") -> None:
    event = _event(order)
    queue_email(order.buyer_email, f"Your registration for {event.title} is approved: please pay", "registration_payment_link",
                event=event, order=order, message=message, money=format_money,
                payment_url=links.payment_url(order, event))


def send_rejection(order: Order, *, message: str = "") -> None:
    event = _event(order)
    queue_email(order.buyer_email, f"Your registration for {event.title}", "registration_rejected",
                event=event, order=order, message=message)


def send_cancellation(registration: Registration, *, refund_minor: int) -> None:
    event = _event(registration)
    queue_email(registration.email, f"Your registration for {event.title} is cancelled", "registration_cancelled",
                event=event, registration=registration, refund_minor=refund_minor,
                currency=registration.order.currency, money=format_money)


def send_waitlist_joined(entry: WaitlistEntry, event) -> None:
    queue_email(entry.email, f"You are on the waitlist for {event.title}", "registration_waitlist_joined",
                event=event, entry=entry)


def send_waitlist_offer(entry: WaitlistEntry, event) -> None:
    from ..urls import external_url

    queue_email(entry.email, f"A place is free for you at {event.title}", "registration_waitlist_offer",
                event=event, entry=entry,
                claim_url=external_url("registration.waitlist_claim", slug=event.slug, token=entry.offer_token))
