"""Refund limits, refunds through localstripe, and payments recorded offline."""
import pytest
from sqlalchemy import select

from confapp.errors import InvalidState, ValidationFailed
from confapp.payments import services
from confapp.payments.models import Payment, PaymentProvider, PaymentStatus, Refund, RefundStatus
from confapp.registration.models import PaymentMethod, PaymentState, RegistrationStatus
from confapp.accounts.models import Role
from confapp.audit.services import SYSTEM
from confapp.errors import NotAllowed
from tests.factories import grant, make_event, make_user
from tests.support.payment_orders import enable_offline_methods, make_card_order, make_paid_category
from tests.support.payments import paid_intent

def on_team(event, role=Role.ORGANISER):
    """Recording money received offline needs a role on the event (the service checks)."""
    user = make_user()
    grant(event, user, role)
    return user


URLS = dict(success_url="https://example.org/done", cancel_url="https://example.org/cancelled")


def card_paid_order(db, gateway, checkout, now, price_minor=5000):
    """An order paid by card: a real succeeded PaymentIntent at localstripe, applied as the webhook would."""
    from confapp.payments.webhooks import _on_completed

    event = make_event()
    order = make_card_order(event, make_paid_category(event, price_minor=price_minor), now=now)
    payment = services.start_checkout(order, now=now, **URLS)
    intent = paid_intent(gateway, price_minor)
    info = gateway.retrieve_payment_intent(intent.id)
    assert info.status == "succeeded" and info.amount_received == price_minor
    outcome = _on_completed({"session_id": payment.stripe_checkout_session_id, "payment_intent": intent.id,
                             "payment_status": "paid"}, info, now=now)
    assert outcome == "applied"
    db.session.commit()
    return order, db.session.get(Payment, payment.id), intent


def test_partial_then_full_refund_never_exceeds_what_was_paid(db, gateway, checkout, now):
    order, payment, intent = card_paid_order(db, gateway, checkout, now)
    organiser = make_user()
    services.refund_order(order, 1500, actor=organiser, reason="Left early", now=now)
    db.session.commit()
    assert (order.refunded_minor, order.payment_state) == (1500, PaymentState.PARTIALLY_REFUNDED)
    with pytest.raises(ValidationFailed) as error:
        services.refund_order(order, 3501, actor=organiser, reason="Too much", now=now)
    assert "35.00" in error.value.errors["amount"]
    db.session.rollback()
    services.refund_order(order, 3500, actor=organiser, reason="Rest", now=now)
    db.session.commit()
    assert (order.refunded_minor, order.payment_state) == (5000, PaymentState.REFUNDED)
    with pytest.raises(ValidationFailed):
        services.refund_order(order, 1, actor=organiser, reason="Nothing left", now=now)
    db.session.rollback()
    refunds = db.session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)).all()
    assert [(r.amount_minor, r.status) for r in refunds] == [(1500, RefundStatus.SUCCEEDED), (3500, RefundStatus.SUCCEEDED)]
    at_stripe = gateway.client.v1.refunds.list(params={"payment_intent": intent.id})
    assert sorted(r.amount for r in at_stripe.data) == [1500, 3500]
    assert db.session.get(Payment, payment.id).status == PaymentStatus.REFUNDED


def test_refund_amount_must_be_positive(db, gateway, checkout, now):
    order, payment, intent = card_paid_order(db, gateway, checkout, now)
    for amount in (0, -100):
        with pytest.raises(ValidationFailed):
            services.refund_order(order, amount, actor=None, reason="x", now=now)


def test_refund_refused_by_stripe_gives_the_amount_back(db, gateway, checkout, now):
    order, payment, intent = card_paid_order(db, gateway, checkout, now)
    # A PaymentIntent localstripe does not know: Stripe answers 404, the refund fails.
    payment.stripe_payment_intent_id = "pi_unknown_at_stripe"
    db.session.commit()
    [refund] = services.refund_order(order, 2000, actor=None, reason="x", now=now)
    db.session.commit()
    db.session.expire_all()
    refund = db.session.get(Refund, refund.id)
    assert refund.status == RefundStatus.FAILED and refund.failure_message
    order = refund.payment.order
    assert order.refunded_minor == 0 and order.payment_state == PaymentState.PAID
    assert services.refundable(order) == 5000


