"""Card payments in a zero-decimal currency: Stripe gets, and we record, yen, not hundredths."""
from sqlalchemy import select

from confapp.payments import services
from confapp.payments.models import Payment, Refund, RefundStatus
from confapp.payments.webhooks import _on_completed
from confapp.registration.models import PaymentState, RegistrationEvent
from tests.factories import make_event, make_user
from tests.support.payment_orders import make_card_order, make_paid_category
from tests.support.payments import paid_intent

URLS = dict(success_url="https://example.org/done", cancel_url="https://example.org/cancelled")


def test_yen_checkout_payment_and_refund_use_whole_yen(db, gateway, checkout, now):
    event = make_event()
    order = make_card_order(event, make_paid_category(event, price_minor=1000, currency="JPY"), quantity=2, now=now)
    assert (order.total_minor, order.currency) == (2000, "JPY")

    payment = services.start_checkout(order, now=now, **URLS)
    [call] = checkout.created
    price = call["params"]["line_items"][0]["price_data"]
    assert (price["unit_amount"], price["currency"]) == (2000, "jpy")

    intent = paid_intent(gateway, 2000, "jpy")
    info = gateway.retrieve_payment_intent(intent.id)
    assert (info.amount_received, info.currency) == (2000, "JPY")
    assert _on_completed({"session_id": payment.stripe_checkout_session_id, "payment_intent": intent.id,
                          "payment_status": "paid"}, info, now=now) == "applied"
    db.session.commit()
    assert (order.paid_minor, order.payment_state) == (2000, PaymentState.PAID)

    services.refund_order(order, 300, actor=make_user(), reason="Left early", now=now)
    db.session.commit()
    [refund] = db.session.scalars(select(Refund).where(Refund.order_id == order.id)).all()
    assert (refund.amount_minor, refund.currency, refund.status) == (300, "JPY", RefundStatus.SUCCEEDED)
    at_stripe = gateway.client.v1.refunds.list(params={"payment_intent": intent.id})
    assert [r.amount for r in at_stripe.data] == [300]
    notes = db.session.scalars(select(RegistrationEvent.note).where(RegistrationEvent.order_id == order.id)).all()
    assert "Paid 2000 JPY by card" in notes and "Refund 300 JPY" in notes
    assert db.session.get(Payment, payment.id).refunded_minor == 300
