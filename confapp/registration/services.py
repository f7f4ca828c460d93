"""Registration rules: placing an order, paying, holds, approval, cancellation, answers.

Every function takes the actor and the clock, flushes and never commits; the caller
(view, job, webhook, CLI) commits once. Mail goes out after the commit.
Capacity lives in capacity.py; the waitlist in waitlist.py.
"""
from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..accounts import permissions
from ..audit.services import actor_identity, record
from ..errors import InvalidState, SoldOut, ValidationFailed
from ..events.models import Event
from ..events.services import registration_closed_reason
from ..extensions import db
from . import emails, pricing
from .capacity import lock_event, occupying_clause, places_left, reserve_places
from .models import (
    AccessCode, Answer, DiscountCode, Order, PaymentMethod, PaymentState, Question, Registration,
    RegistrationCategory, RegistrationEvent, RegistrationSettings, RegistrationStatus, Visibility, WaitlistEntry,
    WaitlistStatus,
)
from .questions import check_email, clean_answers, normalise_email

__all__ = [
    "AttendeeData", "CategoryChoice", "OrderRequest", "Quote", "SoldOut", "active_questions", "approve_order",
    "cancel_order", "cancel_registration", "confirm_paid_order", "expire_order", "place_order", "places_left",
    "quote_order", "refundable_amount", "reject_order", "reserve_places", "send_confirmation", "settings_for",
    "update_answers",
]

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class CategoryChoice:
    category_id: int
    quantity: int = 1
    # Pay what you can: the amount per attendee (None = the suggested amount).
    amount_minor: int | None = None


@dataclass
class AttendeeData:
    first_name: str
    last_name: str
    email: str
    # Question id -> value (a list for multiple choice).
    answers: dict[int, object] = field(default_factory=dict)


@dataclass
class OrderRequest:
    """What one buyer submits. Attendees fill the choices' places in order: the first
    `choices[0].quantity` attendees get choices[0]'s category, and so on."""

    choices: list[CategoryChoice]
    attendees: list[AttendeeData]
    buyer_name: str = ""  # empty: the first attendee
    buyer_email: str = ""
    # The buyer says they are not attending: their name and email are then required.
    buyer_separate: bool = False
    discount_code: str = ""
    access_code: str = ""
    # Pay what you can for choices that give no amount of their own.
    pay_what_you_can_minor: int | None = None
    waiver_requested: bool = False
    waiver_reason: str = ""
    payment_method: PaymentMethod | str | None = None  # None: card when money is due
    idempotency_key: str | None = None
    ip_address: str = ""
    # A walk-in registered by staff at the door: no sales window, confirmed, pays there.
    at_door: bool = False
    # A waitlist offer being claimed (the offer's token).
    waitlist_token: str | None = None
    send_email: bool = True


@dataclass
class QuoteLine:
    category: RegistrationCategory
    attendee: AttendeeData
    price_minor: int
    discount_minor: int
    answers: dict[int, str]


@dataclass
class Quote:
    lines: list[QuoteLine]
    currency: str
    subtotal_minor: int
    discount_minor: int
    total_minor: int
    discount_code: DiscountCode | None
    access_code: AccessCode | None
    needs_approval: bool
    payment_method: PaymentMethod
    waitlist_entry: WaitlistEntry | None = None


# --- settings and reference data ------------------------------------------------------------------

def settings_for(event: Event) -> RegistrationSettings:
    """The event's registration settings; an unsaved row with the defaults if none exists."""
    found = db.session.scalar(select(RegistrationSettings).where(RegistrationSettings.event_id == event.id))
    if found is None:
        found = RegistrationSettings(
            event_id=event.id, hold_minutes=30, allow_multiple_per_email=False, max_per_order=10, currency="USD",
            refund_policy=pricing.RefundPolicy.FULL, waitlist_enabled=True, offer_hours=48, card_enabled=True,
            at_door_enabled=False, invoice_enabled=False, confirmation_note="",
        )
    return found


def active_questions(event_id: int) -> list[Question]:
    return list(db.session.scalars(
        select(Question).where(Question.event_id == event_id, Question.is_active.is_(True))
        .order_by(Question.position, Question.id)
    ))


def _new_code(model, column, length: int) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
        if db.session.scalar(select(model.id).where(column == code)) is None:
            return code


def new_ticket_code() -> str:
    # 120 random bits, URL- and QR-friendly.
    return secrets.token_urlsafe(15)


