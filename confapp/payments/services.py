"""Payment rules: paying an order through Stripe Checkout, applying Stripe's webhooks, refunds
and offline payments.

Never charge twice: at most one live Checkout Session per order (a partial unique index),
created with an idempotency key derived from our Payment row; an open session is reused.
Never refund more than was received: refunds are capped under the order's row lock.
Stripe is called outside any transaction (start_checkout) or after commit (refunds, by a job),
never while a row lock is held. Lock order on these paths: the Order row, then (inside
registration's confirm_paid_order) the Event row; cancellation takes them in the same order.

This module records offline payments and takes webhook deliveries; the rest lives in
ledger.py (order lock, amounts, states), checkout.py (Stripe Checkout), refunds.py and
webhooks.py, re-exported here so callers import them from `confapp.payments.services`.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext

from ..accounts import permissions
from ..audit.services import SystemActor, actor_identity, record
from ..errors import InvalidState, NotAllowed, ValidationFailed
from ..extensions import db
from ..jobs import app_task
from ..money import with_code
from ..registration.common import history
from ..registration.holds import confirm_paid_order
from ..registration.models import Order, PaymentMethod, PaymentState, RegistrationStatus
from ..types import utcnow
from .checkout import (  # noqa: F401  (re-exported: callers import them from here)
    CREATING_WAIT_SECONDS, NOT_CONFIGURED, REUSE_MARGIN, STRIPE_MAX_SESSION, STRIPE_MIN_SESSION, PaymentUnavailable,
    abandon_checkout, card_payments_available, check_payable, start_checkout,
)
from .gateway import get_gateway
from .ledger import (  # noqa: F401
    refresh_order_state, refresh_payment_state, amount_due, live_payment, lock_order, refundable,
)
from .models import Payment, PaymentProvider, PaymentStatus
from .refunds import refund_order, submit_refund  # noqa: F401
from . import webhooks
from .webhooks import WebhookResult  # noqa: F401

OFFLINE_METHODS = (PaymentMethod.AT_DOOR, PaymentMethod.INVOICE)


# --- offline payments ----------------------------------------------------------------------------------

def require_offline_payer(actor, order: Order, method: PaymentMethod, *, now: datetime) -> None:
    """Who may record money received offline: the event's organisers (MANAGE_PAYMENTS) by any
    offline method; at the door also its check-in staff (CHECK_IN) and a volunteer link for its
    desk that is valid now; the system (jobs, demo data) always. Raises NotAllowed otherwise:
    the service checks this itself instead of trusting its callers."""
    if isinstance(actor, SystemActor):
        return
    event = order.event
    if permissions.can(actor, permissions.Action.MANAGE_PAYMENTS, event):
        return
    if method == PaymentMethod.AT_DOOR:
        if permissions.can(actor, permissions.Action.CHECK_IN, event):
            return
        # A volunteer link (checkin's LinkActor) is no user: it answers for its own event and time.
        desk_allows = getattr(actor, "desk_allows", None)
        if desk_allows is not None and desk_allows(event.id, now):
            return
    raise NotAllowed(gettext("You may not record payments for this event."))


def mark_paid_offline(order: Order, *, amount_minor: int | None = None, method: PaymentMethod | str, actor,
                      now: datetime, note: str = "") -> Payment:
    """Staff record money received at the door or by invoice / bank transfer.

    Rules: method is at_door or invoice; the amount (default: all that is due) is positive and
    no more than is due; the order's registrations are confirmed through registration's
    confirm_paid_order (late orders re-check capacity). The actor must be allowed to take this
    payment (`require_offline_payer`). Raises NotAllowed, ValidationFailed, InvalidState, SoldOut.
    """
    method = PaymentMethod(method)
    if method not in OFFLINE_METHODS:
        raise ValidationFailed({"method": gettext("Choose at the door or invoice.")})
    require_offline_payer(actor, order, method, now=now)
    order = lock_order(order)
    due = amount_due(order)
    if order.payment_state in (PaymentState.WAIVED, PaymentState.NOT_REQUIRED) or due == 0:
        raise InvalidState(gettext("Nothing is due for this order."))
    if not any(r.status not in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED) for r in order.registrations):
        raise InvalidState(gettext("This order was cancelled: there is nothing to pay for."))
    amount = due if amount_minor is None else int(amount_minor)
    if amount <= 0:
        raise ValidationFailed({"amount": gettext("Enter an amount greater than zero.")})
    if amount > due:
        raise ValidationFailed({"amount": gettext("At most %(amount)s is due.", amount=with_code(due, order.currency))})
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
        history(order, "paid", actor=actor, now=now, note=f"Part payment {with_code(amount, order.currency)}")
    order.payment_method = method
    refresh_order_state(order)
    db.session.flush()
    record("payments.marked_paid", actor=actor, event=order.event, target=order,
           details={"payment_id": payment.id, "method": method.value, "amount_minor": amount}, now=now)
    return payment


# Refund jobs are queued by refunds.submit_refund_task. A job's name carries its module path,
# so this one stays for jobs queued under the old name before an upgrade.
@app_task(retries=5, retry_delay=60)
def submit_refund_task(refund_id: int) -> None:
    submit_refund(refund_id, now=utcnow())


# --- webhooks ------------------------------------------------------------------------------------------------

def handle_webhook(raw_body: bytes, signature_header: str | None, *, now: datetime) -> WebhookResult:
    """Apply one Stripe webhook delivery. The signature is verified on the raw body (SignatureError
    otherwise, and nothing is stored); each event id is stored once under a unique constraint,
    so a redelivery, even a concurrent one, changes nothing. Event types we do not use are stored
    and ignored. Events may arrive in any order: a refund seen before its payment waits
    ("deferred") and is applied when the payment is. The caller commits.
    Raises gateway.SignatureError, gateway.MalformedEvent (an unreadable payload, signed or not: answer 400),
    gateway.GatewayError (retryable: answer 5xx so Stripe retries).
    """
    event = get_gateway().construct_webhook_event(raw_body, signature_header)
    return webhooks.apply_event(event, now=now)
