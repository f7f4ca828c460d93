"""Signed links that need no account: the attendee's self-service page and the buyer's order page."""
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


def self_service_url(registration, event) -> str:
    return external_url("registration.ticket_page", slug=event.slug, token=ticket_token(registration))


def order_url(order, event) -> str:
    return external_url("registration.order_page", slug=event.slug, token=order_token(order))


def payment_url(order, event) -> str:
    """Payments' checkout start when that module is installed, else the order page."""
    if "payments.checkout_start" in current_app.view_functions:
        return external_url("payments.checkout_start", slug=event.slug, code=order.code)
    return order_url(order, event)


def receipt_url(order, event) -> str | None:
    if "payments.receipt" in current_app.view_functions:
        return external_url("payments.receipt", slug=event.slug, code=order.code, token=order_token(order))
    return None
