"""Payments: money received for an Order (card through Stripe Checkout, or offline), refunds,
and the Stripe webhook events we have seen.

Amounts are integer minor units with an ISO currency, like the Order they belong to.
The Order keeps the totals (paid_minor, refunded_minor, payment_state); these rows are
the evidence behind them and the receipt's lines.
"""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import StrEnumType, UTCDateTime, utcnow


class PaymentProvider(enum.StrEnum):
    STRIPE = "stripe"
    OFFLINE = "offline"  # at the door, invoice / bank transfer: recorded by staff


class PaymentStatus(enum.StrEnum):
    # Row written, Checkout Session being created at Stripe (the row reserves the slot:
    # at most one CREATING/OPEN payment per order, enforced by a partial unique index).
    CREATING = "creating"
    OPEN = "open"  # Checkout page usable until session_expires_at
    PAID = "paid"
    EXPIRED = "expired"  # the Checkout Session expired unpaid
    FAILED = "failed"  # Stripe refused to create the session
    REFUNDED = "refunded"  # paid, then refunded in full
    PARTIALLY_REFUNDED = "partially_refunded"

    @property
    def label(self) -> str:
        return {"creating": gettext("Creating"), "open": gettext("Open"), "paid": gettext("Paid"), "expired": gettext("Expired"),
                "failed": gettext("Failed"), "refunded": gettext("Refunded"),
                "partially_refunded": gettext("Partially refunded")}[self.value]


# The states in which a payment page exists or is being made for the order.
LIVE_STATUSES = (PaymentStatus.CREATING, PaymentStatus.OPEN)
# The states in which money was received.
RECEIVED_STATUSES = (PaymentStatus.PAID, PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED)


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (
        # Never two payment pages at once for one order: a double click cannot open two sessions.
        Index(
            "uq_payments_one_live_per_order",
            "order_id",
            unique=True,
            sqlite_where=text("status IN ('creating', 'open')"),
            postgresql_where=text("status IN ('creating', 'open')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    provider: Mapped[PaymentProvider] = mapped_column(StrEnumType(PaymentProvider))
    method: Mapped[str] = mapped_column(String(20))  # PaymentMethod value: card, at_door, invoice
    status: Mapped[PaymentStatus] = mapped_column(StrEnumType(PaymentStatus))
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    refunded_minor: Mapped[int] = mapped_column(Integer, default=0)
    stripe_checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    checkout_url: Mapped[str] = mapped_column(String(2000), default="")
    session_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failure_message: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(String(300), default="")  # e.g. invoice number; no personal data
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_by_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    order: Mapped["Order"] = relationship()
    refunds: Mapped[list["Refund"]] = relationship(back_populates="payment", order_by="Refund.id")

    @property
    def refundable_minor(self) -> int:
        if self.status not in RECEIVED_STATUSES:
            return 0
        return max(self.amount_minor - self.refunded_minor, 0)


class RefundStatus(enum.StrEnum):
    PENDING = "pending"  # recorded; the Stripe call runs after commit
    SUBMITTED = "submitted"  # Stripe accepted it and is still processing
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # Stripe refused: the amount went back to refundable

    @property
    def label(self) -> str:
        return {"pending": gettext("Pending"), "submitted": gettext("Submitted"), "succeeded": gettext("Succeeded"),
                "failed": gettext("Failed")}[self.value]


# Refunds that count against what may still be refunded.
COUNTED_REFUND_STATUSES = (RefundStatus.PENDING, RefundStatus.SUBMITTED, RefundStatus.SUCCEEDED)


class Refund(db.Model):
    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[RefundStatus] = mapped_column(StrEnumType(RefundStatus))
    # Why, in words staff chose or a fixed reason key ("sold_out", "cancellation"); no personal data.
    reason: Mapped[str] = mapped_column(String(300), default="")
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    failure_message: Mapped[str] = mapped_column(String(300), default="")
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    payment: Mapped[Payment] = relationship(back_populates="refunds")


class StripeEvent(db.Model):
    """Each Stripe webhook event id, stored once: a redelivery finds its row and changes nothing.

    `data` keeps only the identifiers and amounts the handler needs (never the customer's
    details), so an event that arrived before the payment it refers to can be applied later.
    """

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    stripe_event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # applied, ignored, deferred (waiting for the payment it refers to), duplicate-free by design
    outcome: Mapped[str] = mapped_column(String(40), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
