"""An order's money as the payment rules see it: its row lock, what is due, what may be
refunded, the live checkout, and keeping order and payment states in step with the amounts."""
from __future__ import annotations


from sqlalchemy import select

from ..extensions import db
from ..registration.models import Order, PaymentState
from .models import LIVE_STATUSES, RECEIVED_STATUSES, Payment, PaymentStatus


def lock_order(order: Order) -> Order:
    """The order's row lock: every change to its money happens under it."""
    return db.session.scalars(
        select(Order).where(Order.id == order.id).with_for_update().execution_options(populate_existing=True)
    ).one()


def amount_due(order: Order) -> int:
    return max(order.total_minor - order.paid_minor, 0)


def refresh_order_state(order: Order) -> None:
    if order.paid_minor <= 0:
        return
    if order.refunded_minor >= order.paid_minor:
        order.payment_state = PaymentState.REFUNDED
    elif order.refunded_minor > 0:
        order.payment_state = PaymentState.PARTIALLY_REFUNDED
    elif order.paid_minor >= order.total_minor:
        order.payment_state = PaymentState.PAID


def refresh_payment_state(payment: Payment) -> None:
    if payment.status not in RECEIVED_STATUSES:
        return
    if payment.refunded_minor >= payment.amount_minor:
        payment.status = PaymentStatus.REFUNDED
    elif payment.refunded_minor > 0:
        payment.status = PaymentStatus.PARTIALLY_REFUNDED
    else:
        payment.status = PaymentStatus.PAID


def refundable(order: Order) -> int:
    """What may still be refunded: received minus refunded (including refunds in flight)."""
    return max(order.paid_minor - order.refunded_minor, 0)


def live_payment(order: Order) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id, Payment.status.in_(LIVE_STATUSES)))