def history(order: Order, kind: str, *, actor, now: datetime, registration: Registration | None = None, note: str = "") -> None:
    user_id, label = actor_identity(actor)
    if not label and user_id:
        label = getattr(actor, "name", "")
    if not user_id and label in ("", "anonymous"):
        label = "Attendee"  # the public form or the self-service page
    db.session.add(RegistrationEvent(order_id=order.id, registration_id=registration.id if registration else None,
                                     kind=kind, note=note[:300], actor_user_id=user_id, actor_label=label or "",
                                     created_at=now))


def _is_manager(actor, event: Event) -> bool:
    return permissions.can(actor, permissions.Action.MANAGE_REGISTRATIONS, event)


# --- quoting: validation and prices, no writes ------------------------------------------------------

def _find_code(model, event: Event, text: str):
    text = (text or "").strip()
    if not text:
        return None
    return db.session.scalar(select(model).where(model.event_id == event.id, func.upper(model.code) == text.upper()))


def _check_waitlist_offer(event: Event, token: str | None, *, now: datetime, errors: dict) -> WaitlistEntry | None:
    if not token:
        return None
    entry = db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.offer_token == token, WaitlistEntry.event_id == event.id))
    if entry is None or entry.status != WaitlistStatus.OFFERED or (entry.offer_expires_at and entry.offer_expires_at <= now):
        errors["waitlist"] = "This waitlist offer has expired or was already used."
        return None
    return entry


@dataclass
class Choices:
    settings: RegistrationSettings
    manager: bool
    access: AccessCode | None
    discount: DiscountCode | None
    slots: list[tuple[RegistrationCategory, int | None]]
    waitlist_entry: WaitlistEntry | None
    errors: dict[str, str]


def check_choices(event: Event, request: OrderRequest, *, actor=None, now: datetime) -> Choices:
    """The first step's rules: registration open, categories on sale and unlocked, quantities,
    codes, pay-what-you-can amounts. Raises ValidationFailed (fields as in the public form)."""
    settings = settings_for(event)
    manager = _is_manager(actor, event)
    errors: dict[str, str] = {}
    if not (manager or request.at_door):
        reason = registration_closed_reason(event, now)
        if reason:
            raise ValidationFailed({"form": reason}, message=reason)
    waitlist_entry = _check_waitlist_offer(event, request.waitlist_token, now=now, errors=errors)

    access = _find_code(AccessCode, event, request.access_code)
    if request.access_code.strip():
        problem = pricing.access_code_problem(access, now=now)
        if problem:
            errors["access_code"] = problem
            access = None
    discount = _find_code(DiscountCode, event, request.discount_code)
    if request.discount_code.strip():
        problem = pricing.discount_code_problem(discount, now=now)
        if problem:
            errors["discount_code"] = problem
            discount = None

    choices = [c for c in request.choices if c.quantity]
    categories = {c.id: c for c in db.session.scalars(
        select(RegistrationCategory).where(RegistrationCategory.event_id == event.id,
                                           RegistrationCategory.id.in_([c.category_id for c in choices] or [0])))}
    slots: list[tuple[RegistrationCategory, int | None]] = []
    for choice in choices:
        category = categories.get(choice.category_id)
        key = f"quantity_{choice.category_id}"
        if category is None or choice.quantity < 0:
            errors[key] = "Choose a registration category from the list."
            continue
        if category.visibility == Visibility.HIDDEN and not manager and not pricing.access_unlocks(access, category.id):
            errors[key] = f"{category.name} needs an access code."
            continue
        problem = None if (manager or request.at_door) else pricing.sales_problem(category, now=now)
        if problem:
            errors[key] = problem
            continue
        amount = choice.amount_minor if choice.amount_minor is not None else request.pay_what_you_can_minor
        _, price_error = pricing.base_price(category, amount)
        if price_error:
            errors[f"amount_{category.id}"] = price_error
        slots.extend([(category, amount)] * choice.quantity)
    quantity = sum(c.quantity for c in choices)
    if quantity == 0 and not any(k.startswith("quantity_") for k in errors):
        errors["quantity"] = "Choose at least one place."
    elif quantity > settings.max_per_order and not manager:
        errors["quantity"] = f"One order can hold at most {settings.max_per_order} people."
    if waitlist_entry is not None and quantity > 1:
        errors["quantity"] = "A waitlist offer is for one place."
    if waitlist_entry is not None and waitlist_entry.category_id and any(c.id != waitlist_entry.category_id for c, _ in slots):
        errors["quantity"] = "Your waitlist offer is for another category."
    if errors:
        raise ValidationFailed(errors)
    return Choices(settings, manager, access, discount, slots, waitlist_entry, errors)