def test_cancelling_a_paid_registration_refunds_through_stripe(db, gateway, checkout, now):
    from confapp.registration.services import cancel_order

    order, payment, intent = card_paid_order(db, gateway, checkout, now)
    refunded = cancel_order(order, actor=None, reason="Cannot come", now=now, by_attendee=True)
    db.session.commit()
    assert refunded == 5000
    assert order.refunded_minor == 5000 and order.payment_state == PaymentState.REFUNDED
    at_stripe = gateway.client.v1.refunds.list(params={"payment_intent": intent.id})
    assert [r.amount for r in at_stripe.data] == [5000]


def test_mark_paid_at_the_door_confirms_and_counts_once(db, now):
    event = make_event()
    enable_offline_methods(event)
    staff = on_team(event, Role.CHECKIN_STAFF)
    order = make_card_order(event, make_paid_category(event, price_minor=3000), now=now, payment_method="at_door")
    assert order.payment_state == PaymentState.UNPAID
    payment = services.mark_paid_offline(order, method="at_door", actor=staff, now=now)
    assert payment.provider == PaymentProvider.OFFLINE and payment.status == PaymentStatus.PAID
    assert payment.amount_minor == 3000 and payment.recorded_by_id == staff.id
    assert order.paid_minor == 3000 and order.payment_state == PaymentState.PAID
    assert order.payment_method == PaymentMethod.AT_DOOR
    with pytest.raises(InvalidState):
        services.mark_paid_offline(order, method="at_door", actor=staff, now=now)


def test_mark_paid_for_an_unpaid_card_order_confirms_it(db, now):
    event = make_event()
    order = make_card_order(event, now=now)
    services.mark_paid_offline(order, method="invoice", actor=on_team(event), now=now, note="INV-7")
    assert order.payment_state == PaymentState.PAID
    assert all(r.status == RegistrationStatus.CONFIRMED for r in order.registrations)


def test_mark_paid_rules(db, now):
    event = make_event()
    enable_offline_methods(event)
    order = make_card_order(event, make_paid_category(event, price_minor=3000), now=now, payment_method="invoice")
    staff = on_team(event)
    with pytest.raises(ValidationFailed) as error:
        services.mark_paid_offline(order, method="card", actor=staff, now=now)
    assert "method" in error.value.errors
    with pytest.raises(ValidationFailed) as error:
        services.mark_paid_offline(order, amount_minor=3001, method="invoice", actor=staff, now=now)
    assert "30.00" in error.value.errors["amount"]
    with pytest.raises(ValidationFailed):
        services.mark_paid_offline(order, amount_minor=0, method="invoice", actor=staff, now=now)
    # Part payments add up; the order is paid when they reach the total.
    services.mark_paid_offline(order, amount_minor=1000, method="invoice", actor=staff, now=now)
    assert (order.paid_minor, order.payment_state) == (1000, PaymentState.UNPAID)
    services.mark_paid_offline(order, amount_minor=2000, method="invoice", actor=staff, now=now)
    assert (order.paid_minor, order.payment_state) == (3000, PaymentState.PAID)


def test_no_payment_can_be_recorded_for_a_cancelled_order(db, now):
    from confapp.registration.services import cancel_order

    event = make_event()
    enable_offline_methods(event)
    order = make_card_order(event, make_paid_category(event, price_minor=3000), now=now, payment_method="invoice")
    cancel_order(order, actor=None, now=now, by_attendee=True)
    for amount in (None, 1000):
        with pytest.raises(InvalidState, match="cancelled"):
            services.mark_paid_offline(order, amount_minor=amount, method="invoice", actor=on_team(event), now=now)


def test_offline_payment_refund_is_recorded_without_stripe(db, now):
    event = make_event()
    enable_offline_methods(event)
    order = make_card_order(event, make_paid_category(event, price_minor=3000), now=now, payment_method="at_door")
    services.mark_paid_offline(order, method="at_door", actor=on_team(event, Role.CHECKIN_STAFF), now=now)
    [refund] = services.refund_order(order, 3000, actor=None, reason="Handed back", now=now)
    assert refund.status == RefundStatus.SUCCEEDED and refund.stripe_refund_id is None
    assert order.payment_state == PaymentState.REFUNDED


