"""The Stripe webhook endpoint: signed deliveries through the test client, PaymentIntents and
refunds at the real localstripe server, the Checkout Session from the fake."""
from datetime import timedelta

from sqlalchemy import func, select

from confapp.payments import services
from confapp.payments.models import Payment, PaymentStatus, Refund, RefundStatus, StripeEvent
from confapp.registration.models import Order, PaymentState, RegistrationStatus
from tests.factories import make_event
from tests.support.localstripe import event_payload, signature_header
from tests.support.payment_orders import make_card_order, make_paid_category
from tests.support.payments import charge_refunded_object, deliver, paid_intent, session_object

URLS = dict(success_url="https://example.org/done", cancel_url="https://example.org/cancelled")


def start_and_pay(db, gateway, checkout, order, now, *, card="pm_card_visa"):
    checkout.clock = now.timestamp
    payment = services.start_checkout(order, now=now, **URLS)
    intent = paid_intent(gateway, payment.amount_minor, metadata={"order_code": order.code}, card=card)
    session = checkout.complete(payment.stripe_checkout_session_id, intent.id)
    return payment, intent, session


def reload(db, order):
    db.session.expire_all()
    return db.session.get(Order, order.id)


def count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_bad_signature_is_refused_and_changes_nothing(client, db, gateway, checkout, now):
    order = make_card_order(make_event(), now=now)
    payment, intent, session = start_and_pay(db, gateway, checkout, order, now)
    db.session.commit()
    response = deliver(client, "checkout.session.completed", session_object(session), secret="whsec_wrong")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_signature"
    # Unsigned and tampered deliveries too.
    assert deliver(client, "checkout.session.completed", session_object(session), signature="").status_code == 400
    payload = event_payload("checkout.session.completed", session_object(session))
    tampered = payload.replace(str(session["amount_total"]), "1")
    response = client.post("/payments/stripe/webhook", data=tampered,
                           headers={"Stripe-Signature": signature_header(payload)})
    assert response.status_code == 400
    assert count(db, StripeEvent) == 0
    order = reload(db, order)
    assert order.payment_state == PaymentState.UNPAID
    assert all(r.status == RegistrationStatus.AWAITING_PAYMENT for r in order.registrations)


def test_completed_payment_confirms_the_order(client, db, gateway, checkout, now, mail):
    order = make_card_order(make_event(), now=now, email="paying@example.org")
    payment, intent, session = start_and_pay(db, gateway, checkout, order, now)
    db.session.commit()
    response = deliver(client, "checkout.session.completed", session_object(session, payment_status="paid"))
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "applied"
    order = reload(db, order)
    assert order.payment_state == PaymentState.PAID and order.paid_minor == order.total_minor
    assert all(r.status == RegistrationStatus.CONFIRMED for r in order.registrations)
    payment = db.session.get(Payment, payment.id)
    assert payment.status == PaymentStatus.PAID and payment.stripe_payment_intent_id == intent.id


def test_same_event_twice_is_applied_once(client, db, gateway, checkout, now):
    order = make_card_order(make_event(), now=now)
    payment, intent, session = start_and_pay(db, gateway, checkout, order, now)
    db.session.commit()
    obj = session_object(session, payment_status="paid")
    first = deliver(client, "checkout.session.completed", obj, event_id="evt_twice")
    second = deliver(client, "checkout.session.completed", obj, event_id="evt_twice")
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.get_json()["outcome"] == "duplicate"
    # The same payment announced again under another event id is not counted twice either.
    third = deliver(client, "checkout.session.async_payment_succeeded", obj)
    assert third.get_json()["outcome"] == "already_applied"
    order = reload(db, order)
    assert order.paid_minor == order.total_minor
    assert count(db, StripeEvent, StripeEvent.stripe_event_id == "evt_twice") == 1
    assert count(db, Refund) == 0


def test_expired_after_completed_changes_nothing(client, db, gateway, checkout, now):
    order = make_card_order(make_event(), now=now)
    payment, intent, session = start_and_pay(db, gateway, checkout, order, now)
    db.session.commit()
    deliver(client, "checkout.session.completed", session_object(session, payment_status="paid"))
    response = deliver(client, "checkout.session.expired", session_object(session, status="expired"))
    assert response.get_json()["outcome"] == "already_paid"
    order = reload(db, order)
    assert order.payment_state == PaymentState.PAID
    assert all(r.status == RegistrationStatus.CONFIRMED for r in order.registrations)


