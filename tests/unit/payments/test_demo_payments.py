"""The demo's paid card orders carry the Payment rows the Payments page, receipts and refunds read."""
import importlib

from sqlalchemy import func, select

from confapp.demo import DemoContext
from confapp.payments import services
from confapp.payments.models import RECEIVED_STATUSES, Payment
from confapp.payments.queries import event_payments, receipt_for
from confapp.registration.models import Order, PaymentMethod
from confapp.types import utcnow


def test_demo_card_orders_have_payments_matching_what_the_orders_count(db):
    ctx = DemoContext(now=utcnow().replace(microsecond=0))
    for step in ("accounts", "events", "registration"):
        importlib.import_module(f"confapp.demo.{step}").load(ctx)
    db.session.flush()

    card_orders = db.session.scalars(select(Order).where(Order.payment_method == PaymentMethod.CARD,
                                                         Order.paid_minor > 0)).all()
    assert len(card_orders) > 20
    received = dict(db.session.execute(
        select(Payment.order_id, func.sum(Payment.amount_minor)).where(Payment.status.in_(RECEIVED_STATUSES))
        .group_by(Payment.order_id)).all())
    assert {o.id: o.paid_minor for o in card_orders} == received

    event = ctx.events["phrge_next"]
    page = event_payments(event)
    assert page.received_minor == sum(o.paid_minor for o in card_orders if o.event_id == event.id) > 0

    order = next(o for o in card_orders if o.event_id == event.id)
    receipt = receipt_for(order, event)
    assert [(p.method, p.amount_minor, p.reference.startswith("Payment ")) for p in receipt.payments] == \
        [("Card (Stripe)", order.paid_minor, True)]

    # A refund of demo money is recorded as handed back: there is nothing at Stripe to refund.
    [refund] = services.refund_order(order, order.paid_minor, actor=ctx.users["admin"], reason="Demo", now=ctx.now)
    assert refund.status == "succeeded" and order.refunded_minor == order.paid_minor
