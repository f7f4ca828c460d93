"""Links to payment pages that work without an account (receipts), built on registration's
signed order token so one secret link scheme covers the buyer's pages."""
from __future__ import annotations

from ..registration.links import order_code_from_token, order_token
from ..urls import external_url


def receipt_token(order) -> str:
    return order_token(order)


def order_code(token: str) -> str | None:
    """The code of the order this signed order token belongs to, or None for anything else."""
    return order_code_from_token(token) if token else None


def token_matches(order, token: str) -> bool:
    return bool(token) and order_code_from_token(token) == order.code


def receipt_url(order, event) -> str:
    return external_url("payments.receipt", slug=event.slug, code=order.code, token=receipt_token(order))


def receipt_pdf_url(order, event) -> str:
    return external_url("payments.receipt_pdf", slug=event.slug, code=order.code, token=receipt_token(order))