def test_expired_session_releases_the_hold(client, db, gateway, checkout, now):
    placed = now - timedelta(minutes=40)
    order = make_card_order(make_event(), now=placed)
    checkout.clock = placed.timestamp
    payment = services.start_checkout(order, now=placed, **URLS)
    session = checkout.sessions[payment.stripe_checkout_session_id]
    db.session.commit()
    response = deliver(client, "checkout.session.expired", session_object(session, status="expired"))
    assert response.get_json()["outcome"] == "hold_released"
    order = reload(db, order)
    assert all(r.status == RegistrationStatus.EXPIRED for r in order.registrations)
    assert db.session.get(Payment, payment.id).status == PaymentStatus.EXPIRED


def test_late_payment_with_a_free_place_is_honoured(client, db, gateway, checkout, now):
    placed = now - timedelta(minutes=40)
    event = make_event()
    order = make_card_order(event, make_paid_category(event, capacity=2), now=placed)
    payment, intent, session = start_and_pay(db, gateway, checkout, order, placed)
    db.session.commit()
    deliver(client, "checkout.session.expired", session_object(session, status="expired"))
    response = deliver(client, "checkout.session.completed", session_object(session, payment_status="paid"))
    assert response.get_json()["outcome"] == "applied"
    order = reload(db, order)
    assert order.payment_state == PaymentState.PAID
    assert all(r.status == RegistrationStatus.CONFIRMED for r in order.registrations)
    assert count(db, Refund) == 0


def test_late_payment_without_a_place_is_refunded_with_an_apology(client, db, gateway, checkout, now, mail):
    placed = now - timedelta(minutes=40)
    event = make_event(contact_email="team@example.org")
    category = make_paid_category(event, capacity=1, price_minor=6000)
    order = make_card_order(event, category, now=placed, email="late@example.org")
    payment, intent, session = start_and_pay(db, gateway, checkout, order, placed)
    db.session.commit()
    deliver(client, "checkout.session.expired", session_object(session, status="expired"))
    taker = make_card_order(event, category, now=now, email="quick@example.org")  # the freed place is taken
    db.session.commit()

    response = deliver(client, "checkout.session.completed", session_object(session, payment_status="paid"))

    assert response.get_json()["outcome"] == "refunded_sold_out"
    order = reload(db, order)
    assert order.payment_state == PaymentState.REFUNDED
    assert order.paid_minor == 6000 and order.refunded_minor == 6000
    assert all(r.status == RegistrationStatus.EXPIRED for r in order.registrations)
    [refund] = db.session.scalars(select(Refund).where(Refund.order_id == order.id)).all()
    assert refund.status == RefundStatus.SUCCEEDED and refund.amount_minor == 6000
    at_stripe = gateway.client.v1.refunds.list(params={"payment_intent": intent.id})
    assert [(r.id, r.amount) for r in at_stripe.data] == [(refund.stripe_refund_id, 6000)]
    assert reload(db, taker).registrations[0].status == RegistrationStatus.AWAITING_PAYMENT
    mail.wait_for(1)
    [apology] = mail.to(order.buyer_email)
    assert "refunded" in apology.subject
    assert "$60.00" in apology.text and "last places were taken" in apology.text
    assert "$60.00" in apology.html


def test_refund_seen_before_the_payment_is_applied_after_it(client, db, gateway, checkout, now):
    order = make_card_order(make_event(), now=now)
    payment, intent, session = start_and_pay(db, gateway, checkout, order, now)
    db.session.commit()
    refunded = deliver(client, "charge.refunded", charge_refunded_object(intent.id, 1000))
    assert refunded.get_json()["outcome"] == "deferred"
    deliver(client, "checkout.session.completed", session_object(session, payment_status="paid"))
    order = reload(db, order)
    assert order.payment_state == PaymentState.PARTIALLY_REFUNDED
    assert (order.paid_minor, order.refunded_minor) == (5000, 1000)
    stored = db.session.scalar(select(StripeEvent).where(StripeEvent.type == "charge.refunded"))
    assert stored.outcome == "applied" and stored.processed_at is not None
    # Delivered again later: nothing more is refunded.
    again = deliver(client, "charge.refunded", charge_refunded_object(intent.id, 1000))
    assert again.get_json()["outcome"] == "applied"
    assert reload(db, order).refunded_minor == 1000


