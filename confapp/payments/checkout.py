"""Paying an order through Stripe Checkout: at most one live session per order (a partial
unique index), created with an idempotency key derived from our Payment row; an open session
is reused; Stripe is called outside any transaction."""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..events.content_languages import tr
from ..audit.services import SYSTEM
from ..errors import DomainError, InvalidState
from ..events.models import Event
from ..extensions import db
from ..i18n import in_language
from ..registration.common import history, register_card_payments_check
from ..registration.holds import expire_order
from ..registration.models import Order, PaymentMethod, PaymentState, RegistrationStatus
from .gateway import GatewayError, get_gateway, to_stripe_amount
from .ledger import amount_due, live_payment
from .models import Payment, PaymentProvider, PaymentStatus

log = logging.getLogger(__name__)

# Stripe refuses a Checkout Session that expires in less than 30 minutes.
STRIPE_MIN_SESSION = timedelta(minutes=31)
STRIPE_MAX_SESSION = timedelta(hours=23, minutes=50)
# An open session this close to expiry is not handed out again: the buyer needs time to pay.
REUSE_MARGIN = timedelta(minutes=5)
# How long a twin request waits for the first one's Checkout Session before giving up.
CREATING_WAIT_SECONDS = 10.0


NOT_CONFIGURED = _l("Card payments are not available yet. Please contact the organisers: you can also pay another way.")


class PaymentUnavailable(DomainError):
    status_code = 503
    code = "payment_unavailable"
    default_message = _l("The payment provider could not be reached. Nothing was charged; please try again in a minute.")


def check_payable(order: Order, *, now: datetime) -> None:
    """An order can be paid by card when money is due and its places are still held.
    Raises InvalidState with a message for the buyer."""
    if order.payment_state in (PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED) \
            or amount_due(order) == 0:
        raise InvalidState(gettext("This order is already paid."))
    if order.payment_state in (PaymentState.WAIVED, PaymentState.NOT_REQUIRED):
        raise InvalidState(gettext("Nothing is due for this order."))
    awaiting = [r for r in order.registrations if r.status == RegistrationStatus.AWAITING_PAYMENT]
    if not awaiting:
        raise InvalidState(gettext("This registration is not waiting for a payment."))
    if order.hold_expires_at is not None and order.hold_expires_at <= now:
        raise InvalidState(gettext("Your places were held for a limited time and that time has run out. Please register again."))


def card_payments_available() -> bool:
    """Whether a Stripe secret key is configured (without one, card payments cannot start)."""
    return get_gateway().configured


# Registration offers card payment only when this says so (it cannot import payments).
register_card_payments_check(card_payments_available)


def _checkout_params(order: Order, payment: Payment, event: Event, *, success_url: str, cancel_url: str) -> dict:
    metadata = {"order_code": order.code, "payment_id": str(payment.id), "event_id": str(event.id)}
    with in_language(order.language):
        names = ", ".join(sorted({tr(r.category, "name", event=event) for r in order.registrations
                                  if r.status == RegistrationStatus.AWAITING_PAYMENT}))
        product_name = gettext("%(event)s: registration %(code)s", event=tr(event, "title"), code=order.code)
        product_fallback = gettext("Registration")
    return {
        "mode": "payment",
        "client_reference_id": order.code,
        "customer_email": order.buyer_email,
        "line_items": [{
            "quantity": 1,
            "price_data": {
                "currency": payment.currency.lower(),
                "unit_amount": to_stripe_amount(payment.amount_minor, payment.currency),
                # The buyer reads these on Stripe's page: in the language the order was placed in.
                "product_data": {"name": product_name[:250], "description": names[:500] or product_fallback},
            },
        }],
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata, "description": f"{event.title} {order.code}"[:250]},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(payment.session_expires_at.timestamp()),
    }


