"""Registration emails: tickets (QR code + calendar file + self-service link), approval,
payment link, rejection, cancellation, waitlist, and the change notice when an event's date or
time changes. Promised in the transaction (an outbox row),
rendered by a job after commit (outbox.py), sent by outreach's engine."""
from __future__ import annotations

import io
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import segno
from flask_babel import gettext, lazy_gettext as _l, ngettext
from icalendar import Calendar
from icalendar import Event as VEvent
from sqlalchemy import select

from ..events.content_languages import tr
from ..calendars import personalise
from ..extensions import db
from ..i18n import in_language
from ..outreach.event_mail import buyer_of, send_event_email
from ..outreach.merge import register_person_link
from ..templating import format_datetime, format_money
from ..types import utcnow
from . import links, outbox
from .outbox import MailKind
from .common import settings_for
from .models import Order, Registration, RegistrationStatus, WaitlistEntry, WaitlistStatus


def ticket_qr(code: str):
    return segno.make(code, error="m")


def ticket_png(code: str, qr=None) -> bytes:
    buffer = io.BytesIO()
    (qr or ticket_qr(code)).save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def _calendar(prodid: str = "-//confapp//registration//EN") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    return calendar


def event_vevent(event) -> VEvent:
    """The event's own VEVENT, as every calendar file of it carries it."""
    from ..events.queries import event_sequence
    from ..urls import external_url

    vevent = VEvent()
    # The same UID in every file of the event (confirmation, change notice, ticket page), and a
    # SEQUENCE that grows with each change of its time (event_sequence): calendar apps replace
    # the entry they hold instead of adding a second one or ignoring the new file.
    vevent.add("uid", f"event-{event.id}@confapp")
    vevent.add("dtstamp", utcnow())
    vevent.add("sequence", event_sequence(event))
    if event.updated_at:
        vevent.add("last-modified", event.updated_at)
    vevent.add("dtstart", event.starts_at.astimezone(timezone.utc))
    vevent.add("dtend", event.ends_at.astimezone(timezone.utc))
    vevent.add("summary", tr(event, "title"))
    location = ", ".join(p for p in (event.venue_name, event.venue_address, event.venue_city, event.venue_region) if p)
    if location:
        vevent.add("location", location)
    vevent.add("url", external_url("events.public_page", slug=event.slug))
    return vevent


def event_ics(event, registration=None) -> bytes:
    """A one-event calendar file (VEVENT) for the attendee's calendar. With `registration`, that
    person's own (the ticket page's feed): what other domains add for them (confapp.calendars)."""
    calendar = _calendar()
    vevent = event_vevent(event)
    if registration is not None:
        personalise(registration, event, [(None, vevent)], now=utcnow())
    calendar.add_component(vevent)
    return calendar.to_ical()


def events_ics(events) -> bytes:
    """One calendar file with several events' own VEVENTs (each its UID and SEQUENCE): the
    series summary notice's attachment."""
    calendar = _calendar()
    for event in events:
        calendar.add_component(event_vevent(event))
    return calendar.to_ical()


def _to_buyer(order: Order, event, subject: str, template: str, **context):
    recipient, name = buyer_of(order)
    return send_event_email(event, order.buyer_email, subject, template, recipient=recipient, recipient_name=name,
                     order=order, **context)


# --- promised in the transaction (outbox.py), rendered by the job after commit ------------------

def send_confirmation(order: Order, *, message: str = "") -> None:
    """One email per confirmed attendee with their ticket; the buyer gets a summary when not attending."""
    outbox.queue(MailKind.CONFIRMATION, event_id=order.event_id, order=order, message=message)


def send_pending_approval(order: Order) -> None:
    outbox.queue(MailKind.PENDING_APPROVAL, event_id=order.event_id, order=order)


def send_payment_link(order: Order, *, message: str = "") -> None:
    outbox.queue(MailKind.PAYMENT_LINK, event_id=order.event_id, order=order, message=message)


def send_rejection(order: Order, *, message: str = "") -> None:
    outbox.queue(MailKind.REJECTION, event_id=order.event_id, order=order, message=message)


