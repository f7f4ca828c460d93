"""Read side: the receipt and the organiser's payment panel, each in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..events.content_languages import tr
from ..events.models import Event
from ..extensions import db
from ..registration.models import Order, PaymentMethod, PaymentState, Registration, RegistrationStatus
from .models import RECEIVED_STATUSES, Payment, Refund, RefundStatus

METHOD_LABELS = {
    PaymentMethod.CARD.value: _l("Card (Stripe)"),
    PaymentMethod.AT_DOOR.value: _l("Paid at the door"),
    PaymentMethod.INVOICE.value: _l("Invoice / bank transfer"),
}


# Refund reasons the code writes are stored in English (jobs and webhooks write them too); the
# organiser's payment box shows them in the interface's language. An organiser's own reason is
# shown as typed.
REFUND_REASONS = {
    "Registration cancelled": _l("Registration cancelled"),
    "Cancelled by the attendee": _l("Cancelled by the attendee"),
    "Refunded in the Stripe dashboard": _l("Refunded in the Stripe dashboard"),
    "No place was left when the payment arrived after the hold expired":
        _l("No place was left when the payment arrived after the hold expired"),
    "The order was cancelled before the payment arrived": _l("The order was cancelled before the payment arrived"),
    "The order was already paid": _l("The order was already paid"),
}


def refund_reason(reason: str) -> str:
    return str(REFUND_REASONS.get(reason, reason or ""))


def method_label(payment: Payment) -> str:
    """How a payment was made, in words (the order panel, the event's payments list, receipts)."""
    return str(METHOD_LABELS.get(payment.method, payment.method))


def order_for_event(event: Event, code: str) -> Order | None:
    return db.session.scalar(
        select(Order).where(Order.event_id == event.id, Order.code == code)
        .options(selectinload(Order.registrations).selectinload(Registration.category))
    )


@dataclass
class ReceiptLine:
    attendee: str
    category: str
    amount_minor: int
    status: str


@dataclass
class ReceiptPayment:
    date: object
    method: str
    amount_minor: int
    reference: str


@dataclass
class ReceiptRefund:
    date: object
    amount_minor: int
    status: str


@dataclass
class Receipt:
    order: Order
    event: Event
    lines: list[ReceiptLine]
    payments: list[ReceiptPayment]
    refunds: list[ReceiptRefund]
    currency: str
    subtotal_minor: int
    discount_minor: int
    total_minor: int
    paid_minor: int
    refunded_minor: int

    @property
    def net_minor(self) -> int:
        return self.paid_minor - self.refunded_minor

    @property
    def number(self) -> str:
        return self.order.code


def has_receipt(order: Order) -> bool:
    """Every order that received money has a receipt (also after a full refund)."""
    return order.paid_minor > 0


def receipt_for(order: Order, event: Event) -> Receipt:
    """Everything a receipt shows: 3 queries (registrations with categories, payments, refunds)."""
    registrations = db.session.scalars(
        select(Registration).where(Registration.order_id == order.id).options(selectinload(Registration.category))
        .order_by(Registration.id)
    ).all()
    payments = db.session.scalars(
        select(Payment).where(Payment.order_id == order.id, Payment.status.in_(RECEIVED_STATUSES)).order_by(Payment.id)
    ).all()
    refunds = db.session.scalars(
        select(Refund).where(Refund.order_id == order.id, Refund.status != RefundStatus.FAILED).order_by(Refund.id)
    ).all()
    lines = [ReceiptLine(r.full_name or gettext("Attendee"), tr(r.category, "name", event=event), r.price_minor, r.status.label) for r in registrations]
    received = [ReceiptPayment(p.paid_at or p.created_at, method_label(p), p.amount_minor,
                               gettext("Payment %(number)s", number=p.id)) for p in payments]
    unrecorded = order.paid_minor - sum(p.amount_minor for p in payments)
    if unrecorded > 0:
        # Money counted on the order without a Payment row (imported, or confirmed directly by
        # registration): the receipt still adds up.
        received.append(ReceiptPayment(order.updated_at or order.created_at,
                                       str(METHOD_LABELS.get(order.payment_method.value, _l("Recorded payment"))), unrecorded,
                                       gettext("Order %(code)s", code=order.code)))
    return Receipt(
        order=order, event=event, lines=lines,
        payments=received,
        refunds=[ReceiptRefund(r.completed_at or r.created_at, r.amount_minor, r.status.label) for r in refunds],
        currency=order.currency, subtotal_minor=order.subtotal_minor, discount_minor=order.discount_minor,
        total_minor=order.total_minor, paid_minor=order.paid_minor, refunded_minor=order.refunded_minor,
    )


@dataclass
class PaymentPanel:
    """What the organiser's payment box shows for one order (see templates/payments/_order_panel.html)."""

    order: Order
    event: Event
    payments: list[Payment] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    due_minor: int = 0
    refundable_minor: int = 0

    @property
    def can_mark_paid(self) -> bool:
        return self.due_minor > 0 and self.order.payment_state not in (PaymentState.WAIVED, PaymentState.NOT_REQUIRED) \
            and any(r.status not in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED)
                    for r in self.order.registrations)

    @property
    def can_refund(self) -> bool:
        return self.refundable_minor > 0

    @property
    def has_receipt(self) -> bool:
        return has_receipt(self.order)

    def new_refund_form(self):
        from .forms import RefundForm

        return RefundForm(formdata=None, currency=self.order.currency)

    def new_paid_form(self):
        from .forms import MarkPaidForm

        return MarkPaidForm(formdata=None, currency=self.order.currency)

    def method_label(self, payment: Payment) -> str:
        return method_label(payment)

    def reason_label(self, refund: Refund) -> str:
        return refund_reason(refund.reason)