def test_charge_refunded_confirms_our_own_refund_without_counting_it_twice(client, db, gateway, checkout, now):
    order = make_card_order(make_event(), now=now)
    payment, intent, session = start_and_pay(db, gateway, checkout, order, now)
    db.session.commit()
    deliver(client, "checkout.session.completed", session_object(session, payment_status="paid"))
    order = reload(db, order)
    [refund] = services.refund_order(order, 2000, actor=None, reason="Partial", now=now)
    db.session.commit()  # the job sends it to localstripe
    refund = db.session.get(Refund, refund.id)
    assert refund.status == RefundStatus.SUCCEEDED and refund.stripe_refund_id.startswith("re_")
    listed = {"id": refund.stripe_refund_id, "amount": 2000, "status": "succeeded",
              "metadata": {"confapp_refund_id": str(refund.id)}}
    deliver(client, "charge.refunded", charge_refunded_object(intent.id, 2000, refunds=[listed]))
    order = reload(db, order)
    assert order.refunded_minor == 2000 and order.payment_state == PaymentState.PARTIALLY_REFUNDED
    # A refund made in the Stripe dashboard afterwards is recorded.
    deliver(client, "charge.refunded", charge_refunded_object(intent.id, 5000, refunds=[listed]))
    order = reload(db, order)
    assert order.refunded_minor == 5000 and order.payment_state == PaymentState.REFUNDED
    assert count(db, Refund, Refund.order_id == order.id) == 2


def test_payment_failed_is_noted_and_the_order_stays_payable(client, db, gateway, checkout, now):
    order = make_card_order(make_event(), now=now)
    checkout.clock = now.timestamp
    payment = services.start_checkout(order, now=now, **URLS)
    db.session.commit()
    failed_intent = {"id": "pi_failed_1", "object": "payment_intent", "status": "requires_payment_method",
                     "metadata": {"order_code": order.code, "payment_id": str(payment.id)},
                     "last_payment_error": {"code": "card_declined", "message": "Your card was declined."}}
    response = deliver(client, "payment_intent.payment_failed", failed_intent)
    assert response.get_json()["outcome"] == "applied"
    payment = db.session.get(Payment, payment.id)
    assert payment.status == PaymentStatus.OPEN and payment.failure_message == "Your card was declined."
    order = reload(db, order)
    assert order.payment_state == PaymentState.UNPAID
    assert all(r.status == RegistrationStatus.AWAITING_PAYMENT for r in order.registrations)
    # A later success in the same session still confirms it.
    intent = paid_intent(gateway, payment.amount_minor)
    session = checkout.complete(payment.stripe_checkout_session_id, intent.id)
    deliver(client, "checkout.session.completed", session_object(session, payment_status="paid"))
    assert reload(db, order).payment_state == PaymentState.PAID


def test_event_types_we_do_not_use_are_acknowledged(client, db, gateway):
    response = deliver(client, "customer.created", {"id": "cus_1", "object": "customer"})
    assert response.status_code == 200 and response.get_json()["outcome"] == "ignored"


def test_completed_session_we_never_made_is_acknowledged_and_ignored(client, db, gateway):
    obj = {"id": "cs_unknown", "object": "checkout.session", "payment_status": "paid", "amount_total": 100,
           "currency": "usd", "metadata": {}, "payment_intent": None}
    response = deliver(client, "checkout.session.completed", obj)
    assert response.status_code == 200 and response.get_json()["outcome"] == "unknown_session"


def test_replayed_old_delivery_is_refused(client, db, gateway):
    """A correctly signed payload captured and replayed after Stripe's 5-minute tolerance."""
    import time

    payload = event_payload("customer.created", {"id": "cus_1", "object": "customer"})
    old = signature_header(payload, timestamp=int(time.time()) - 600)
    response = client.post("/payments/stripe/webhook", data=payload, headers={"Stripe-Signature": old})
    assert response.status_code == 400 and response.is_json
    assert count(db, StripeEvent) == 0
