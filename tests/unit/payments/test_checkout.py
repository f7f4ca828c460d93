"""start_checkout: the parameters Stripe gets, reuse of an open page, never two live pages."""
from datetime import timedelta

import pytest
import stripe
from sqlalchemy import func, select

from confapp.errors import InvalidState
from confapp.payments import services
from confapp.payments.models import Payment, PaymentStatus
from confapp.registration.services import confirm_paid_order
from tests.factories import make_event
from tests.support.payment_orders import make_card_order, make_paid_category

URLS = dict(success_url="https://example.org/done", cancel_url="https://example.org/cancelled")


def test_start_checkout_sends_amount_currency_order_code_urls_and_expiry(db, checkout, now):
    event = make_event()
    order = make_card_order(event, make_paid_category(event, price_minor=4500), quantity=2, now=now)

    payment = services.start_checkout(order, now=now, **URLS)

    assert payment.status == PaymentStatus.OPEN
    assert payment.checkout_url.startswith("https://checkout.stripe.com/")
    [call] = checkout.created
    params = call["params"]
    assert params["mode"] == "payment"
    assert params["line_items"][0]["price_data"]["unit_amount"] == 9000
    assert params["line_items"][0]["price_data"]["currency"] == "usd"
    assert params["line_items"][0]["quantity"] == 1
    assert params["metadata"]["order_code"] == order.code
    assert params["payment_intent_data"]["metadata"]["order_code"] == order.code
    assert params["client_reference_id"] == order.code
    assert params["success_url"] == URLS["success_url"] and params["cancel_url"] == URLS["cancel_url"]
    # The hold is 30 minutes; Stripe needs at least 30, so the page lives 31.
    assert params["expires_at"] == int((now + timedelta(minutes=31)).timestamp())
    assert call["idempotency_key"] == f"confapp-checkout-{payment.id}"
    assert payment.amount_minor == 9000 and payment.currency == "USD"


def test_second_start_reuses_the_open_session(db, checkout, now):
    order = make_card_order(make_event(), now=now)
    first = services.start_checkout(order, now=now, **URLS)
    again = services.start_checkout(order, now=now + timedelta(minutes=2), **URLS)
    assert again.id == first.id and again.checkout_url == first.checkout_url
    assert len(checkout.created) == 1


def test_session_about_to_expire_is_expired_at_stripe_before_a_new_one(db, checkout, now):
    order = make_card_order(make_event(), now=now)
    first = services.start_checkout(order, now=now, **URLS)
    later = now + timedelta(minutes=28)
    checkout.clock = later.timestamp
    second = services.start_checkout(order, now=later, **URLS)
    assert second.id != first.id
    assert checkout.expired == [first.stripe_checkout_session_id]
    assert db.session.get(Payment, first.id).status == PaymentStatus.EXPIRED
    live = db.session.scalar(select(func.count()).select_from(Payment).where(
        Payment.order_id == order.id, Payment.status.in_(["creating", "open"])))
    assert live == 1


def test_old_session_already_paid_is_not_replaced(db, checkout, now):
    order = make_card_order(make_event(), now=now)
    first = services.start_checkout(order, now=now, **URLS)
    checkout.complete(first.stripe_checkout_session_id, "pi_paid_elsewhere")
    later = now + timedelta(minutes=28)
    with pytest.raises(InvalidState, match="just been made"):
        services.start_checkout(order, now=later, **URLS)
    assert len(checkout.created) == 1


def test_checkout_refused_once_the_hold_ran_out(db, checkout, now):
    order = make_card_order(make_event(), now=now)
    with pytest.raises(InvalidState, match="run out"):
        services.start_checkout(order, now=now + timedelta(minutes=31), **URLS)
    assert checkout.created == []


def test_checkout_refused_for_a_paid_order(db, checkout, now):
    order = make_card_order(make_event(), now=now)
    confirm_paid_order(order, amount_minor=order.total_minor, now=now)
    with pytest.raises(InvalidState, match="already paid"):
        services.start_checkout(order, now=now, **URLS)


def test_stripe_down_marks_the_attempt_failed_and_a_retry_works(db, checkout, now):
    order = make_card_order(make_event(), now=now)
    checkout.fail_next = stripe.APIConnectionError("connection refused")
    with pytest.raises(services.PaymentUnavailable):
        services.start_checkout(order, now=now, **URLS)
    [failed] = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).all()
    assert failed.status == PaymentStatus.FAILED
    payment = services.start_checkout(order, now=now, **URLS)
    assert payment.status == PaymentStatus.OPEN and payment.id != failed.id


def test_database_refuses_two_live_payments_for_one_order(db, checkout, now):
    from sqlalchemy.exc import IntegrityError

    order = make_card_order(make_event(), now=now)
    services.start_checkout(order, now=now, **URLS)
    twin = Payment(order_id=order.id, event_id=order.event_id, provider="stripe", method="card",
                   status=PaymentStatus.CREATING, amount_minor=1, currency="USD")
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(twin)
