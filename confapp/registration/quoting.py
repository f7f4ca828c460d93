"""Quoting an order: every rule that needs no lock (window, categories, codes, quantities,
attendees, answers, payment method) and the prices. No writes and no locks; place_order
(services.py) quotes first, then re-checks under its locks what concurrent orders use up."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select

from ..errors import ValidationFailed
from ..events.content_languages import tr
from ..events.models import Event
from ..events.services import registration_closed_reason
from ..extensions import db
from . import pricing
from .common import active_questions, is_manager, settings_for
from .models import (
    AccessCode, DiscountCode, PaymentMethod, RegistrationCategory, RegistrationSettings, Visibility, WaitlistEntry,
    WaitlistStatus,
)
from .queries import access_code_for, categories_by_id, discount_code_for
from .questions import check_email, clean_answers, normalise_email

# The most places one order can hold, whoever places it (the organiser's per-order setting is at most this).
MAX_PLACES_PER_ORDER = 100


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
    # The interface language the order is placed in (the boundary says; None: English): its emails speak it.
    language: str | None = None
    # Whether a card payment can start now (an instance without a Stripe key cannot). A partner's
    # token asks payments, so its order is refused with the form's words, as the form offers no card
    # then; a form posted while the key was there still places its order, whose page offers the
    # other ways to pay.
    card_available: bool = True


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
    # The questions the answers were checked against: held while the order is written, so the desk's
    # search terms find them in the session (checkin/search.py) instead of reading the answers back.
    questions: list = field(default_factory=list)



def _usable(found: tuple, field: str, errors: dict[str, str]):
    """The code row of a (code, problem) lookup, or None with the problem put under `field` in `errors`."""
    code, problem = found
    if problem:
        errors[field] = problem
        return None
    return code


def _check_waitlist_offer(event: Event, token: str | None, *, now: datetime, errors: dict) -> WaitlistEntry | None:
    if not token:
        return None
    entry = db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.offer_token == token, WaitlistEntry.event_id == event.id))
    if entry is None or entry.status != WaitlistStatus.OFFERED or (entry.offer_expires_at and entry.offer_expires_at <= now):
        errors["waitlist"] = gettext("This waitlist offer has expired or was already used.")
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


def check_choices(event: Event, order_request: OrderRequest, *, actor=None, now: datetime) -> Choices:
    """The first step's rules: registration open, categories on sale and unlocked, quantities,
    codes, pay-what-you-can amounts. Raises ValidationFailed (fields as in the public form)."""
    settings = settings_for(event)
    manager = is_manager(actor, event)
    errors: dict[str, str] = {}
    if not (manager or order_request.at_door):
        reason = registration_closed_reason(event, now)
        if reason:
            raise ValidationFailed({"form": reason}, message=reason)
    waitlist_entry = _check_waitlist_offer(event, order_request.waitlist_token, now=now, errors=errors)

    access = _usable(access_code_for(event, order_request.access_code, now=now), "access_code", errors)
    discount = _usable(discount_code_for(event, order_request.discount_code, now=now), "discount_code", errors)

    choices = [c for c in order_request.choices if c.quantity]
    # Bounded before any per-place work: the largest order anyone may place, organisers included.
    quantity = sum(max(c.quantity, 0) for c in choices)
    limit = MAX_PLACES_PER_ORDER if manager else min(settings.max_per_order, MAX_PLACES_PER_ORDER)
    if quantity > limit:
        raise ValidationFailed({"quantity": gettext("One order can hold at most %(limit)s people.", limit=limit)})
    categories = {c.id: c for c in categories_by_id(event, [c.category_id for c in choices])}
    slots: list[tuple[RegistrationCategory, int | None]] = []
    for choice in choices:
        category = categories.get(choice.category_id)
        key = f"quantity_{choice.category_id}"
        if category is None or choice.quantity < 0:
            errors[key] = gettext("Choose a registration category from the list.")
            continue
        if category.visibility == Visibility.HIDDEN and not manager and not pricing.access_unlocks(access, category.id):
            errors[key] = gettext("%(category)s needs an access code.", category=tr(category, "name", event=event))
            continue
        problem = None if (manager or order_request.at_door) else pricing.sales_problem(category, now=now)
        if problem:
            errors[key] = problem
            continue
        amount = choice.amount_minor if choice.amount_minor is not None else order_request.pay_what_you_can_minor
        _, price_error = pricing.base_price(category, amount)
        if price_error:
            errors[f"amount_{category.id}"] = price_error
        slots.extend([(category, amount)] * choice.quantity)
    if quantity == 0 and not any(k.startswith("quantity_") for k in errors):
        errors["quantity"] = gettext("Choose at least one place.")
    if waitlist_entry is not None and quantity > 1:
        errors["quantity"] = gettext("A waitlist offer is for one place.")
    if waitlist_entry is not None and waitlist_entry.category_id and any(c.id != waitlist_entry.category_id for c, _ in slots):
        errors["quantity"] = gettext("Your waitlist offer is for another category.")
    if errors:
        raise ValidationFailed(errors)
    return Choices(settings, manager, access, discount, slots, waitlist_entry, errors)


def quote_order(event: Event, order_request: OrderRequest, *, actor=None, now: datetime) -> Quote:
    """Validate `order_request` against every rule that needs no lock and price it.
    Raises ValidationFailed({field: message}); field names match the public form."""
    checked = check_choices(event, order_request, actor=actor, now=now)
    settings, manager, discount, access = checked.settings, checked.manager, checked.discount, checked.access
    slots, waitlist_entry, errors = checked.slots, checked.waitlist_entry, checked.errors
    quantity = len(slots)
    if len(order_request.attendees) != quantity:
        raise ValidationFailed({"quantity": gettext("Give the details of every person you register.")})

    questions = active_questions(event.id)
    lines: list[QuoteLine] = []
    seen_emails: set[str] = set()
    for index, ((category, amount), attendee) in enumerate(zip(slots, order_request.attendees)):
        prefix = f"attendees-{index}-"
        if not attendee.first_name.strip():
            errors[prefix + "first_name"] = gettext("Enter a first name.")
        if len(attendee.first_name) > 120 or len(attendee.last_name) > 120:
            errors[prefix + "first_name"] = gettext("Keep names under 120 characters.")
        email = normalise_email(attendee.email)
        if not email:
            errors[prefix + "email"] = gettext("Enter an email address.")
        elif check_email(email):
            errors[prefix + "email"] = check_email(email)
        elif email in seen_emails and not settings.allow_multiple_per_email:
            errors[prefix + "email"] = gettext("Each person needs their own email address.")
        seen_emails.add(email)
        values, answer_errors = clean_answers(questions, attendee.answers)
        for question_id, message in answer_errors.items():
            errors[f"{prefix}q_{question_id}"] = message
        price, _ = pricing.base_price(category, amount)
        off = pricing.discount_for(discount, category.id, price)
        lines.append(QuoteLine(category, AttendeeData(attendee.first_name.strip(), attendee.last_name.strip(), email,
                                                      attendee.answers), price, off, values))
    if order_request.discount_code.strip() and discount and not any(pricing.discount_applies(discount, l.category.id) for l in lines):
        errors["discount_code"] = gettext("That discount code does not apply to the places you chose.")
    if order_request.waiver_requested:
        if not all(l.category.allows_waiver for l in lines):
            errors["waiver_requested"] = gettext("A fee waiver is not offered for the places you chose.")
        elif not order_request.waiver_reason.strip():
            errors["waiver_reason"] = gettext("Tell the organisers briefly why you need the fee waived.")
    buyer_email = normalise_email(order_request.buyer_email)
    if order_request.buyer_separate and not order_request.buyer_name.strip():
        errors["buyer_name"] = gettext("Enter your name.")
    if order_request.buyer_separate and not buyer_email:
        errors["buyer_email"] = gettext("Enter your email address: the order summary is sent there.")
    elif buyer_email and check_email(buyer_email):
        errors["buyer_email"] = check_email(buyer_email)

    subtotal = sum(l.price_minor for l in lines)
    discount_total = sum(l.discount_minor for l in lines)
    total = subtotal - discount_total
    method = _payment_method(order_request, settings, total, manager, errors)
    if errors:
        raise ValidationFailed(errors)
    needs_approval = order_request.waiver_requested or any(l.category.requires_approval for l in lines)
    currency = lines[0].category.currency if lines else settings.currency
    return Quote(lines, currency, subtotal, discount_total, total, discount, access, needs_approval, method, waitlist_entry,
                 questions)


def _payment_method(order_request: OrderRequest, settings: RegistrationSettings, total: int, manager: bool, errors: dict) -> PaymentMethod:
    if total == 0 or order_request.waiver_requested:
        return PaymentMethod.NONE if total == 0 else PaymentMethod(order_request.payment_method or PaymentMethod.CARD)
    if order_request.at_door:
        return PaymentMethod.AT_DOOR
    try:
        method = PaymentMethod(order_request.payment_method or PaymentMethod.CARD)
    except ValueError:
        errors["payment_method"] = gettext("Choose how you will pay.")
        return PaymentMethod.CARD
    allowed = {PaymentMethod.CARD: settings.card_enabled and order_request.card_available, PaymentMethod.AT_DOOR: settings.at_door_enabled,
               PaymentMethod.INVOICE: settings.invoice_enabled, PaymentMethod.NONE: False}
    if not allowed[method] and not manager:
        errors["payment_method"] = gettext("Choose one of the payment options offered.")
    return method
