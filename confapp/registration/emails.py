"""Registration emails: tickets (QR code + calendar file + self-service link), approval,
payment link, rejection, cancellation, waitlist. Rendered now, sent after commit."""
from __future__ import annotations

import io
from datetime import timezone

import segno
from flask_babel import gettext
from icalendar import Calendar
from icalendar import Event as VEvent

from ..extensions import db
from ..i18n import in_language
from ..outreach.event_mail import buyer_of, send_event_email
from ..outreach.merge import register_person_link
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


def _to_buyer(order: Order, event, subject: str, template: str, **context) -> None:
    recipient, name = buyer_of(order)
    send_event_email(event, order.buyer_email, subject, template, recipient=recipient, recipient_name=name,
                     order=order, **context)


def send_confirmation(order: Order, *, message: str = "") -> None:
    """One email per confirmed attendee with their ticket; the buyer gets a summary when not attending."""
    with in_language(order.language):
        _send_confirmation(order, _event(order), message)


def _send_confirmation(order: Order, event, message: str) -> None:
    note = settings_for(event).confirmation_note
    ics = event_ics(event)
    confirmed = [r for r in order.registrations if r.status == RegistrationStatus.CONFIRMED]
    for registration in confirmed:
        qr = ticket_qr(registration.ticket_code)
        send_event_email(
            event, registration.email, gettext("Your registration for %(event)s", event=event.title),
            "registration_confirmation",
            recipient=registration, attachments=[(f"ticket-{registration.ticket_code[:6]}.png", "image/png", ticket_png(registration.ticket_code, qr)),
                         ("event.ics", "text/calendar", ics)],
            order=order, registration=registration, message=message, note=note,
            qr_data_uri=qr.png_data_uri(scale=5, border=2), money=format_money,
            self_service_url=links.self_service_url(registration, event),
            # The receipt link carries the order token: only the buyer's own mailbox gets it.
            receipt_url=links.receipt_url(order, event) if order.paid_minor and links.is_buyer(registration) else None,
        )
    if confirmed and order.buyer_email not in {r.email for r in confirmed}:
        _to_buyer(order, event, gettext("Your order for %(event)s", event=event.title), "registration_order_summary",
                  registrations=confirmed, money=format_money, order_url=links.order_url(order, event))


def send_pending_approval(order: Order) -> None:
    event = _event(order)
    with in_language(order.language):
        _to_buyer(order, event, gettext("We received your registration for %(event)s", event=event.title),
                  "registration_pending", order_url=links.order_url(order, event))


def send_payment_link(order: Order, *, message: str = "") -> None:
    event = _event(order)
    with in_language(order.language):
        _to_buyer(order, event, gettext("Your registration for %(event)s is approved: please pay", event=event.title),
                  "registration_payment_link", message=message, money=format_money,
                  payment_url=links.payment_url(order, event))


def send_rejection(order: Order, *, message: str = "") -> None:
    event = _event(order)
    with in_language(order.language):
        _to_buyer(order, event, gettext("Your registration for %(event)s", event=event.title), "registration_rejected",
                  message=message)


def send_cancellation(registration: Registration, *, refund_minor: int) -> None:
    event = _event(registration)
    with in_language(registration.spoken_language):
        send_event_email(event, registration.email, gettext("Your registration for %(event)s is cancelled", event=event.title),
                         "registration_cancelled", recipient=registration, registration=registration,
                         refund_minor=refund_minor, currency=registration.order.currency, money=format_money)


def send_waitlist_joined(entry: WaitlistEntry, event) -> None:
    with in_language(entry.language):
        send_event_email(event, entry.email, gettext("You are on the waitlist for %(event)s", event=event.title),
                         "registration_waitlist_joined", recipient_name=entry.name, entry=entry)


def send_waitlist_offer(entry: WaitlistEntry, event) -> None:
    from ..urls import external_url

    with in_language(entry.language):
        send_event_email(event, entry.email, gettext("A place is free for you at %(event)s", event=event.title),
                         "registration_waitlist_offer", recipient_name=entry.name, entry=entry,
                         claim_url=external_url("registration.waitlist_claim", slug=event.slug, token=entry.offer_token))


# The ticket and self-service merge fields of organisers' messages (outreach/merge.py). Both are
# the person's own ticket page, never the order page: in a group order that would hand every
# recipient the buyer's secret and everyone else's ticket.
register_person_link("ticket_link", "The person's ticket link", links.self_service_url, position=10)
register_person_link("self_service_link", "The person's self-service link (change answers, cancel)",
                     links.self_service_url, position=20)
