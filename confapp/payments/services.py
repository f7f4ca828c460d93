"""Payment rules: paying an order through Stripe Checkout, applying Stripe's webhooks, refunds
and offline payments.

Never charge twice: at most one live Checkout Session per order (a partial unique index),
created with an idempotency key derived from our Payment row; an open session is reused.
Never refund more than was received: refunds are capped under the order's row lock.
Stripe is called outside any transaction (start_checkout) or after commit (refunds, by a job),
never while a row lock is held. Lock order on these paths: the Order row, then (inside
registration's confirm_paid_order) the Event row; cancellation takes them in the same order.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import SYSTEM, actor_identity, record
from ..errors import DomainError, InvalidState, ValidationFailed
from ..events.models import Event
from ..extensions import db
from ..jobs import app_task, enqueue_after_commit
from ..money import plain, with_code
from ..registration.models import Order, PaymentMethod, PaymentState, RegistrationStatus
from ..types import utcnow
from .gateway import GatewayError, get_gateway, to_stripe_amount
from .models import LIVE_STATUSES, RECEIVED_STATUSES, Payment, PaymentProvider, PaymentStatus, Refund, RefundStatus

log = logging.getLogger(__name__)

# Stripe refuses a Checkout Session that expires in less than 30 minutes.
STRIPE_MIN_SESSION = timedelta(minutes=31)
STRIPE_MAX_SESSION = timedelta(hours=23, minutes=50)
# An open session this close to expiry is not handed out again: the buyer needs time to pay.
REUSE_MARGIN = timedelta(minutes=5)
# How long a twin request waits for the first one's Checkout Session before giving up.
CREATING_WAIT_SECONDS = 10.0
OFFLINE_METHODS = (PaymentMethod.AT_DOOR, PaymentMethod.INVOICE)


NOT_CONFIGURED = "Card payments are not available yet. Please contact the organisers: you can also pay another way."


class PaymentUnavailable(DomainError):
    status_code = 503
    code = "payment_unavailable"
    default_message = "The payment provider could not be reached. Nothing was charged; please try again in a minute."


def _history(order: Order, kind: str, *, actor, now: datetime, note: str = "") -> None:
    from ..registration.services import history

    history(order, kind, actor=actor, now=now, note=note)


def lock_order(order: Order) -> Order:
    """The order's row lock: every change to its money happens under it."""
    return db.session.scalars(
        select(Order).where(Order.id == order.id).with_for_update().execution_options(populate_existing=True)
    ).one()


def amount_due(order: Order) -> int:
    return max(order.total_minor - order.paid_minor, 0)


def _refresh_order_state(order: Order) -> None:
    if order.paid_minor <= 0:
        return
    if order.refunded_minor >= order.paid_minor:
        order.payment_state = PaymentState.REFUNDED
    elif order.refunded_minor > 0:
        order.payment_state = PaymentState.PARTIALLY_REFUNDED
    elif order.paid_minor >= order.total_minor:
        order.payment_state = PaymentState.PAID


def _refresh_payment_state(payment: Payment) -> None:
    if payment.status not in RECEIVED_STATUSES:
        return
    if payment.refunded_minor >= payment.amount_minor:
        payment.status = PaymentStatus.REFUNDED
    elif payment.refunded_minor > 0:
        payment.status = PaymentStatus.PARTIALLY_REFUNDED
    else:
        payment.status = PaymentStatus.PAID


# --- checkout ----------------------------------------------------------------------------------------

def check_payable(order: Order, *, now: datetime) -> None:
    """An order can be paid by card when money is due and its places are still held.
    Raises InvalidState with a message for the buyer."""
    if order.payment_state in (PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED) \
            or amount_due(order) == 0:
        raise InvalidState("This order is already paid.")
    if order.payment_state in (PaymentState.WAIVED, PaymentState.NOT_REQUIRED):
        raise InvalidState("Nothing is due for this order.")
    awaiting = [r for r in order.registrations if r.status == RegistrationStatus.AWAITING_PAYMENT]
    if not awaiting:
        raise InvalidState("This registration is not waiting for a payment.")
    if order.hold_expires_at is not None and order.hold_expires_at <= now:
        raise InvalidState("Your places were held for a limited time and that time has run out. Please register again.")