def start_checkout(order: Order, *, success_url: str, cancel_url: str, now: datetime) -> Payment:
    """A Stripe Checkout page for what the order owes; returns the OPEN Payment (its checkout_url).

    Rules: only an order with money due and places still held (check_payable); an open
    session that is not about to expire is reused; a session close to expiry is expired at
    Stripe before a new one is made, so two pages can never both take money. The Payment row
    is committed before Stripe is called and its id is the idempotency key, so a retried or
    concurrent request gets the same session. Because Stripe must not be called inside a
    transaction, this service commits (twice); callers need not.
    Raises InvalidState, PaymentUnavailable.
    """
    check_payable(order, now=now)
    if not card_payments_available():
        raise PaymentUnavailable(NOT_CONFIGURED)
    payment = _reserve_checkout(order, now=now)
    if payment.status == PaymentStatus.OPEN:
        return payment
    event = db.session.get(Event, order.event_id)
    params = _checkout_params(order, payment, event, success_url=success_url, cancel_url=cancel_url)
    payment_id = payment.id
    db.session.commit()  # no transaction (and no SQLite write lock) is held while Stripe answers
    try:
        session = get_gateway().create_checkout_session(params, idempotency_key=f"confapp-checkout-{payment_id}")
    except GatewayError as error:
        payment = db.session.get(Payment, payment_id)
        if payment.status == PaymentStatus.CREATING:
            payment.status = PaymentStatus.FAILED
            payment.failure_message = error.message[:300]
            db.session.commit()
        log.warning("checkout session for payment %s failed: %s", payment_id, error.message)
        raise PaymentUnavailable() from error
    payment = db.session.get(Payment, payment_id)
    if payment.status == PaymentStatus.CREATING:
        payment.status = PaymentStatus.OPEN
        payment.stripe_checkout_session_id = session.id
        payment.checkout_url = session.url
        payment.session_expires_at = session.expires_at or payment.session_expires_at
        history(payment.order, "checkout_started", actor=SYSTEM, now=now)
    db.session.commit()
    return payment


def _reserve_checkout(order: Order, *, now: datetime) -> Payment:
    """The live Payment for the order, or a new CREATING one (a twin request finds it)."""
    deadline = time.monotonic() + CREATING_WAIT_SECONDS
    while time.monotonic() < deadline:
        existing = live_payment(order)
        if existing is not None:
            if existing.status == PaymentStatus.OPEN and existing.session_expires_at \
                    and existing.session_expires_at > now + REUSE_MARGIN:
                return existing
            if existing.status == PaymentStatus.CREATING:
                if existing.created_at and existing.created_at < now - timedelta(seconds=60):
                    # A request died between our commit and Stripe's answer: the same key resumes it.
                    return existing
                db.session.commit()
                time.sleep(0.15)
                continue
            _retire_session(existing)
            continue
        payment = Payment(
            order_id=order.id, event_id=order.event_id, provider=PaymentProvider.STRIPE, method=PaymentMethod.CARD.value,
            status=PaymentStatus.CREATING, amount_minor=amount_due(order), currency=order.currency,
            session_expires_at=_session_expiry(order, now),
            created_at=now,
        )
        try:
            with db.session.begin_nested():
                db.session.add(payment)
        except IntegrityError:
            continue  # a concurrent twin reserved first: use its row
        return payment
    raise PaymentUnavailable(gettext("The payment page is still being prepared. Please reload in a moment."))


def _session_expiry(order: Order, now: datetime) -> datetime:
    """As long as the hold, within what Stripe accepts (31 minutes to 24 hours); a payment
    that completes after the hold is handled as a late payment."""
    hold = order.hold_expires_at or now
    return min(max(hold, now + STRIPE_MIN_SESSION), now + STRIPE_MAX_SESSION)


def _retire_session(payment: Payment) -> None:
    """Expire an old session at Stripe before replacing it, so it can no longer take money."""
    payment_id, session_id = payment.id, payment.stripe_checkout_session_id
    db.session.commit()
    if session_id:
        try:
            session = get_gateway().expire_checkout_session(session_id)
        except GatewayError as error:
            # Already complete (paid) or already expired: re-read it to know which.
            try:
                session = get_gateway().retrieve_checkout_session(session_id)
            except GatewayError:
                raise PaymentUnavailable() from error
        if session.status == "complete":
            raise InvalidState(gettext("A payment for this order has just been made; it is being confirmed."))
    payment = db.session.get(Payment, payment_id)
    if payment.status == PaymentStatus.OPEN:
        payment.status = PaymentStatus.EXPIRED
    db.session.commit()


def abandon_checkout(order: Order, *, now: datetime) -> Order:
    """The buyer gave up paying: expire the open session at Stripe and release the held places
    (registration's expire_order). Commits, because Stripe is called outside a transaction."""
    existing = live_payment(order)
    if existing is not None and existing.status == PaymentStatus.OPEN:
        _retire_session(existing)
    order = db.session.get(Order, order.id)
    if order.payment_state == PaymentState.UNPAID:
        expire_order(order, now=now, actor=SYSTEM)
    db.session.commit()
    return order