def order_payment_panel(order: Order, event: Event) -> PaymentPanel:
    """2 queries: the order's payments (newest first) and refunds."""
    from .services import amount_due, refundable

    payments = db.session.scalars(
        select(Payment).where(Payment.order_id == order.id).order_by(Payment.id.desc())
    ).all()
    refunds = db.session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id.desc())).all()
    return PaymentPanel(order=order, event=event, payments=list(payments), refunds=list(refunds),
                        due_minor=amount_due(order), refundable_minor=refundable(order))


@dataclass
class MethodTotal:
    method: str
    count: int
    amount_minor: int


@dataclass
class PaymentRow:
    payment: Payment
    order_code: str
    buyer_name: str


@dataclass
class RefundRow:
    refund: Refund
    order_code: str


@dataclass
class EventPayments:
    """The organiser's payments page for one event: totals, refunds needing attention, the list."""

    currency: str
    by_method: list[MethodTotal]
    refunded_minor: int
    attention: list[RefundRow]
    rows: list[PaymentRow]
    page: int
    pages: int

    @property
    def received_minor(self) -> int:
        return sum(t.amount_minor for t in self.by_method)

    @property
    def net_minor(self) -> int:
        return self.received_minor - self.refunded_minor


def event_payments(event: Event, *, page: int = 1, per_page: int = 50, now=None) -> EventPayments:
    """5 queries whatever the number of payments: totals by method, refunded total, refunds
    needing attention (failed, or pending for more than 10 minutes), the count, one page."""
    from datetime import timedelta

    from sqlalchemy import func

    from ..types import utcnow

    now = now or utcnow()
    received = (Payment.event_id == event.id) & Payment.status.in_(RECEIVED_STATUSES)
    by_method = [MethodTotal(str(METHOD_LABELS.get(m, m)), c, a or 0) for m, c, a in db.session.execute(
        select(Payment.method, func.count(Payment.id), func.sum(Payment.amount_minor)).where(received)
        .group_by(Payment.method).order_by(Payment.method))]
    refunded = db.session.scalar(
        select(func.coalesce(func.sum(Refund.amount_minor), 0)).join(Payment, Refund.payment_id == Payment.id)
        .where(Payment.event_id == event.id, Refund.status != RefundStatus.FAILED)) or 0
    attention = [RefundRow(r, code) for r, code in db.session.execute(
        select(Refund, Order.code).join(Payment, Refund.payment_id == Payment.id).join(Order, Order.id == Refund.order_id)
        .where(Payment.event_id == event.id,
               (Refund.status == RefundStatus.FAILED)
               | ((Refund.status == RefundStatus.PENDING) & (Refund.created_at <= now - timedelta(minutes=10))))
        .order_by(Refund.id.desc()).limit(50))]
    total = db.session.scalar(select(func.count(Payment.id)).where(Payment.event_id == event.id)) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    rows = [PaymentRow(p, code, name) for p, code, name in db.session.execute(
        select(Payment, Order.code, Order.buyer_name).join(Order, Order.id == Payment.order_id)
        .where(Payment.event_id == event.id).order_by(Payment.id.desc())
        .offset((page - 1) * per_page).limit(per_page))]
    currency = rows[0].payment.currency if rows else "USD"
    return EventPayments(currency=currency, by_method=by_method, refunded_minor=refunded, attention=attention,
                         rows=rows, page=page, pages=pages)
