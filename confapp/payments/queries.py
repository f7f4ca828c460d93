"""Read side: the receipt and the organiser's payment panel, each in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..events.models import Event
from ..extensions import db
from ..registration.models import Order, PaymentMethod, PaymentState, Registration, RegistrationStatus
from .models import RECEIVED_STATUSES, Payment, Refund, RefundStatus

METHOD_LABELS = {
    PaymentMethod.CARD.value: "Card (Stripe)",
    PaymentMethod.AT_DOOR.value: "Paid at the door",
    PaymentMethod.INVOICE.value: "Invoice / bank transfer",
}


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
    lines = [ReceiptLine(r.full_name or "Attendee", r.category.name, r.price_minor, r.status.label) for r in registrations]
    received = [ReceiptPayment(p.paid_at or p.created_at, METHOD_LABELS.get(p.method, p.method), p.amount_minor,
                               f"Payment {p.id}") for p in payments]
    unrecorded = order.paid_minor - sum(p.amount_minor for p in payments)
    if unrecorded > 0:
        # Money counted on the order without a Payment row (imported, or confirmed directly by
        # registration): the receipt still adds up.
        received.append(ReceiptPayment(order.updated_at or order.created_at,
                                       METHOD_LABELS.get(order.payment_method.value, "Recorded payment"), unrecorded,
                                       f"Order {order.code}"))
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

        return RefundForm(formdata=None)

    def new_paid_form(self):
        from .forms import MarkPaidForm

        return MarkPaidForm(formdata=None)

    def method_label(self, payment: Payment) -> str:
        return METHOD_LABELS.get(payment.method, payment.method)


def order_payment_panel(order: Order, event: Event) -> PaymentPanel:
    """2 queries: the order's payments (newest first) and refunds."""
    from .services import amount_due, refundable

    payments = db.session.scalars(
        select(Payment).where(Payment.order_id == order.id).order_by(Payment.id.desc())
    ).all()
    refunds = db.session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id.desc())).all()
    return PaymentPanel(order=order, event=event, payments=list(payments), refunds=list(refunds),
                        due_minor=amount_due(order), refundable_minor=refundable(order))
