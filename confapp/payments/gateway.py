"""The one module that talks to Stripe (and the only `import stripe` in confapp).

A thin layer over `stripe.StripeClient`: it turns Stripe objects into small dataclasses
and Stripe errors into `GatewayError`, so services never see the library.
STRIPE_API_BASE points it at another server (localstripe in the tests).

`checkout_sessions` is the client's Checkout Session service; localstripe has no Checkout,
so the tests replace that one attribute with a clearly named fake and keep the real
HTTP calls to localstripe for PaymentIntents and refunds.

Amounts: confapp counts in the ISO 4217 minor unit (`confapp.money.exponent`); Stripe counts
in its own smallest unit per currency. Every amount crossing this module is converted with
`to_stripe_amount` / `from_stripe_amount`, and the dataclasses below carry confapp's units.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import stripe
from flask import current_app

from ..money import exponent

EXTENSION_KEY = "confapp_payment_gateway"

# Stripe's decimals per currency (https://docs.stripe.com/currencies, "Zero-decimal" and
# "Three-decimal"); every other currency is two-decimal at Stripe, including some that ISO
# 4217 gives no decimals (ISK: Stripe wants 5 ISK as 500).
STRIPE_ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND",
                                 "VUV", "XAF", "XOF", "XPF"})
STRIPE_THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


def stripe_exponent(currency: str) -> int:
    code = (currency or "").upper()
    return 0 if code in STRIPE_ZERO_DECIMAL else 3 if code in STRIPE_THREE_DECIMAL else 2


def to_stripe_amount(amount_minor: int, currency: str) -> int:
    """confapp minor units -> Stripe's `amount` (identical for USD, JPY, KWD; x100 for ISK)."""
    shift = stripe_exponent(currency) - exponent(currency)
    if shift >= 0:
        return int(amount_minor) * 10 ** shift
    if int(amount_minor) % 10 ** -shift:
        raise GatewayError(f"{amount_minor} cannot be expressed in Stripe's unit for {currency}")
    return int(amount_minor) // 10 ** -shift


def from_stripe_amount(amount: int | None, currency: str) -> int:
    """Stripe's `amount` -> confapp minor units (the inverse of to_stripe_amount)."""
    shift = stripe_exponent(currency) - exponent(currency)
    value = int(amount or 0)
    return value // 10 ** shift if shift >= 0 else value * 10 ** -shift