def test_housekeeping_resends_a_refund_whose_job_was_lost_and_closes_stale_pages(db, gateway, checkout, now):
    from datetime import timedelta

    from confapp.payments.tasks import reconcile

    order, payment, intent = card_paid_order(db, gateway, checkout, now)
    [refund] = services.refund_order(order, 1200, actor=None, reason="Lost job", now=now)
    db.session.info.pop("confapp_after_commit", None)  # the worker died before sending it
    db.session.commit()
    assert db.session.get(Refund, refund.id).status == RefundStatus.PENDING
    other = make_card_order(make_event(), now=now)
    stale = services.start_checkout(other, now=now, **URLS)

    counts = reconcile(now + timedelta(hours=3))

    assert counts == {"refunds_sent": 1, "refunds_failed": 0, "sessions_closed": 1}
    refund = db.session.get(Refund, refund.id)
    assert refund.status == RefundStatus.SUCCEEDED and refund.stripe_refund_id
    assert [r.amount for r in gateway.client.v1.refunds.list(params={"payment_intent": intent.id}).data] == [1200]
    assert db.session.get(Payment, stale.id).status == PaymentStatus.EXPIRED
    assert reconcile(now + timedelta(hours=3)) == {"refunds_sent": 0, "refunds_failed": 0, "sessions_closed": 0}


def test_recording_an_offline_payment_checks_the_actor_itself(db, now):
    from datetime import timedelta

    from confapp.checkin import services as checkin
    from confapp.checkin.models import VolunteerLink

    event = make_event()
    other_event = make_event()
    enable_offline_methods(event)
    enable_offline_methods(other_event)
    category = make_paid_category(event, price_minor=3000)
    order = make_card_order(event, category, now=now, payment_method="invoice")
    refused = [None, make_user(), on_team(other_event), on_team(event, Role.CHECKIN_STAFF)]  # staff: not by invoice
    for actor in refused:
        with pytest.raises(NotAllowed):
            services.mark_paid_offline(order, method="invoice", actor=actor, now=now)
    assert order.paid_minor == 0 and db.session.scalar(select(Payment.id).where(Payment.order_id == order.id)) is None
    services.mark_paid_offline(order, amount_minor=1000, method="invoice", actor=on_team(event), now=now)
    services.mark_paid_offline(order, amount_minor=1000, method="at_door", actor=on_team(event, Role.CHECKIN_STAFF), now=now)
    services.mark_paid_offline(order, amount_minor=500, method="invoice", actor=SYSTEM, now=now)
    admin = make_user(site_admin=True)
    services.mark_paid_offline(order, amount_minor=100, method="invoice", actor=admin, now=now)
    # A volunteer link takes money at its own event's door while it works, not elsewhere or later.
    desk = checkin.main_list(event, actor=SYSTEM, now=now)
    link = VolunteerLink(event_id=event.id, list_id=desk.id, name="Door 2", token_hash="x" * 64,
                         valid_from=now - timedelta(hours=1), valid_until=now + timedelta(hours=1), created_at=now)
    db.session.add(link)
    db.session.flush()
    volunteer = checkin.LinkActor(link)
    with pytest.raises(NotAllowed):
        services.mark_paid_offline(order, amount_minor=100, method="invoice", actor=volunteer, now=now)
    with pytest.raises(NotAllowed):
        services.mark_paid_offline(order, amount_minor=100, method="at_door", actor=volunteer, now=now + timedelta(hours=2))
    other_order = make_card_order(other_event, make_paid_category(other_event, price_minor=3000), now=now,
                                  payment_method="at_door")
    with pytest.raises(NotAllowed):
        services.mark_paid_offline(other_order, method="at_door", actor=volunteer, now=now)
    services.mark_paid_offline(order, amount_minor=100, method="at_door", actor=volunteer, now=now)
    assert order.paid_minor == 2700