def quote_order(event: Event, request: OrderRequest, *, actor=None, now: datetime) -> Quote:
    """Validate `request` against every rule that needs no lock and price it.
    Raises ValidationFailed({field: message}); field names match the public form."""
    checked = check_choices(event, request, actor=actor, now=now)
    settings, manager, discount, access = checked.settings, checked.manager, checked.discount, checked.access
    slots, waitlist_entry, errors = checked.slots, checked.waitlist_entry, checked.errors
    quantity = len(slots)
    if len(request.attendees) != quantity:
        raise ValidationFailed({"quantity": "Give the details of every person you register."})

    questions = active_questions(event.id)
    lines: list[QuoteLine] = []
    seen_emails: set[str] = set()
    for index, ((category, amount), attendee) in enumerate(zip(slots, request.attendees)):
        prefix = f"attendees-{index}-"
        if not attendee.first_name.strip():
            errors[prefix + "first_name"] = "Enter a first name."
        if len(attendee.first_name) > 120 or len(attendee.last_name) > 120:
            errors[prefix + "first_name"] = "Keep names under 120 characters."
        email = normalise_email(attendee.email)
        if not email:
            errors[prefix + "email"] = "Enter an email address."
        elif check_email(email):
            errors[prefix + "email"] = check_email(email)
        elif email in seen_emails and not settings.allow_multiple_per_email:
            errors[prefix + "email"] = "Each person needs their own email address."
        seen_emails.add(email)
        values, answer_errors = clean_answers(questions, attendee.answers)
        for question_id, message in answer_errors.items():
            errors[f"{prefix}q_{question_id}"] = message
        price, _ = pricing.base_price(category, amount)
        off = pricing.discount_for(discount, category.id, price)
        lines.append(QuoteLine(category, AttendeeData(attendee.first_name.strip(), attendee.last_name.strip(), email,
                                                      attendee.answers), price, off, values))
    if request.discount_code.strip() and discount and not any(pricing.discount_applies(discount, l.category.id) for l in lines):
        errors["discount_code"] = "That discount code does not apply to the places you chose."
    if request.waiver_requested:
        if not all(l.category.allows_waiver for l in lines):
            errors["waiver_requested"] = "A fee waiver is not offered for the places you chose."
        elif not request.waiver_reason.strip():
            errors["waiver_reason"] = "Tell the organisers briefly why you need the fee waived."
    buyer_email = normalise_email(request.buyer_email)
    if request.buyer_separate and not request.buyer_name.strip():
        errors["buyer_name"] = "Enter your name."
    if request.buyer_separate and not buyer_email:
        errors["buyer_email"] = "Enter your email address: the order summary is sent there."
    elif buyer_email and check_email(buyer_email):
        errors["buyer_email"] = check_email(buyer_email)

    subtotal = sum(l.price_minor for l in lines)
    discount_total = sum(l.discount_minor for l in lines)
    total = subtotal - discount_total
    method = _payment_method(request, settings, total, manager, errors)
    if errors:
        raise ValidationFailed(errors)
    needs_approval = request.waiver_requested or any(l.category.requires_approval for l in lines)
    currency = lines[0].category.currency if lines else settings.currency
    return Quote(lines, currency, subtotal, discount_total, total, discount, access, needs_approval, method, waitlist_entry)


def _payment_method(request: OrderRequest, settings: RegistrationSettings, total: int, manager: bool, errors: dict) -> PaymentMethod:
    if total == 0 or request.waiver_requested:
        return PaymentMethod.NONE if total == 0 else PaymentMethod(request.payment_method or PaymentMethod.CARD)
    if request.at_door:
        return PaymentMethod.AT_DOOR
    try:
        method = PaymentMethod(request.payment_method or PaymentMethod.CARD)
    except ValueError:
        errors["payment_method"] = "Choose how you will pay."
        return PaymentMethod.CARD
    allowed = {PaymentMethod.CARD: settings.card_enabled, PaymentMethod.AT_DOOR: settings.at_door_enabled,
               PaymentMethod.INVOICE: settings.invoice_enabled, PaymentMethod.NONE: False}
    if not allowed[method] and not manager:
        errors["payment_method"] = "Choose one of the payment options offered."
    return method


# --- placing an order ------------------------------------------------------------------------------

def find_order_by_key(key: str | None) -> Order | None:
    if not key:
        return None
    return db.session.scalar(select(Order).where(Order.idempotency_key == key))