def send_cancellation(registration: Registration, *, refund_minor: int) -> None:
    outbox.queue(MailKind.CANCELLATION, event_id=registration.event_id, registration=registration,
                 refund_minor=refund_minor)


def send_waitlist_joined(entry: WaitlistEntry, event) -> None:
    outbox.queue(MailKind.WAITLIST_JOINED, event_id=event.id, entry=entry)


def send_waitlist_offer(entry: WaitlistEntry, event) -> None:
    outbox.queue(MailKind.WAITLIST_OFFER, event_id=event.id, entry=entry)


def change_notice_recipients(event) -> list[Registration]:
    """Who is told when the event's date or time changes: its confirmed registrations (a pending
    or held place is told by the mail that confirms it, which carries the date as it is then)."""
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED).order_by(Registration.id)))


def send_change_notices(event, *, old_starts_at, old_ends_at, told_elsewhere=frozenset()) -> int:
    """Promise one change notice per confirmed registration, in the current transaction (the
    outbox row commits with the change or not at all); returns how many people will be told.
    Each row names the new start: a notice overtaken by a later change before it was rendered
    is dropped (the later one tells the newest date), so each person gets one per change.
    Registrations in `told_elsewhere` (ids) are told of this change by a series summary notice
    (send_series_change_notice) instead; they count as told."""
    registrations = change_notice_recipients(event)
    for registration in registrations:
        if registration.id in told_elsewhere:
            continue
        outbox.queue(MailKind.CHANGE_NOTICE, event_id=event.id, registration=registration,
                     old_starts_at=old_starts_at.isoformat(), old_ends_at=old_ends_at.isoformat(),
                     starts_at=event.starts_at.isoformat())
    return len(registrations)


def send_series_change_notice(moves: list[tuple[Registration, object, datetime, datetime]]) -> None:
    """Promise one notice to one person for several editions of a series moved by one change:
    `moves` are (their confirmed registration, the edition as it now is, its old start and end).
    Each item names its new start, as send_change_notices' rows do: an item overtaken by a later
    change before rendering is left out (that change tells it), so the person still hears of
    each move exactly once."""
    first, event = moves[0][0], moves[0][1]
    outbox.queue(MailKind.SERIES_CHANGE_NOTICE, event_id=event.id, registration=first, moves=[
        {"registration_id": registration.id, "event_id": edition.id, "old_starts_at": old_start.isoformat(),
         "old_ends_at": old_end.isoformat(), "starts_at": edition.starts_at.isoformat()}
        for registration, edition, old_start, old_end in moves])


def _series_moves_still_true(params: dict) -> list[tuple]:
    """The summary's items still to tell: the registration confirmed and the edition still at the
    start the item names. (registration, edition, old start, old end), in the edition's order."""
    from ..events.models import Event

    kept = []
    for item in params.get("moves") or []:
        registration = db.session.get(Registration, item["registration_id"])
        edition = db.session.get(Event, item["event_id"])
        if registration is None or edition is None or registration.status != RegistrationStatus.CONFIRMED:
            continue
        if datetime.fromisoformat(item["starts_at"]) != edition.starts_at:
            continue
        kept.append((registration, edition, datetime.fromisoformat(item["old_starts_at"]),
                     datetime.fromisoformat(item["old_ends_at"])))
    return sorted(kept, key=lambda m: m[1].starts_at)


