"""The same Stripe webhook delivered concurrently (Stripe retries, several workers) against the
real PostgreSQL server: applied once, the order paid once, nothing refunded."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from confapp.extensions import db
from confapp.payments import services
from confapp.payments.gateway import set_gateway
from confapp.payments.models import Payment, PaymentStatus, Refund, StripeEvent
from confapp.registration.models import Order, PaymentState, RegistrationStatus
from confapp.types import utcnow
from tests.support.localstripe import event_payload, signature_header
from tests.support.payments import install_gateway, paid_intent, session_object

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _paid_session(app, gateway, label):
    from tests.factories import make_event
    from tests.support.payment_orders import make_card_order, make_paid_category

    now = utcnow()
    with app.app_context():
        event = make_event(slug=f"webhook-race-{label}")
        order = make_card_order(event, make_paid_category(event, price_minor=7500, capacity=3), now=now,
                                quantity=2, send_email=False)
        payment = services.start_checkout(order, success_url="https://example.org/ok",
                                          cancel_url="https://example.org/no", now=now)
        intent = paid_intent(gateway, payment.amount_minor)
        session = gateway.checkout_sessions.complete(payment.stripe_checkout_session_id, intent.id)
        order_id = order.id
        db.session.commit()
        db.session.remove()
    return order_id, session_object(session, payment_status="paid")


def _deliver_concurrently(app, payloads):
    barrier = threading.Barrier(len(payloads))
    results: list = [None] * len(payloads)

    def post(i, payload):
        client = app.test_client()
        barrier.wait(timeout=30)
        response = client.post("/payments/stripe/webhook", data=payload,
                               headers={"Stripe-Signature": signature_header(payload)})
        results[i] = (response.status_code, (response.get_json() or {}).get("outcome"))

    threads = [threading.Thread(target=post, args=(i, p)) for i, p in enumerate(payloads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_same_webhook_delivered_concurrently_is_applied_once(pg_app, localstripe, round_):
    localstripe.reset()
    gateway = install_gateway(pg_app, localstripe)
    try:
        order_id, obj = _paid_session(pg_app, gateway, f"same{round_}")
        payload = event_payload("checkout.session.completed", obj, event_id=f"evt_race_{round_}")
        results = _deliver_concurrently(pg_app, [payload] * 24)
        assert all(status == 200 for status, _ in results), results
        outcomes = Counter(outcome for _, outcome in results)
        assert outcomes == {"applied": 1, "duplicate": 23}, outcomes
        with pg_app.app_context():
            order = db.session.get(Order, order_id)
            assert order.payment_state == PaymentState.PAID and order.paid_minor == 15000 == order.total_minor
            assert all(r.status == RegistrationStatus.CONFIRMED for r in order.registrations)
            payments = db.session.scalars(select(Payment).where(Payment.order_id == order_id)).all()
            assert [p.status for p in payments] == [PaymentStatus.PAID]
            assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 1
            assert db.session.scalar(select(func.count()).select_from(Refund)) == 0
            db.session.remove()
    finally:
        set_gateway(pg_app, None)


def test_one_payment_announced_by_different_events_at_once_is_counted_once(pg_app, localstripe):
    localstripe.reset()
    gateway = install_gateway(pg_app, localstripe)
    try:
        order_id, obj = _paid_session(pg_app, gateway, "distinct")
        payloads = [event_payload("checkout.session.completed" if i % 2 else "checkout.session.async_payment_succeeded",
                                  obj, event_id=f"evt_distinct_{i}") for i in range(16)]
        results = _deliver_concurrently(pg_app, payloads)
        outcomes = Counter(outcome for _, outcome in results)
        assert outcomes == {"applied": 1, "already_applied": 15}, outcomes
        with pg_app.app_context():
            order = db.session.get(Order, order_id)
            assert order.paid_minor == 15000 and order.refunded_minor == 0
            assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 16
            db.session.remove()
    finally:
        set_gateway(pg_app, None)


def test_concurrent_pay_clicks_open_one_checkout_session(pg_app, localstripe):
    """A double click, a second tab, a retried request: one Payment and one Stripe session."""
    from tests.factories import make_event
    from tests.support.payment_orders import make_card_order

    localstripe.reset()
    gateway = install_gateway(pg_app, localstripe)
    gateway.checkout_sessions.delay_seconds = 0.3  # Stripe takes a moment: the twins overlap
    try:
        with pg_app.app_context():
            order = make_card_order(make_event(slug="checkout-race"), now=utcnow(), send_email=False)
            order_id = order.id
            db.session.commit()
            db.session.remove()
        barrier = threading.Barrier(12)
        urls: list = []

        def click():
            with pg_app.app_context():
                try:
                    barrier.wait(timeout=30)
                    payment = services.start_checkout(db.session.get(Order, order_id), now=utcnow(),
                                                      success_url="https://example.org/ok",
                                                      cancel_url="https://example.org/no")
                    urls.append(payment.checkout_url)
                except Exception as error:  # noqa: BLE001 - asserted below
                    urls.append(repr(error))
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=click) for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert len(set(urls)) == 1 and urls[0].startswith("https://checkout.stripe.com/"), urls
        assert len(gateway.checkout_sessions.created) == 1
        with pg_app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Payment).where(Payment.order_id == order_id)) == 1
            db.session.remove()
    finally:
        set_gateway(pg_app, None)