def _check_one_per_email(event: Event, emails_: list[str], *, now: datetime) -> None:
    taken = set(db.session.scalars(
        select(Registration.email).where(Registration.event_id == event.id, Registration.email.in_(emails_),
                                         occupying_clause(now))
    ))
    if taken:
        raise ValidationFailed({
            f"attendees-{i}-email": "This email address already has a registration for this event. "
                                    "Use the link in your confirmation email to see or change it."
            for i, email in enumerate(emails_) if email in taken
        })


def place_order(event: Event, request: OrderRequest, *, actor=None, now: datetime) -> Order:
    """Create an order and one registration per attendee, holding places under the capacity lock.

    Rules: registration window, categories on sale (hidden ones need an access code), codes
    valid, answers valid, one active registration per email unless the event allows more,
    capacity of the event and each category. Free, waived-pending, at-door and invoice orders
    are CONFIRMED (or PENDING_APPROVAL when a category requires approval or a waiver is asked);
    card orders with money due are AWAITING_PAYMENT with a hold. The same idempotency key
    returns the same order. Raises ValidationFailed, SoldOut.
    """
    existing = find_order_by_key(request.idempotency_key)
    if existing is not None:
        return existing
    lock_event(event)
    # A concurrent twin of this submission may have committed while we waited for the lock.
    existing = find_order_by_key(request.idempotency_key)
    if existing is not None:
        return existing
    quote = quote_order(event, request, actor=actor, now=now)
    settings = settings_for(event)
    if not settings.allow_multiple_per_email:
        _check_one_per_email(event, [l.attendee.email for l in quote.lines], now=now)
    reserve_places(event, Counter(l.category.id for l in quote.lines), now=now, already_locked=True,
                   exclude_offer_id=quote.waitlist_entry.id if quote.waitlist_entry else None)

    if quote.needs_approval:
        status, payment_state = RegistrationStatus.PENDING_APPROVAL, (PaymentState.UNPAID if quote.total_minor else PaymentState.NOT_REQUIRED)
    elif quote.total_minor == 0:
        status, payment_state = RegistrationStatus.CONFIRMED, PaymentState.NOT_REQUIRED
    elif quote.payment_method == PaymentMethod.CARD:
        status, payment_state = RegistrationStatus.AWAITING_PAYMENT, PaymentState.UNPAID
    elif quote.payment_method == PaymentMethod.NONE:
        # Only organisers can choose "nothing to pay" for a priced place: complimentary.
        status, payment_state = RegistrationStatus.CONFIRMED, PaymentState.WAIVED
    else:
        status, payment_state = RegistrationStatus.CONFIRMED, PaymentState.UNPAID
    hold = now + timedelta(minutes=settings.hold_minutes) if status == RegistrationStatus.AWAITING_PAYMENT else None
    first = quote.lines[0].attendee
    order = Order(
        event_id=event.id, code=_new_code(Order, Order.code, 8),
        buyer_name=(request.buyer_name.strip() or f"{first.first_name} {first.last_name}".strip())[:200],
        buyer_email=normalise_email(request.buyer_email) or first.email,
        idempotency_key=request.idempotency_key, currency=quote.currency,
        subtotal_minor=quote.subtotal_minor, discount_minor=quote.discount_minor, total_minor=quote.total_minor,
        payment_state=payment_state, payment_method=quote.payment_method,
        discount_code_id=quote.discount_code.id if quote.discount_code else None,
        access_code_id=quote.access_code.id if quote.access_code else None,
        waiver_requested=request.waiver_requested, waiver_reason=request.waiver_reason.strip()[:2000],
        hold_expires_at=hold, created_at=now, updated_at=now, ip_address=(request.ip_address or "")[:45],
    )
    db.session.add(order)
    db.session.flush()
    for line in quote.lines:
        a = line.attendee
        registration = Registration(
            event_id=event.id, order_id=order.id, category_id=line.category.id, status=status,
            ticket_code=new_ticket_code(), first_name=a.first_name[:120], last_name=a.last_name[:120], email=a.email,
            search_text=f"{a.first_name} {a.last_name} {a.email}".lower()[:600],
            price_minor=line.price_minor - line.discount_minor, is_walk_in=request.at_door, hold_expires_at=hold,
            created_at=now, confirmed_at=now if status == RegistrationStatus.CONFIRMED else None,
        )
        registration.answers = [Answer(question_id=qid, value=value) for qid, value in line.answers.items()]
        order.registrations.append(registration)
    if quote.discount_code:
        quote.discount_code.times_used += 1
    if quote.access_code:
        quote.access_code.times_used += 1
    if quote.waitlist_entry:
        quote.waitlist_entry.status = WaitlistStatus.CLAIMED
        quote.waitlist_entry.order_id = order.id
    db.session.flush()
    history(order, "walk_in" if request.at_door else "placed", actor=actor, now=now, note=status.label)
    record("registration.order_placed", actor=actor, event=event, target=order,
           details={"registrations": len(quote.lines), "status": status.value}, now=now)
    if request.send_email:
        if status == RegistrationStatus.CONFIRMED:
            emails.send_confirmation(order)
        elif status == RegistrationStatus.PENDING_APPROVAL:
            emails.send_pending_approval(order)
    return order


