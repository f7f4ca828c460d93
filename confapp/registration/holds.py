"""Money arrived or the hold gave up: confirming a paid order (re-checking capacity for a
lapsed hold), releasing expired holds, and what a cancellation would refund."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select

from ..audit.services import record
from ..errors import InvalidState
from ..events.models import Event
from ..extensions import db
from ..webhooks import outbox
from . import emails, pricing
from .capacity import lock_event, reserve_places
from .common import history, settings_for
from .models import Order, PaymentState, Registration, RegistrationStatus


def lock_order_rows(order: Order) -> Order:
    """Lock the order's row, then its registrations' rows in id order, and re-read them: what an
    approval, rejection, cancellation, confirmation or expiry decides is read after this, never
    before. The order row comes before the event row, as in payments (docs/development.md,
    "Locking rules"), so these paths never deadlock with each other."""
    order = db.session.scalars(
        select(Order).where(Order.id == order.id).with_for_update(key_share=True).execution_options(populate_existing=True)
    ).one()
    db.session.scalars(
        select(Registration).where(Registration.order_id == order.id).order_by(Registration.id)
        .with_for_update(key_share=True).execution_options(populate_existing=True)
    ).all()
    return order


def confirm_paid_order(order: Order, *, amount_minor: int, now: datetime, actor=None, send_email: bool = True) -> Order:
    """Money arrived for `order`. Registrations whose hold expired get their places back if
    free (re-checked under the capacity lock); otherwise SoldOut and nothing changes (the
    caller refunds). A cancelled or rejected order raises InvalidState. Idempotent for an
    order already paid: the amount is not counted twice."""
    order = lock_order_rows(order)
    event = db.session.get(Event, order.event_id)
    lock_event(event)
    if order.payment_state in (PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED):
        return order
    regs = list(order.registrations)
    live = [r for r in regs if r.status not in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED)]
    if not live:
        raise InvalidState(gettext("This order was cancelled; the payment must be refunded."))
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
    outbox.emit_order("order.paid", order, now=now)
    if send_email and any(r.status == RegistrationStatus.CONFIRMED for r in live):
        emails.send_confirmation(order)
    return order


def expire_order(order: Order, *, now: datetime, actor=None) -> Order:
    """Release the places an unpaid order holds (AWAITING_PAYMENT -> EXPIRED) and offer them
    to the waitlist. Idempotent: an order with nothing awaiting payment is left as it is."""
    from .waitlist import offer_freed_places

    # Same locks as confirm_paid_order, then re-read: a payment confirmed meanwhile wins.
    order = lock_order_rows(order)
    lock_event(db.session.get(Event, order.event_id))
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