class GatewayError(Exception):
    """Stripe refused or could not be reached. `retryable` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class SignatureError(Exception):
    """The webhook payload does not carry a valid signature for our secret."""


class MalformedEvent(Exception):
    """The webhook payload is not a Stripe event we can read (not UTF-8, not JSON, fields of the
    wrong kind), signed or not: answered 400, nothing stored."""


@dataclass
class CheckoutSession:
    id: str
    url: str
    status: str
    expires_at: datetime | None
    payment_intent: str | None = None


@dataclass
class PaymentIntentInfo:
    id: str
    status: str
    amount: int
    amount_received: int
    currency: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class RefundInfo:
    id: str
    status: str
    amount: int
    currency: str


def _get(obj: Any, name: str, default=None):
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _timestamp(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=timezone.utc) if value else None


def _id_of(value) -> str | None:
    # localstripe expands some references (latest_charge) where Stripe sends an id.
    if value is None or isinstance(value, str):
        return value
    return _get(value, "id")


class StripeGateway:
    def __init__(self, secret_key: str, *, api_base: str | None = None, webhook_secret: str = ""):
        self.configured = bool(secret_key)
        base_addresses = {"api": api_base} if api_base else {}
        self.client = stripe.StripeClient(secret_key or "sk_unset", base_addresses=base_addresses, max_network_retries=2)
        self.webhook_secret = webhook_secret
        self.checkout_sessions = self.client.v1.checkout.sessions

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (stripe.APIConnectionError, stripe.RateLimitError) as error:
            raise GatewayError(type(error).__name__, retryable=True) from error
        except stripe.StripeError as error:
            status = getattr(error, "http_status", None) or 0
            message = getattr(error, "user_message", None) or str(error) or type(error).__name__
            raise GatewayError(message[:300], retryable=status >= 500 or status == 409) from error

    def create_checkout_session(self, params: dict, *, idempotency_key: str) -> CheckoutSession:
        session = self._call(self.checkout_sessions.create, params=params, options={"idempotency_key": idempotency_key})
        return self._session(session)

    def expire_checkout_session(self, session_id: str) -> CheckoutSession:
        return self._session(self._call(self.checkout_sessions.expire, session_id))

    def retrieve_checkout_session(self, session_id: str) -> CheckoutSession:
        return self._session(self._call(self.checkout_sessions.retrieve, session_id))

    def retrieve_payment_intent(self, payment_intent_id: str) -> PaymentIntentInfo:
        intent = self._call(self.client.v1.payment_intents.retrieve, payment_intent_id)
        metadata = _get(intent, "metadata") or {}
        metadata = metadata.to_dict() if hasattr(metadata, "to_dict") else dict(metadata)
        currency = str(_get(intent, "currency") or "").upper()
        return PaymentIntentInfo(
            id=_get(intent, "id"),
            status=_get(intent, "status"),
            amount=from_stripe_amount(_get(intent, "amount"), currency),
            # localstripe leaves amount_received out; a succeeded intent received its amount.
            amount_received=from_stripe_amount(
                _get(intent, "amount_received")
                if _get(intent, "amount_received") is not None
                else (_get(intent, "amount") if _get(intent, "status") == "succeeded" else 0),
                currency,
            ),
            currency=currency,
            metadata=metadata,
        )

    def create_refund(self, *, payment_intent_id: str, amount_minor: int, currency: str, idempotency_key: str,
                      metadata: dict[str, str]) -> RefundInfo:
        refund = self._call(
            self.client.v1.refunds.create,
            params={"payment_intent": payment_intent_id, "amount": to_stripe_amount(amount_minor, currency),
                    "metadata": metadata},
            options={"idempotency_key": idempotency_key},
        )
        refund_currency = str(_get(refund, "currency") or currency).upper()
        return RefundInfo(
            id=_get(refund, "id"),
            status=_get(refund, "status"),
            amount=from_stripe_amount(_get(refund, "amount"), refund_currency),
            currency=refund_currency,
        )

    def construct_webhook_event(self, payload: bytes, signature_header: str | None) -> dict:
        """Verify the signature on the raw body (and its age), then parse it. Raises SignatureError,
        MalformedEvent."""
        if not self.webhook_secret:
            raise SignatureError("no webhook secret configured")
        try:
            text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
        except UnicodeDecodeError as error:
            raise MalformedEvent("payload is not UTF-8") from error
        try:
            stripe.WebhookSignature.verify_header(text, signature_header or "", self.webhook_secret,
                                                  stripe.Webhook.DEFAULT_TOLERANCE)
        except stripe.SignatureVerificationError as error:
            raise SignatureError(str(error)) from error
        try:
            event = json.loads(text)
        except ValueError as error:
            raise MalformedEvent("payload is not JSON") from error
        if not isinstance(event, dict) or not all(isinstance(event.get(k), str) and 0 < len(event[k]) <= 255
                                                  for k in ("id", "type")):
            raise MalformedEvent("payload is not a Stripe event")
        return event

    @staticmethod
    def _session(session) -> CheckoutSession:
        return CheckoutSession(
            id=_get(session, "id"),
            url=_get(session, "url") or "",
            status=_get(session, "status") or "",
            expires_at=_timestamp(_get(session, "expires_at")),
            payment_intent=_id_of(_get(session, "payment_intent")),
        )


def get_gateway() -> StripeGateway:
    """The app's gateway, built once from STRIPE_* config (tests may install their own)."""
    gateway = current_app.extensions.get(EXTENSION_KEY)
    if gateway is None:
        config = current_app.config
        gateway = StripeGateway(
            config.get("STRIPE_SECRET_KEY", ""),
            api_base=config.get("STRIPE_API_BASE"),
            webhook_secret=config.get("STRIPE_WEBHOOK_SECRET", ""),
        )
        current_app.extensions[EXTENSION_KEY] = gateway
    return gateway


def set_gateway(app, gateway: StripeGateway | None) -> None:
    if gateway is None:
        app.extensions.pop(EXTENSION_KEY, None)
    else:
        app.extensions[EXTENSION_KEY] = gateway