def render_outbox_mail(row) -> list:
    """Render an outbox row into outreach's log (the job, after commit); returns the messages.
    A row whose order or entry is gone (purged, event deleted) renders nothing."""
    from ..events.models import Event

    event = db.session.get(Event, row.event_id)
    params = row.params or {}
    if row.kind in (MailKind.WAITLIST_JOINED, MailKind.WAITLIST_OFFER):
        entry = db.session.get(WaitlistEntry, row.waitlist_entry_id) if row.waitlist_entry_id else None
        if entry is None or event is None:
            return []
        if row.kind == MailKind.WAITLIST_OFFER and entry.status != WaitlistStatus.OFFERED:
            # Claimed, withdrawn or expired before the job ran (a consumer that was down, a retry
            # after a dead SMTP server): an offer of a place that is no longer offered helps nobody.
            return []
        return [(_waitlist_joined if row.kind == MailKind.WAITLIST_JOINED else _waitlist_offer)(entry, event)]
    if row.kind == MailKind.CANCELLATION:
        registration = db.session.get(Registration, row.registration_id) if row.registration_id else None
        if registration is None or event is None:
            return []
        return [_cancellation(registration, event, refund_minor=params.get("refund_minor", 0))]
    if row.kind == MailKind.SERIES_CHANGE_NOTICE:
        moves = _series_moves_still_true(params)
        if not moves:
            return []
        if len(moves) == 1:
            registration, edition, old_start, old_end = moves[0]
            return [_change_notice(registration, edition, old_starts_at=old_start, old_ends_at=old_end)]
        return [_series_change_notice(moves)]
    if row.kind == MailKind.CHANGE_NOTICE:
        registration = db.session.get(Registration, row.registration_id) if row.registration_id else None
        if registration is None or event is None or registration.status != RegistrationStatus.CONFIRMED:
            return []
        if params.get("starts_at") and datetime.fromisoformat(params["starts_at"]) != event.starts_at:
            return []  # moved again before this was rendered: that change's notice tells the newest date
        return [_change_notice(registration, event, old_starts_at=datetime.fromisoformat(params["old_starts_at"]),
                               old_ends_at=datetime.fromisoformat(params["old_ends_at"]))]
    order = db.session.get(Order, row.order_id) if row.order_id else None
    if order is None or event is None:
        return []
    with in_language(order.language):
        if row.kind == MailKind.CONFIRMATION:
            return _send_confirmation(order, event, params.get("message", ""))
        if row.kind == MailKind.PENDING_APPROVAL:
            return [_to_buyer(order, event, gettext("We received your registration for %(event)s", event=tr(event, "title")),
                              "registration_pending", order_url=links.order_url(order, event))]
        if row.kind == MailKind.PAYMENT_LINK:
            return [_to_buyer(order, event, gettext("Your registration for %(event)s is approved: please pay", event=tr(event, "title")),
                              "registration_payment_link", message=params.get("message", ""), money=format_money,
                              payment_url=links.payment_url(order, event))]
        if row.kind == MailKind.REJECTION:
            return [_to_buyer(order, event, gettext("Your registration for %(event)s", event=tr(event, "title")),
                              "registration_rejected", message=params.get("message", ""))]
    raise ValueError(f"unknown registration mail kind {row.kind!r}")


def _send_confirmation(order: Order, event, message: str) -> list:
    note = settings_for(event).confirmation_note
    ics = event_ics(event)
    confirmed = [r for r in order.registrations if r.status == RegistrationStatus.CONFIRMED]
    sent = []
    for registration in confirmed:
        qr = ticket_qr(registration.ticket_code)
        sent.append(send_event_email(
            event, registration.email, gettext("Your registration for %(event)s", event=tr(event, "title")),
            "registration_confirmation",
            recipient=registration, attachments=[(f"ticket-{registration.ticket_code[:6]}.png", "image/png", ticket_png(registration.ticket_code, qr)),
                         ("event.ics", "text/calendar", ics)],
            order=order, registration=registration, message=message, note=note,
            qr_data_uri=qr.png_data_uri(scale=5, border=2), money=format_money,
            self_service_url=links.self_service_url(registration, event),
            # The receipt link carries the order token: only the buyer's own mailbox gets it.
            receipt_url=links.receipt_url(order, event) if order.paid_minor and links.is_buyer(registration) else None,
        ))
    if confirmed and order.buyer_email not in {r.email for r in confirmed}:
        sent.append(_to_buyer(order, event, gettext("Your order for %(event)s", event=tr(event, "title")), "registration_order_summary",
                              registrations=confirmed, money=format_money, order_url=links.order_url(order, event)))
    return sent


