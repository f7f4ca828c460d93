"""Refunds: capped at what was received under the order's row lock, card refunds sent to
Stripe by a job after commit (idempotently: the key is our refund id), a refusal at Stripe
giving the amount back to what may be refunded."""
from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select

from ..audit.services import SYSTEM, actor_identity, record
from ..errors import ValidationFailed
from ..extensions import db
from ..jobs import app_task, enqueue_after_commit
from ..money import plain, with_code
from ..registration.common import history
from ..registration.refunding import use_refunder
from ..registration.models import Order, PaymentMethod, PaymentState
from ..types import utcnow
from ..webhooks import outbox
from .gateway import GatewayError, get_gateway
from .ledger import refresh_order_state, refresh_payment_state, lock_order, refundable
from .models import RECEIVED_STATUSES, Payment, PaymentProvider, PaymentStatus, Refund, RefundStatus

log = logging.getLogger(__name__)


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
        raise ValidationFailed({"amount": gettext("Enter an amount greater than zero.")})
    order = lock_order(order)
    available = refundable(order)
    if amount > available:
        raise ValidationFailed({"amount": gettext("At most %(amount)s can be refunded.", amount=with_code(available, order.currency))})
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
        refresh_payment_state(payment)
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
        refresh_payment_state(manual)
        left = 0
    order.refunded_minor += amount
    order.updated_at = now
    refresh_order_state(order)
    db.session.flush()
    history(order, "refund", actor=actor, now=now, note=f"Refund {with_code(amount, order.currency)}")
    record("payments.refund_requested", actor=actor, event=order.event, target=order,
           details={"amount_minor": amount, "refund_ids": [r.id for r in refunds]}, now=now)
    outbox.emit_order("order.refunded", order, now=now, key=f"order.refunded:{refunds[0].id}", refund={"amount_minor": amount})
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
    refresh_payment_state(payment)
    order.refunded_minor = max(order.refunded_minor - refund.amount_minor, 0)
    if order.refunded_minor == 0 and order.paid_minor:
        order.payment_state = PaymentState.PAID if order.paid_minor >= order.total_minor else PaymentState.UNPAID
    refresh_order_state(order)
    history(order, "refund_failed", actor=SYSTEM, now=now, note=f"Refund {plain(refund.amount_minor, refund.currency)} failed")
    log.warning("refund %s failed at Stripe", refund_id)
    db.session.commit()


@app_task(retries=5, retry_delay=60)
def submit_refund_task(refund_id: int) -> None:
    submit_refund(refund_id, now=utcnow())


# Registration decides what a cancellation refunds; this is how it has payments pay it back.
use_refunder(refund_order)
