"""Applying verified Stripe events, each once and in any order (services.handle_webhook verifies).

Outcomes stored on StripeEvent: applied, refunded_sold_out, refunded_duplicate, hold_released,
session_expired, already_applied, deferred (a refund seen before its payment), ignored,
unknown_session.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import SYSTEM, record
from ..errors import InvalidState, SoldOut
from ..extensions import db
from ..inputs import MAX_ID, as_id
from ..money import with_code
from ..registration.common import history
from ..registration.holds import confirm_paid_order, expire_order
from ..registration.models import Order, PaymentMethod, PaymentState
from .gateway import MalformedEvent, PaymentIntentInfo, from_stripe_amount, get_gateway
from .models import (
    COUNTED_REFUND_STATUSES, LIVE_STATUSES, RECEIVED_STATUSES, Payment, PaymentStatus, Refund, RefundStatus,
    StripeEvent,
)
from .ledger import refresh_order_state, refresh_payment_state, live_payment, lock_order
from .refunds import refund_order

log = logging.getLogger(__name__)

COMPLETED = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
EXPIRED = "checkout.session.expired"
REFUNDED = "charge.refunded"
FAILED = "payment_intent.payment_failed"
HANDLED = (*COMPLETED, EXPIRED, REFUNDED, FAILED)


def _amount(value, currency: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise ValueError(f"not an amount: {value!r}")
    return from_stripe_amount(value, currency)


def _text(value) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > 255):
        raise TypeError(f"not an identifier: {type(value).__name__}")
    return value


def _extract(event: dict) -> tuple[dict, str | None]:
    """The identifiers and amounts we use, never the customer's details. Raises MalformedEvent
    when a field is not of its kind (an amount that is not a whole number, an object that is not one)."""
    try:
        return _read(event)
    except (AttributeError, TypeError, ValueError) as error:
        raise MalformedEvent(f"unreadable {event.get('type')} event") from error


def _read(event: dict) -> tuple[dict, str | None]:
    obj = (event.get("data") or {}).get("object") or {}
    kind = event.get("type", "")
    metadata = {k: str(v)[:255] for k, v in (obj.get("metadata") or {}).items() if k in ("order_code", "payment_id", "event_id")}
    intent = obj.get("payment_intent")
    intent = _text(intent.get("id") if isinstance(intent, dict) else intent)
    # Amounts are stored (and replayed) in confapp's minor units, not Stripe's.
    currency = (_text(obj.get("currency")) or "").upper()
    if kind.startswith("checkout.session."):
        data = {"session_id": _text(obj.get("id")), "payment_intent": intent, "payment_status": _text(obj.get("payment_status")),
                "amount_total": _amount(obj.get("amount_total"), currency), "currency": currency,
                "client_reference_id": _text(obj.get("client_reference_id")), "metadata": metadata}
        return data, intent
    if kind == REFUNDED:
        refunds = [{"id": _text(r.get("id")), "amount": _amount(r.get("amount"), currency), "status": _text(r.get("status")),
                    "confapp_refund_id": _text((r.get("metadata") or {}).get("confapp_refund_id"))}
                   for r in ((obj.get("refunds") or {}).get("data") or [])]
        data = {"charge_id": _text(obj.get("id")), "payment_intent": intent,
                "amount_refunded": _amount(obj.get("amount_refunded"), currency) or 0, "currency": currency, "refunds": refunds}
        return data, intent
    if kind == FAILED:
        error = obj.get("last_payment_error") or {}
        data = {"payment_intent": _text(obj.get("id")), "metadata": metadata,
                "message": str(error.get("message") or error.get("code") or "The payment failed.")[:200]}
        return data, data["payment_intent"]
    return {}, None


class WebhookOutcome(StrEnum):
    """What applying one Stripe event did; stored on its StripeEvent row and logged."""
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    DEFERRED = "deferred"
    UNKNOWN_SESSION = "unknown_session"
    ALREADY_APPLIED = "already_applied"
    AWAITING_ASYNC_PAYMENT = "awaiting_async_payment"
    PAYMENT_NOT_SUCCEEDED = "payment_not_succeeded"
    CURRENCY_MISMATCH = "currency_mismatch"
    APPLIED = "applied"
    ALREADY_PAID = "already_paid"
    HOLD_RELEASED = "hold_released"
    SESSION_EXPIRED = "session_expired"
    UNKNOWN_PAYMENT = "unknown_payment"
    REFUNDED_SOLD_OUT = "refunded_sold_out"  # paid after the hold lapsed, and no place was left
    REFUNDED_ORDER_CLOSED = "refunded_order_closed"  # paid for an order cancelled meanwhile
    REFUNDED_DUPLICATE = "refunded_duplicate"  # a second payment for an order already paid


@dataclass
class WebhookResult:
    event_id: str
    type: str
    outcome: WebhookOutcome


def apply_event(event: dict, *, now: datetime) -> WebhookResult:
    kind = event["type"]
    data, intent_id = _extract(event)
    intent = None
    if kind in COMPLETED and data.get("payment_intent"):
        # Stripe is asked before any database work: no transaction is open while it answers.
        intent = get_gateway().retrieve_payment_intent(data["payment_intent"])
    stored = StripeEvent(stripe_event_id=event["id"], type=kind[:100], payment_intent_id=intent_id, data=data,
                         received_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(stored)
    except IntegrityError:
        return WebhookResult(event["id"], kind, WebhookOutcome.DUPLICATE)
    outcome = _dispatch(kind, data, intent, now=now) if kind in HANDLED else WebhookOutcome.IGNORED
    stored.outcome = outcome.value
    stored.processed_at = None if outcome == WebhookOutcome.DEFERRED else now
    db.session.flush()
    log.info("stripe event %s (%s): %s", event["id"], kind, outcome)
    return WebhookResult(event["id"], kind, outcome)


def _dispatch(kind: str, data: dict, intent: PaymentIntentInfo | None, *, now: datetime) -> WebhookOutcome:
    if kind in COMPLETED:
        return _on_completed(data, intent, now=now)
    if kind == EXPIRED:
        return _on_expired(data, now=now)
    if kind == REFUNDED:
        return _on_refunded(data, now=now)
    return _on_failed(data, now=now)


def _checkout_payment(data: dict) -> Payment | None:
    payment = None
    if data.get("session_id"):
        payment = db.session.scalar(select(Payment).where(Payment.stripe_checkout_session_id == data["session_id"]))
    payment_id = (data.get("metadata") or {}).get("payment_id")
    if payment is None and as_id(payment_id) is not None:
        payment = db.session.get(Payment, as_id(payment_id))
        # The row must belong to the order the session names: metadata is ours, but be strict.
        if payment is not None and payment.order.code != (data.get("metadata") or {}).get("order_code"):
            payment = None
    return payment


def _on_completed(data: dict, intent: PaymentIntentInfo | None, *, now: datetime) -> WebhookOutcome:
    payment = _checkout_payment(data)
    if payment is None:
        log.warning("checkout session completed for no payment of ours")
        return WebhookOutcome.UNKNOWN_SESSION
    order = lock_order(payment.order)
    db.session.refresh(payment)
    if payment.status in RECEIVED_STATUSES:
        return WebhookOutcome.ALREADY_APPLIED
    if data.get("payment_status") not in ("paid", "no_payment_required"):
        return WebhookOutcome.AWAITING_ASYNC_PAYMENT
    if intent is not None and intent.status != "succeeded":
        return WebhookOutcome.PAYMENT_NOT_SUCCEEDED
    amount = intent.amount_received if intent is not None else int(data.get("amount_total") or 0)
    currency = (intent.currency if intent is not None else data.get("currency")) or payment.currency
    if currency.upper() != order.currency.upper():
        log.error("checkout session currency does not match the order")
        return WebhookOutcome.CURRENCY_MISMATCH
    payment.status = PaymentStatus.PAID
    payment.amount_minor = amount
    payment.stripe_checkout_session_id = payment.stripe_checkout_session_id or data.get("session_id")
    payment.stripe_payment_intent_id = data.get("payment_intent")
    payment.paid_at = now
    db.session.flush()
    outcome = _settle(order, payment, now=now)
    _replay_deferred(payment, now=now)
    return outcome


def _settle(order: Order, payment: Payment, *, now: datetime) -> WebhookOutcome:
    """Hand the money to registration; when no place can be given (or the order is already
    paid or cancelled), keep the books straight and refund it all with an apology."""
    from .emails import send_late_payment_refund

    amount = payment.amount_minor
    before = order.paid_minor
    try:
        with db.session.begin_nested():
            confirm_paid_order(order, amount_minor=amount, now=now, actor=SYSTEM)
    except (SoldOut, InvalidState) as error:
        reason = "sold_out" if isinstance(error, SoldOut) else "order_closed"
    else:
        if order.paid_minor != before:
            order.payment_method = PaymentMethod.CARD
            refresh_order_state(order)
            history(order, "card_payment", actor=SYSTEM, now=now, note=f"Paid {with_code(amount, order.currency)} by card")
            return WebhookOutcome.APPLIED
        reason = "duplicate"
    order = lock_order(order)
    order.paid_minor += amount
    refresh_order_state(order)
    history(order, "card_payment", actor=SYSTEM, now=now,
             note=f"Received {with_code(amount, order.currency)} by card; refunded ({reason.replace('_', ' ')})")
    refund_order(order, amount, actor=SYSTEM, reason={
        "sold_out": "No place was left when the payment arrived after the hold expired",
        "order_closed": "The order was cancelled before the payment arrived",
        "duplicate": "The order was already paid",
    }[reason], now=now)
    record("payments.auto_refund", actor=SYSTEM, event=order.event, target=order,
           details={"payment_id": payment.id, "amount_minor": amount, "reason": reason}, now=now)
    send_late_payment_refund(order, amount, reason=reason)
    return WebhookOutcome(f"refunded_{reason}")


def _replay_deferred(payment: Payment, *, now: datetime) -> None:
    waiting = db.session.scalars(
        select(StripeEvent).where(StripeEvent.payment_intent_id == payment.stripe_payment_intent_id,
                                  StripeEvent.outcome == WebhookOutcome.DEFERRED).order_by(StripeEvent.id)
    ).all()
    for stored in waiting:
        stored.outcome = _on_refunded(stored.data, now=now).value
        stored.processed_at = now


def _on_expired(data: dict, *, now: datetime) -> WebhookOutcome:
    payment = _checkout_payment(data)
    if payment is None:
        return WebhookOutcome.UNKNOWN_SESSION
    order = lock_order(payment.order)
    db.session.refresh(payment)
    if payment.status in RECEIVED_STATUSES:
        return WebhookOutcome.ALREADY_PAID
    if payment.status in LIVE_STATUSES:
        payment.status = PaymentStatus.EXPIRED
        db.session.flush()
    hold_over = order.hold_expires_at is None or order.hold_expires_at <= now
    if order.payment_state == PaymentState.UNPAID and live_payment(order) is None and hold_over:
        expire_order(order, now=now, actor=SYSTEM)
        return WebhookOutcome.HOLD_RELEASED
    return WebhookOutcome.SESSION_EXPIRED


def _on_refunded(data: dict, *, now: datetime) -> WebhookOutcome:
    intent_id = data.get("payment_intent")
    payment = db.session.scalar(select(Payment).where(Payment.stripe_payment_intent_id == intent_id)) if intent_id else None
    if payment is None or payment.status not in RECEIVED_STATUSES:
        return WebhookOutcome.DEFERRED
    order = lock_order(payment.order)
    db.session.refresh(payment)
    refunds = list(db.session.scalars(select(Refund).where(Refund.payment_id == payment.id)))
    by_stripe = {r.stripe_refund_id: r for r in refunds if r.stripe_refund_id}
    by_ours = {str(r.id): r for r in refunds}
    for listed in data.get("refunds") or []:
        ours = by_stripe.get(listed.get("id")) or by_ours.get(str(listed.get("confapp_refund_id") or ""))
        if ours is None or ours.status not in COUNTED_REFUND_STATUSES:
            continue
        ours.stripe_refund_id = ours.stripe_refund_id or listed.get("id")
        if listed.get("status") == "succeeded" and ours.status != RefundStatus.SUCCEEDED:
            ours.status, ours.completed_at = RefundStatus.SUCCEEDED, now
    total = int(data.get("amount_refunded") or 0)
    counted = sum(r.amount_minor for r in refunds if r.status in COUNTED_REFUND_STATUSES)
    if total >= counted:
        for r in refunds:
            if r.status in (RefundStatus.PENDING, RefundStatus.SUBMITTED):
                r.status, r.completed_at = RefundStatus.SUCCEEDED, now
    if total > counted:
        # Refunded outside confapp (the Stripe dashboard): record it so the books match Stripe.
        extra = min(total - counted, payment.amount_minor - payment.refunded_minor)
        if extra > 0:
            db.session.add(Refund(payment_id=payment.id, order_id=order.id, amount_minor=extra, currency=payment.currency,
                                  status=RefundStatus.SUCCEEDED, reason="Refunded in the Stripe dashboard",
                                  actor_label="Stripe", created_at=now, completed_at=now))
            payment.refunded_minor += extra
            order.refunded_minor += extra
            refresh_payment_state(payment)
            refresh_order_state(order)
            history(order, "refund", actor=SYSTEM, now=now, note=f"Refunded {with_code(extra, order.currency)} in Stripe")
    db.session.flush()
    return WebhookOutcome.APPLIED


def _on_failed(data: dict, *, now: datetime) -> WebhookOutcome:
    intent_id = data.get("payment_intent")
    payment = db.session.scalar(select(Payment).where(Payment.stripe_payment_intent_id == intent_id)) if intent_id else None
    if payment is None:
        payment = _checkout_payment({"metadata": data.get("metadata") or {}})
    if payment is None:
        return WebhookOutcome.UNKNOWN_PAYMENT
    if payment.status in RECEIVED_STATUSES:
        return WebhookOutcome.ALREADY_PAID
    payment.failure_message = data.get("message") or "The payment failed."
    if payment.stripe_payment_intent_id is None:
        payment.stripe_payment_intent_id = intent_id
    history(payment.order, "payment_failed", actor=SYSTEM, now=now, note="A card payment attempt failed")
    db.session.flush()
    return WebhookOutcome.APPLIED