def _cancellation(registration: Registration, event, *, refund_minor: int):
    with in_language(registration.spoken_language):
        return send_event_email(event, registration.email, gettext("Your registration for %(event)s is cancelled", event=tr(event, "title")),
                                "registration_cancelled", recipient=registration, registration=registration,
                                refund_minor=refund_minor, currency=registration.order.currency, money=format_money)


def when_words(starts_at, ends_at, tz: str) -> str:
    """An event's dates and times in words, in its zone and the current language:
    "Tuesday 2 March 2027, 19:00–20:00", or start and end in full when they are on different days."""
    zone = ZoneInfo(tz)
    if starts_at.astimezone(zone).date() == ends_at.astimezone(zone).date():
        return gettext("%(day)s, %(start)s–%(end)s", day=format_datetime(starts_at, tz, "%A %-d %B %Y"),
                       start=format_datetime(starts_at, tz, "%H:%M"), end=format_datetime(ends_at, tz, "%H:%M"))
    return gettext("%(start)s to %(end)s", start=format_datetime(starts_at, tz, "%A %-d %B %Y, %H:%M"),
                   end=format_datetime(ends_at, tz, "%A %-d %B %Y, %H:%M"))


def _change_notice(registration: Registration, event, *, old_starts_at, old_ends_at):
    """The notice itself, in the attendee's language, with the event's calendar file as the
    confirmation attaches it. No join details: those go only into the reminders, built at send
    time for the entitled (confapp/online/emails.py), never into a stored transactional mail."""
    with in_language(registration.spoken_language):
        return send_event_email(
            event, registration.email, gettext("New date and time for %(event)s", event=tr(event, "title")),
            "registration_date_changed", recipient=registration, registration=registration,
            attachments=[("event.ics", "text/calendar", event_ics(event))],
            when=when_words(event.starts_at, event.ends_at, event.timezone),
            was=when_words(old_starts_at, old_ends_at, event.timezone),
            online=registration.category.is_online, self_service_url=links.self_service_url(registration, event))


def _series_change_notice(moves: list[tuple]):
    """The summary: each moved edition with its new and old date, its ticket link, and one
    calendar file updating them all (each edition's UID, its higher SEQUENCE). Like the single
    notice, no join details."""
    registration, event = moves[0][0], moves[0][1]
    with in_language(registration.spoken_language):
        items = [{"event": edition, "registration": reg, "when": when_words(edition.starts_at, edition.ends_at, edition.timezone),
                  "was": when_words(old_start, old_end, edition.timezone),
                  "self_service_url": links.self_service_url(reg, edition)}
                 for reg, edition, old_start, old_end in moves]
        return send_event_email(
            event, registration.email,
            ngettext("New date and time for %(num)d edition of %(event)s",
                     "New dates and times for %(num)d editions of %(event)s", len(moves), event=tr(event, "title")),
            "registration_series_dates_changed", recipient=registration, registration=registration, items=items,
            attachments=[("editions.ics", "text/calendar", events_ics([m[1] for m in moves]))],
            online=any(reg.category.is_online for reg, *_ in moves))


def _waitlist_joined(entry: WaitlistEntry, event):
    with in_language(entry.language):
        return send_event_email(event, entry.email, gettext("You are on the waitlist for %(event)s", event=tr(event, "title")),
                                "registration_waitlist_joined", recipient_name=entry.name, entry=entry)


def _waitlist_offer(entry: WaitlistEntry, event):
    from ..urls import external_url

    with in_language(entry.language):
        return send_event_email(event, entry.email, gettext("A place is free for you at %(event)s", event=tr(event, "title")),
                                "registration_waitlist_offer", recipient_name=entry.name, entry=entry,
                                claim_url=external_url("registration.waitlist_claim", slug=event.slug, token=entry.offer_token))


outbox.use_renderer(render_outbox_mail)

# The ticket and self-service merge fields of organisers' messages (outreach/merge.py). Both are
# the person's own ticket page, never the order page: in a group order that would hand every
# recipient the buyer's secret and everyone else's ticket.
register_person_link("ticket_link", _l("The person's ticket link"), links.self_service_url, position=10)
register_person_link("self_service_link", _l("The person's self-service link (change answers, cancel)"),
                     links.self_service_url, position=20)
