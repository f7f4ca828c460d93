"""Payment test fixtures shared by the unit, functional, concurrency and browser suites:
the real localstripe server, the gateway wired to it (with the Checkout Session fake), signed
webhook deliveries, and paid orders built through registration's place_order."""
from __future__ import annotations

import pytest

from .localstripe import SECRET_KEY, WEBHOOK_SECRET, FakeCheckoutSessionsApi, event_payload, signature_header, start_localstripe


@pytest.fixture(scope="session")
def localstripe():
    """localstripe on 127.0.0.1 (one server per test process, whichever suite asks first)."""
    return start_localstripe()


def install_gateway(app, localstripe_server):
    from confapp.payments.gateway import StripeGateway, set_gateway

    app.config.update(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                      STRIPE_API_BASE=localstripe_server.url)
    gateway = StripeGateway(SECRET_KEY, api_base=localstripe_server.url, webhook_secret=WEBHOOK_SECRET)
    gateway.checkout_sessions = FakeCheckoutSessionsApi()
    set_gateway(app, gateway)
    return gateway


@pytest.fixture
def gateway(app, localstripe):
    """The app's Stripe gateway: localstripe for PaymentIntents and refunds, the fake for Checkout."""
    from confapp.payments.gateway import set_gateway

    localstripe.reset()
    saved = {key: app.config.get(key) for key in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE")}
    gateway = install_gateway(app, localstripe)
    yield gateway
    set_gateway(app, None)
    app.config.update(saved)
    localstripe.reset()


@pytest.fixture
def checkout(gateway, now) -> FakeCheckoutSessionsApi:
    """The Checkout Session fake, on the tests' fixed clock."""
    gateway.checkout_sessions.clock = now.timestamp
    return gateway.checkout_sessions


def paid_intent(gateway, amount_minor: int, currency: str = "usd", metadata: dict | None = None,
                card: str = "pm_card_visa"):
    """A PaymentIntent that really succeeded at localstripe (what the hosted page would make)."""
    client = gateway.client
    intent = client.v1.payment_intents.create(params={
        "amount": amount_minor, "currency": currency.lower(), "payment_method": card,
        "metadata": metadata or {},
    })
    intent = client.v1.payment_intents.confirm(intent.id)
    return intent


def deliver(client, kind: str, obj: dict, *, event_id: str | None = None, secret: str = WEBHOOK_SECRET,
            signature: str | None = None):
    """POST a signed Stripe event to our webhook endpoint through the test client."""
    payload = event_payload(kind, obj, event_id=event_id)
    header = signature if signature is not None else signature_header(payload, secret)
    return client.post("/payments/stripe/webhook", data=payload,
                       headers={"Stripe-Signature": header, "Content-Type": "application/json"})


def session_object(session: dict, **overrides) -> dict:
    obj = {
        "id": session["id"], "object": "checkout.session", "payment_intent": session.get("payment_intent"),
        "payment_status": session.get("payment_status", "unpaid"), "status": session.get("status"),
        "amount_total": session["amount_total"], "currency": session["currency"],
        "client_reference_id": session["client_reference_id"], "metadata": session["metadata"],
        "customer_details": {"email": "buyer@example.org", "name": "Buyer"},
    }
    obj.update(overrides)
    return obj


def charge_refunded_object(intent_id: str, amount_refunded: int, *, currency: str = "usd", refunds=()) -> dict:
    return {"id": "ch_test_refunded", "object": "charge", "payment_intent": intent_id, "amount_refunded": amount_refunded,
            "currency": currency, "refunded": True,
            "refunds": {"object": "list", "data": list(refunds)}}
