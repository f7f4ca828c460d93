"""Signed links that need no account: the attendee's self-service page and the buyer's order page.

Each link is a secret that belongs to one person: the ticket token to the attendee (their own
ticket only), the order token to the buyer (the order, its attendees, paying and receipts). The
order code printed in emails is a reference, never a key. A page reached by one person's secret
may link to another secret only when both go to the same mailbox: an attendee who also placed
the order is its buyer; any other attendee never sees the order token."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..urls import external_url


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def ticket_token(registration) -> str:
    return _serializer("registration-self-service").dumps(registration.ticket_code)


def ticket_code_from_token(token: str) -> str | None:
    try:
        return _serializer("registration-self-service").loads(token)
    except BadSignature:
        return None


def order_token(order) -> str:
    return _serializer("registration-order").dumps(order.code)


def order_code_from_token(token: str) -> str | None:
    try:
        return _serializer("registration-order").loads(token)
    except BadSignature:
        return None


def is_buyer(registration) -> bool:
    """The attendee's email is the order's buyer email: the order's links already reach this mailbox."""
    email = (registration.email or "").strip().lower()
    return bool(email) and email == (registration.order.buyer_email or "").strip().lower()


def self_service_url(registration, event) -> str:
    return external_url("registration.ticket_page", slug=event.slug, token=ticket_token(registration))


def order_url(order, event) -> str:
    return external_url("registration.order_page", slug=event.slug, token=order_token(order))


def payment_url(order, event) -> str:
    """Payments' checkout start for the order (the buyer's, like the order page)."""
    return external_url("payments.checkout_start", slug=event.slug, token=order_token(order))


def receipt_url(order, event) -> str:
    return external_url("payments.receipt", slug=event.slug, code=order.code, token=order_token(order))
