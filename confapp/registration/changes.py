"""Changes after an order is placed: approval and rejection, cancellation with refunds,
answers edited by the attendee or the organisers, confirmations sent again.
Re-exported by services.py, which callers import."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import select

from ..accounts import permissions
from ..audit.services import record
from ..errors import InvalidState, NotAllowed, ValidationFailed
from ..events.models import Event
from ..extensions import db
from ..money import plain
from ..webhooks import outbox
from . import emails
from .capacity import lock_event, occupying_clause
from .common import active_questions, history, settings_for
from . import refunding
from .holds import lock_order_rows, refundable_amount
from .models import Answer, Order, PaymentMethod, PaymentState, Registration, RegistrationStatus
from .questions import check_email, clean_answers, normalise_email


# --- approval --------------------------------------------------------------------------------------

def approve_order(order: Order, *, actor, now: datetime, message: str = "") -> Order:
    """Approve a pending order. A waiver request is granted (WAIVED, confirmed); money due by
    card becomes AWAITING_PAYMENT with a hold of the event's offer hours and an emailed payment
    link; otherwise confirmed. Raises NotAllowed, InvalidState."""
    event = db.session.get(Event, order.event_id)
    permissions.require(actor, permissions.Action.MANAGE_REGISTRATIONS, event)
    order = lock_order_rows(order)
    pending = [r for r in order.registrations if r.status == RegistrationStatus.PENDING_APPROVAL]
    if not pending:
        raise InvalidState(gettext("Only a registration pending approval can be approved."))
    settings = settings_for(event)
    if order.waiver_requested and order.total_minor:
        order.payment_state = PaymentState.WAIVED
        status = RegistrationStatus.CONFIRMED
    elif order.total_minor and order.payment_method == PaymentMethod.CARD:
        status = RegistrationStatus.AWAITING_PAYMENT
        order.hold_expires_at = now + timedelta(hours=settings.offer_hours)
    else:
        status = RegistrationStatus.CONFIRMED
    for r in pending:
        r.status = status
        r.hold_expires_at = order.hold_expires_at if status == RegistrationStatus.AWAITING_PAYMENT else None
        if status == RegistrationStatus.CONFIRMED:
            r.confirmed_at = now
    order.updated_at = now
    db.session.flush()
    history(order, "approved", actor=actor, now=now)
    record("registration.approved", actor=actor, event=event, target=order, now=now)
    if status == RegistrationStatus.CONFIRMED:
        emails.send_confirmation(order, message=message)
    else:
        emails.send_payment_link(order, message=message)
    return order


def reject_order(order: Order, *, actor, now: datetime, message: str = "") -> Order:
    """Reject a pending order: its places go back (and to the waitlist); the buyer is told,
    with the organiser's message if any. Raises NotAllowed, InvalidState."""
    from .waitlist import offer_freed_places

    event = db.session.get(Event, order.event_id)
    permissions.require(actor, permissions.Action.MANAGE_REGISTRATIONS, event)
    order = lock_order_rows(order)
    pending = [r for r in order.registrations if r.status == RegistrationStatus.PENDING_APPROVAL]
    if not pending:
        raise InvalidState(gettext("Only a registration pending approval can be rejected."))
    for r in pending:
        r.status = RegistrationStatus.REJECTED
        r.cancelled_at = now
    order.updated_at = now
    db.session.flush()
    history(order, "rejected", actor=actor, now=now)
    record("registration.rejected", actor=actor, event=event, target=order, now=now)
    emails.send_rejection(order, message=message)
    offer_freed_places(event, now=now)
    return order


# --- cancellation ----------------------------------------------------------------------------------