# --- payment and holds -----------------------------------------------------------------------------

def confirm_paid_order(order: Order, *, amount_minor: int, now: datetime, actor=None, send_email: bool = True) -> Order:
    """Money arrived for `order`. Registrations whose hold expired get their places back if
    free (re-checked under the capacity lock); otherwise SoldOut and nothing changes (the
    caller refunds). A cancelled or rejected order raises InvalidState. Idempotent for an
    order already paid: the amount is not counted twice."""
    event = db.session.get(Event, order.event_id)
    lock_event(event)
    db.session.refresh(order)
    db.session.scalars(select(Registration).where(Registration.order_id == order.id)
                       .execution_options(populate_existing=True)).all()
    if order.payment_state in (PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED):
        return order
    regs = list(order.registrations)
    live = [r for r in regs if r.status not in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED)]
    if not live:
        raise InvalidState("This order was cancelled; the payment must be refunded.")
    lapsed = [r for r in live if r.status == RegistrationStatus.EXPIRED
              or (r.status == RegistrationStatus.AWAITING_PAYMENT and r.hold_expires_at and r.hold_expires_at <= now)]
    if lapsed:
        reserve_places(event, Counter(r.category_id for r in lapsed), now=now, already_locked=True)
    for r in live:
        if r.status in (RegistrationStatus.AWAITING_PAYMENT, RegistrationStatus.EXPIRED):
            r.status = RegistrationStatus.CONFIRMED
            r.confirmed_at = now
        r.hold_expires_at = None
    order.hold_expires_at = None
    order.paid_minor += amount_minor
    order.payment_state = PaymentState.PAID
    order.updated_at = now
    db.session.flush()
    history(order, "paid", actor=actor, now=now, note="Late payment: place re-checked" if lapsed else "")
    record("registration.order_paid", actor=actor, event=event, target=order, details={"reinstated": len(lapsed)}, now=now)
    if send_email and any(r.status == RegistrationStatus.CONFIRMED for r in live):
        emails.send_confirmation(order)
    return order


def expire_order(order: Order, *, now: datetime, actor=None) -> Order:
    """Release the places an unpaid order holds (AWAITING_PAYMENT -> EXPIRED) and offer them
    to the waitlist. Idempotent: an order with nothing awaiting payment is left as it is."""
    from .waitlist import offer_freed_places

    # Same lock as confirm_paid_order, then re-read: a payment confirmed meanwhile wins.
    lock_event(db.session.get(Event, order.event_id))
    db.session.refresh(order)
    db.session.scalars(select(Registration).where(Registration.order_id == order.id)
                       .execution_options(populate_existing=True)).all()
    awaiting = [r for r in order.registrations if r.status == RegistrationStatus.AWAITING_PAYMENT]
    if not awaiting or order.payment_state == PaymentState.PAID:
        return order
    for r in awaiting:
        r.status = RegistrationStatus.EXPIRED
    order.updated_at = now
    db.session.flush()
    history(order, "expired", actor=actor, now=now, note="The payment hold ran out")
    offer_freed_places(db.session.get(Event, order.event_id), now=now)
    return order


def expired_holds(*, now: datetime, limit: int = 500) -> list[Order]:
    """Orders still holding places whose hold has run out (for the periodic job)."""
    return list(db.session.scalars(
        select(Order).where(Order.id.in_(
            select(Registration.order_id).where(Registration.status == RegistrationStatus.AWAITING_PAYMENT,
                                                Registration.hold_expires_at <= now)
        )).limit(limit)
    ))


def refundable_amount(order: Order, *, now: datetime) -> int:
    """What cancelling would refund under the event's policy (full / none / until a date),
    never more than paid minus already refunded."""
    return pricing.refundable_by_policy(order, settings_for(db.session.get(Event, order.event_id)), now=now)


# Approval, cancellation and changes live in changes.py; they are part of this module's API.
from .changes import (  # noqa: E402
    approve_order, cancel_order, cancel_registration, reject_order, send_confirmation, update_answers,
)
