"""The one way registration has money paid back: registration decides what is refundable
(holds.refundable_amount, the cancellation rules); payments performs the refund.

Payments depends on registration (orders, confirmation, expiry), never the reverse, so payments
hands its refund function over when it is imported (payments/refunds.py); the application
factory imports every domain, so it is always there in a running app.
"""
from __future__ import annotations

from datetime import datetime
from typing import Protocol

from .models import Order


class Refunder(Protocol):
    def __call__(self, order: Order, amount_minor: int, *, actor, reason: str, now: datetime) -> object: ...


_refunder: Refunder | None = None


def use_refunder(refunder: Refunder) -> None:
    global _refunder
    _refunder = refunder


def refund(order: Order, amount_minor: int, *, actor, reason: str, now: datetime) -> None:
    """Pay `amount_minor` of the order back, under the order's row lock (payments caps it at what was received)."""
    if _refunder is None:
        raise RuntimeError("No refunder: confapp.payments.refunds has not been imported (create_app imports it).")
    _refunder(order, amount_minor, actor=actor, reason=reason, now=now)