def cancel_registration(registration: Registration, *, actor, reason: str = "", now: datetime,
                        refund: str = "policy", by_attendee: bool = False, send_email: bool = True) -> int:
    """Cancel one attendee's place; returns the amount refunded. A paid order refunds this
    registration's price, capped by the refund policy (`refund="policy"`), by what was paid
    (`"full"`, organisers only) or nothing (`"none"`). The freed place goes to the waitlist.
    Raises NotAllowed, InvalidState."""
    from .waitlist import offer_freed_places

    event = db.session.get(Event, registration.event_id)
    if not by_attendee:
        permissions.require(actor, permissions.Action.MANAGE_REGISTRATIONS, event)
    if refund == "full" and by_attendee:
        raise NotAllowed()
    # Lock, re-read, then decide: a second cancel of the same attendee (the attendee's page and
    # the organisers at once) waits here and then finds the registration cancelled.
    order = lock_order_rows(registration.order)
    if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED, RegistrationStatus.EXPIRED):
        raise InvalidState(gettext("This registration is already cancelled."))
    if by_attendee and event.ends_at <= now:
        raise InvalidState(gettext("This event has ended."))
    amount = 0
    if order.payment_state in (PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED) and refund != "none":
        # Per attendee: at most this attendee's price, and never more than the order still has
        # refundable (both read under the lock above).
        cap = max(order.paid_minor - order.refunded_minor, 0) if refund == "full" else refundable_amount(order, now=now)
        amount = max(min(registration.price_minor, cap), 0)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.hold_expires_at = None
    order.updated_at = now
    db.session.flush()
    history(order, "cancelled", actor=actor, now=now, registration=registration,
            note=("By the attendee" if by_attendee else "By the organisers") + (f"; refund {plain(amount, order.currency)}" if amount else ""))
    record("registration.cancelled", actor=actor, event=event, target=registration,
           details={"by_attendee": by_attendee, "refund_minor": amount}, now=now)
    outbox.emit_registrations("registration.cancelled", [registration], now=now)
    if amount:
        refunding.refund(order, amount, actor=actor, reason=reason or "Registration cancelled", now=now)
    if send_email:
        emails.send_cancellation(registration, refund_minor=amount)
    offer_freed_places(event, now=now)
    return amount


def cancel_order(order: Order, *, actor, reason: str = "", now: datetime, refund: str = "policy", by_attendee: bool = False) -> int:
    """Cancel every live registration of the order; returns the total refunded."""
    total = 0
    for registration in list(order.registrations):
        if registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_APPROVAL,
                                   RegistrationStatus.AWAITING_PAYMENT):
            total += cancel_registration(registration, actor=actor, reason=reason, now=now, refund=refund, by_attendee=by_attendee)
    return total


# --- changes by the attendee or the organisers --------------------------------------------------

def update_answers(registration: Registration, *, first_name: str, last_name: str, answers: dict[int, object],
                   actor, now: datetime, by_attendee: bool = False, email: str | None = None) -> Registration:
    """Change an attendee's name and answers (and, for organisers, the email). Same checks as
    registering. Raises ValidationFailed, NotAllowed, InvalidState."""
    event = db.session.get(Event, registration.event_id)
    if not by_attendee:
        permissions.require(actor, permissions.Action.MANAGE_REGISTRATIONS, event)
    if registration.purged_at:
        raise InvalidState(gettext("This registration's personal data was deleted."))
    errors: dict[str, str] = {}
    if not first_name.strip():
        errors["first_name"] = gettext("Enter a first name.")
    values, answer_errors = clean_answers(active_questions(event.id), answers)
    errors.update({f"q_{qid}": message for qid, message in answer_errors.items()})
    if email is not None and not by_attendee:
        email = normalise_email(email)
        if check_email(email):
            errors["email"] = check_email(email)
        elif email != registration.email and not settings_for(event).allow_multiple_per_email and db.session.scalar(
                select(Registration.id).where(Registration.event_id == event.id, Registration.email == email,
                                              Registration.id != registration.id, occupying_clause(now))):
            errors["email"] = gettext("Another active registration for this event uses this email address.")
    if errors:
        raise ValidationFailed(errors)
    registration.first_name = first_name.strip()[:120]
    registration.last_name = last_name.strip()[:120]
    if email is not None and not by_attendee:
        registration.email = email
    registration.search_text = f"{registration.first_name} {registration.last_name} {registration.email}".lower()[:600]
    current = {a.question_id: a for a in registration.answers}
    for qid, answer in list(current.items()):
        if qid not in values:
            registration.answers.remove(answer)
    for qid, value in values.items():
        if qid in current:
            current[qid].value = value
        else:
            registration.answers.append(Answer(question_id=qid, value=value))
    db.session.flush()
    history(registration.order, "answers_updated", actor=actor, now=now, registration=registration,
            note="By the attendee" if by_attendee else "By the organisers")
    record("registration.updated", actor=actor, event=event, target=registration, details={"by_attendee": by_attendee}, now=now)
    outbox.emit_registrations("registration.updated", [registration], now=now)
    return registration