def card_payments_available() -> bool:
    """Whether a Stripe secret key is configured (without one, card payments cannot start)."""
    return get_gateway().configured


def live_payment(order: Order) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.status.in_(LIVE_STATUSES)))


def _checkout_params(order: Order, payment: Payment, event: Event, *, success_url: str, cancel_url: str) -> dict:
    names = ", ".join(sorted({r.category.name for r in order.registrations if r.status == RegistrationStatus.AWAITING_PAYMENT}))
    metadata = {"order_code": order.code, "payment_id": str(payment.id), "event_id": str(event.id)}
    return {
        "mode": "payment",
        "client_reference_id": order.code,
        "customer_email": order.buyer_email,
        "line_items": [{
            "quantity": 1,
            "price_data": {
                "currency": payment.currency.lower(),
                "unit_amount": to_stripe_amount(payment.amount_minor, payment.currency),
                "product_data": {"name": f"{event.title}: registration {order.code}"[:250],
                                 "description": names[:500] or "Registration"},
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
        _history(payment.order, "checkout_started", actor=SYSTEM, now=now)
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
    raise PaymentUnavailable("The payment page is still being prepared. Please reload in a moment.")


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
            raise InvalidState("A payment for this order has just been made; it is being confirmed.")
    payment = db.session.get(Payment, payment_id)
    if payment.status == PaymentStatus.OPEN:
        payment.status = PaymentStatus.EXPIRED
    db.session.commit()


def abandon_checkout(order: Order, *, now: datetime) -> Order:
    """The buyer gave up paying: expire the open session at Stripe and release the held places
    (registration's expire_order). Commits, because Stripe is called outside a transaction."""
    from ..registration.services import expire_order

    existing = live_payment(order)
    if existing is not None and existing.status == PaymentStatus.OPEN:
        _retire_session(existing)
    order = db.session.get(Order, order.id)
    if order.payment_state == PaymentState.UNPAID:
        expire_order(order, now=now, actor=SYSTEM)
    db.session.commit()
    return order


# --- offline payments ----------------------------------------------------------------------------------

def mark_paid_offline(order: Order, *, amount_minor: int | None = None, method: PaymentMethod | str, actor,
                      now: datetime, note: str = "") -> Payment:
    """Staff record money received at the door or by invoice / bank transfer.

    Rules: method is at_door or invoice; the amount (default: all that is due) is positive and
    no more than is due; the order's registrations are confirmed through registration's
    confirm_paid_order (late orders re-check capacity). The caller checks the actor's
    permission (organisers: MANAGE_PAYMENTS; the check-in desk: CHECK_IN).
    Raises ValidationFailed, InvalidState, SoldOut.
    """
    from ..registration.services import confirm_paid_order

    method = PaymentMethod(method)
    if method not in OFFLINE_METHODS:
        raise ValidationFailed({"method": "Choose at the door or invoice."})
    order = lock_order(order)
    due = amount_due(order)
    if order.payment_state in (PaymentState.WAIVED, PaymentState.NOT_REQUIRED) or due == 0:
        raise InvalidState("Nothing is due for this order.")
    if not any(r.status not in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED) for r in order.registrations):
        raise InvalidState("This order was cancelled: there is nothing to pay for.")
    amount = due if amount_minor is None else int(amount_minor)
    if amount <= 0:
        raise ValidationFailed({"amount": "Enter an amount greater than zero."})
    if amount > due:
        raise ValidationFailed({"amount": f"At most {with_code(due, order.currency)} is due."})
    user_id, label = actor_identity(actor)
    payment = Payment(
        order_id=order.id, event_id=order.event_id, provider=PaymentProvider.OFFLINE, method=method.value,
        status=PaymentStatus.PAID, amount_minor=amount, currency=order.currency, paid_at=now, created_at=now,
        note=note.strip()[:300], recorded_by_id=user_id, recorded_by_label=label or getattr(actor, "name", "") or "",
    )
    db.session.add(payment)
    before = order.paid_minor
    if amount == due and order.payment_state == PaymentState.UNPAID:
        confirm_paid_order(order, amount_minor=amount, now=now, actor=actor)
    if order.paid_minor == before:  # a part payment, or registration did not count it
        order.paid_minor += amount
        _history(order, "paid", actor=actor, now=now, note=f"Part payment {with_code(amount, order.currency)}")
    order.payment_method = method
    _refresh_order_state(order)
    db.session.flush()
    record("payments.marked_paid", actor=actor, event=order.event, target=order,
           details={"payment_id": payment.id, "method": method.value, "amount_minor": amount}, now=now)
    return payment


# --- refunds ---------------------------------------------------------------------------------------------

def refundable(order: Order) -> int:
    """What may still be refunded: received minus refunded (including refunds in flight)."""
    return max(order.paid_minor - order.refunded_minor, 0)


def refund_order(order: Order, amount_minor: int, *, actor, reason: str, now: datetime,
                 notify: bool = False) -> list[Refund]:
    """Refund `amount_minor` of what the order paid (full or partial).

    Rules: the amount is positive and never more than paid minus refunded (checked under the
    order's row lock, so two organisers cannot both refund the last amount). Card payments are
    refunded first (newest first) through Stripe by a job after commit; money taken offline
    is recorded as handed back. `notify` emails the buyer (cancellation sends its own email).
    Raises ValidationFailed.
    """
    amount = int(amount_minor)
    if amount <= 0:
        raise ValidationFailed({"amount": "Enter an amount greater than zero."})
    order = lock_order(order)
    available = refundable(order)
    if amount > available:
        raise ValidationFailed({"amount": f"At most {with_code(available, order.currency)} can be refunded."})
    payments = list(db.session.scalars(
        select(Payment).where(Payment.order_id == order.id, Payment.status.in_(RECEIVED_STATUSES))
        .order_by((Payment.provider == PaymentProvider.STRIPE).desc(), Payment.id.desc())
    ))
    user_id, label = actor_identity(actor)
    refunds, left = [], amount
    for payment in payments:
        share = min(left, payment.refundable_minor)
        if share <= 0:
            continue
        card = payment.provider == PaymentProvider.STRIPE and payment.stripe_payment_intent_id
        refund = Refund(
            payment_id=payment.id, order_id=order.id, amount_minor=share, currency=payment.currency,
            status=RefundStatus.PENDING if card else RefundStatus.SUCCEEDED, reason=(reason or "")[:300],
            actor_user_id=user_id, actor_label=label or getattr(actor, "name", "") or "", created_at=now,
            completed_at=None if card else now,
        )
        db.session.add(refund)
        payment.refunded_minor += share
        _refresh_payment_state(payment)
        refunds.append(refund)
        left -= share
        if left == 0:
            break
    if left:
        # Money counted on the order without a Payment row (recorded directly through
        # registration's confirm_paid_order): there is nothing at Stripe to refund against,
        # so it is recorded as handed back by the organisers, and the history says so.
        manual = Payment(order_id=order.id, event_id=order.event_id, provider=PaymentProvider.OFFLINE,
                         method=PaymentMethod(order.payment_method).value, status=PaymentStatus.PAID,
                         amount_minor=left, currency=order.currency, created_at=now, paid_at=now,
                         note="Recorded on the order without payment details")
        db.session.add(manual)
        db.session.flush()
        refunds.append(Refund(payment_id=manual.id, order_id=order.id, amount_minor=left, currency=order.currency,
                              status=RefundStatus.SUCCEEDED, reason=((reason or "") + " (hand back outside Stripe)")[:300],
                              actor_user_id=user_id, actor_label=label or getattr(actor, "name", "") or "",
                              created_at=now, completed_at=now))
        db.session.add(refunds[-1])
        manual.refunded_minor = left
        _refresh_payment_state(manual)
        left = 0
    order.refunded_minor += amount
    order.updated_at = now
    _refresh_order_state(order)
    db.session.flush()
    _history(order, "refund", actor=actor, now=now, note=f"Refund {with_code(amount, order.currency)}")
    record("payments.refund_requested", actor=actor, event=order.event, target=order,
           details={"amount_minor": amount, "refund_ids": [r.id for r in refunds]}, now=now)
    for refund in refunds:
        if refund.status == RefundStatus.PENDING:
            enqueue_after_commit(db.session(), submit_refund_task, refund.id)
    if notify:
        from .emails import send_refund_notice

        send_refund_notice(order, amount)
    return refunds


def submit_refund(refund_id: int, *, now: datetime) -> Refund | None:
    """Send a PENDING refund to Stripe (idempotently: the key is our refund id). A refusal marks
    it FAILED and gives the amount back to what may be refunded. Commits around the Stripe call."""
    refund = db.session.get(Refund, refund_id)
    if refund is None or refund.status != RefundStatus.PENDING:
        return refund
    intent_id = refund.payment.stripe_payment_intent_id
    amount, currency, order_code = refund.amount_minor, refund.currency, refund.payment.order.code
    db.session.commit()  # no lock is held while Stripe answers
    try:
        result = get_gateway().create_refund(
            payment_intent_id=intent_id, amount_minor=amount, currency=currency, idempotency_key=f"confapp-refund-{refund_id}",
            metadata={"confapp_refund_id": str(refund_id), "order_code": order_code},
        )
    except GatewayError as error:
        if error.retryable:
            raise  # the job retries with the same idempotency key
        _fail_refund(refund_id, error.message, now=now)
        return db.session.get(Refund, refund_id)
    refund = db.session.scalars(
        select(Refund).where(Refund.id == refund_id).with_for_update().execution_options(populate_existing=True)
    ).one()
    if refund.stripe_refund_id is None:
        refund.stripe_refund_id = result.id
    if refund.status == RefundStatus.PENDING:
        refund.status = RefundStatus.SUCCEEDED if result.status == "succeeded" else RefundStatus.SUBMITTED
        if refund.status == RefundStatus.SUCCEEDED:
            refund.completed_at = now
    if result.status in ("failed", "canceled"):
        db.session.commit()
        _fail_refund(refund_id, f"Stripe reported the refund {result.status}", now=now)
    db.session.commit()
    return refund


def _fail_refund(refund_id: int, message: str, *, now: datetime) -> None:
    refund = db.session.get(Refund, refund_id)
    order = lock_order(refund.payment.order)
    refund = db.session.get(Refund, refund_id)
    if refund.status == RefundStatus.FAILED:
        return
    refund.status = RefundStatus.FAILED
    refund.failure_message = message[:300]
    refund.completed_at = now
    payment = refund.payment
    payment.refunded_minor = max(payment.refunded_minor - refund.amount_minor, 0)
    _refresh_payment_state(payment)
    order.refunded_minor = max(order.refunded_minor - refund.amount_minor, 0)
    if order.refunded_minor == 0 and order.paid_minor:
        order.payment_state = PaymentState.PAID if order.paid_minor >= order.total_minor else PaymentState.UNPAID
    _refresh_order_state(order)
    _history(order, "refund_failed", actor=SYSTEM, now=now, note=f"Refund {plain(refund.amount_minor, refund.currency)} failed")
    log.warning("refund %s failed at Stripe", refund_id)
    db.session.commit()


@app_task(retries=5, retry_delay=60)
def submit_refund_task(refund_id: int) -> None:
    submit_refund(refund_id, now=utcnow())


# --- webhooks ------------------------------------------------------------------------------------------------

@dataclass
class WebhookResult:
    event_id: str
    type: str
    outcome: str


def handle_webhook(raw_body: bytes, signature_header: str | None, *, now: datetime) -> WebhookResult:
    """Apply one Stripe webhook delivery. The signature is verified on the raw body (SignatureError
    otherwise, and nothing is stored); each event id is stored once under a unique constraint,
    so a redelivery, even a concurrent one, changes nothing. Event types we do not use are stored
    and ignored. Events may arrive in any order: a refund seen before its payment waits
    ("deferred") and is applied when the payment is. The caller commits.
    Raises gateway.SignatureError, gateway.GatewayError (retryable: answer 5xx so Stripe retries).
    """
    from . import webhooks

    event = get_gateway().construct_webhook_event(raw_body, signature_header)
    return webhooks.apply_event(event, now=now)