def set_language(registration: Registration, language: str | None, *, now: datetime) -> Registration:
    """The attendee's own choice, on their ticket page, of the language their emails, the desk and
    the reports know them by. Raises ValidationFailed for a language the site does not offer."""
    from ..i18n import supported

    code = supported(language)
    if code is None or code != language:
        raise ValidationFailed({"language": gettext("Choose one of the languages offered.")})
    if registration.purged_at:
        raise InvalidState(gettext(gettext("This registration's personal data was deleted.")))
    if registration.spoken_language != code:
        registration.language = code
        db.session.flush()
        history(registration.order, "language_changed", actor=None, now=now, registration=registration, note=code)
    return registration


def send_confirmation(order: Order, *, actor, now: datetime) -> None:
    """Send the confirmation (tickets) again. Raises InvalidState when nothing is confirmed."""
    if not any(r.status == RegistrationStatus.CONFIRMED for r in order.registrations):
        raise InvalidState(gettext("Only confirmed registrations have a ticket to send."))
    history(order, "confirmation_resent", actor=actor, now=now)
    emails.send_confirmation(order)


# --- paying another way ----------------------------------------------------------------------------

OTHER_METHODS = {PaymentMethod.INVOICE: "invoice_enabled", PaymentMethod.AT_DOOR: "at_door_enabled"}
METHOD_NOTES = {PaymentMethod.INVOICE: "Will pay by invoice or bank transfer", PaymentMethod.AT_DOOR: "Will pay at the door"}


def pay_another_way(order: Order, method: PaymentMethod, *, now: datetime) -> Order:
    """The buyer of a card order still awaiting payment (card payment is unavailable, or they
    cannot pay by card) chooses another method the event offers: invoice or bank transfer, or
    at the door. The held places become confirmed and unpaid, as if that method had been chosen
    when registering. Locks the order and its registrations, then the event, and decides on
    what it re-reads there; a hold that has run out is not revived. Raises ValidationFailed
    (method not offered), InvalidState."""
    event = db.session.get(Event, order.event_id)
    if not getattr(settings_for(event), OTHER_METHODS.get(method, ""), False):
        raise ValidationFailed({"payment_method": gettext("Choose one of the payment options offered.")})
    order = lock_order_rows(order)
    lock_event(event)
    held = [r for r in order.registrations if r.status == RegistrationStatus.AWAITING_PAYMENT]
    if not held or order.payment_method != PaymentMethod.CARD or order.paid_minor:
        raise InvalidState(gettext("This order is not waiting for a card payment."))
    if order.hold_expires_at is not None and order.hold_expires_at <= now:
        raise InvalidState(gettext("Your places were held for a limited time and that time has run out. Please register again."))
    for r in held:
        r.status = RegistrationStatus.CONFIRMED
        r.confirmed_at = now
        r.hold_expires_at = None
    order.hold_expires_at = None
    order.payment_method = method
    order.updated_at = now
    db.session.flush()
    history(order, "payment_method_changed", actor=None, now=now, note=METHOD_NOTES[method])
    record("registration.payment_method_changed", actor=None, event=event, target=order,
           details={"method": method.value}, now=now)
    emails.send_confirmation(order)
    return order
