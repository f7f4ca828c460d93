"""Payment, holds, approval, cancellation and refunds (fixed clock)."""
from datetime import timedelta

import pytest

from confapp.errors import InvalidState, NotAllowed, SoldOut
from confapp.registration import services
from confapp.registration.models import PaymentState, RegistrationSettings, RegistrationStatus, WaitlistStatus
from confapp.registration.waitlist import join_waitlist
from tests.factories import make_category, make_event, make_registration, make_user


@pytest.fixture
def paid(event):
    return make_category(event, price_kind="fixed", price_minor=12000, name="General")


def test_confirm_paid_order_confirms_and_records_the_money(event, paid, now):
    order = make_registration(event, paid, now=now).order
    services.confirm_paid_order(order, amount_minor=12000, now=now + timedelta(minutes=5))
    assert order.payment_state == PaymentState.PAID and order.paid_minor == 12000
    assert order.registrations[0].status == RegistrationStatus.CONFIRMED
    assert order.registrations[0].hold_expires_at is None and order.hold_expires_at is None


def test_confirm_paid_order_twice_counts_the_money_once(event, paid, now):
    order = make_registration(event, paid, now=now).order
    services.confirm_paid_order(order, amount_minor=12000, now=now)
    services.confirm_paid_order(order, amount_minor=12000, now=now)
    assert order.paid_minor == 12000


def test_late_payment_is_honoured_when_a_place_is_free(db, organiser, now):
    event = make_event(organiser=organiser, capacity=1)
    paid = make_category(event, price_kind="fixed", price_minor=5000)
    order = make_registration(event, paid, now=now).order
    later = now + timedelta(hours=2)
    services.expire_order(order, now=later)
    assert order.registrations[0].status == RegistrationStatus.EXPIRED
    services.confirm_paid_order(order, amount_minor=5000, now=later)
    assert order.registrations[0].status == RegistrationStatus.CONFIRMED


def test_late_payment_raises_sold_out_when_the_place_is_gone(db, organiser, now):
    event = make_event(organiser=organiser, capacity=1)
    paid = make_category(event, price_kind="fixed", price_minor=5000)
    order = make_registration(event, paid, now=now).order
    later = now + timedelta(minutes=40)
    make_registration(event, make_category(event), now=later)  # someone took the released place
    with pytest.raises(SoldOut):
        services.confirm_paid_order(order, amount_minor=5000, now=later)
    assert order.payment_state == PaymentState.UNPAID
    assert order.registrations[0].status == RegistrationStatus.AWAITING_PAYMENT


def test_payment_for_a_cancelled_order_is_refused(event, paid, now, organiser):
    reg = make_registration(event, paid, now=now)
    services.cancel_registration(reg, actor=organiser, now=now)
    with pytest.raises(InvalidState):
        services.confirm_paid_order(reg.order, amount_minor=12000, now=now)


def test_expire_order_is_idempotent_and_leaves_paid_orders(event, paid, now):
    order = make_registration(event, paid, now=now).order
    services.expire_order(order, now=now + timedelta(hours=1))
    services.expire_order(order, now=now + timedelta(hours=2))
    assert [h for h in order.registrations if h.status == RegistrationStatus.EXPIRED]
    other = make_registration(event, paid, now=now).order
    services.confirm_paid_order(other, amount_minor=12000, now=now)
    services.expire_order(other, now=now + timedelta(hours=1))
    assert other.registrations[0].status == RegistrationStatus.CONFIRMED


def test_expired_holds_lists_only_lapsed_orders(event, paid, now):
    lapsed = make_registration(event, paid, now=now - timedelta(hours=1)).order
    make_registration(event, paid, now=now)
    assert [o.id for o in services.expired_holds(now=now)] == [lapsed.id]


@pytest.mark.parametrize("policy,until,expected", [
    ("full", None, 12000), ("none", None, 0),
    ("until_date", 1, 12000), ("until_date", -1, 0),
])
def test_refundable_amount_follows_the_policy(db, event, paid, now, policy, until, expected):
    db.session.add(RegistrationSettings(event_id=event.id, refund_policy=policy,
                                        refund_until=(now + timedelta(days=until)) if until else None))
    order = make_registration(event, paid, now=now).order
    services.confirm_paid_order(order, amount_minor=12000, now=now)
    assert services.refundable_amount(order, now=now) == expected


def test_refundable_amount_never_exceeds_paid_minus_refunded(event, paid, now):
    order = make_registration(event, paid, now=now).order
    services.confirm_paid_order(order, amount_minor=12000, now=now)
    order.refunded_minor = 10000
    assert services.refundable_amount(order, now=now) == 2000
    unpaid = make_registration(event, paid, now=now).order
    assert services.refundable_amount(unpaid, now=now) == 0


def test_approving_a_waiver_confirms_it_as_waived(event, now, organiser):
    category = make_category(event, price_kind="fixed", price_minor=8000, allows_waiver=True)
    order = make_registration(event, category, now=now, waiver_requested=True, waiver_reason="Student organiser").order
    services.approve_order(order, actor=organiser, now=now)
    assert order.payment_state == PaymentState.WAIVED
    assert order.registrations[0].status == RegistrationStatus.CONFIRMED


def test_approving_a_paid_registration_holds_it_for_payment(db, event, now, organiser):
    db.session.add(RegistrationSettings(event_id=event.id, offer_hours=24))
    category = make_category(event, price_kind="fixed", price_minor=8000, requires_approval=True)
    order = make_registration(event, category, now=now).order
    services.approve_order(order, actor=organiser, now=now)
    reg = order.registrations[0]
    assert reg.status == RegistrationStatus.AWAITING_PAYMENT and reg.hold_expires_at == now + timedelta(hours=24)


def test_rejecting_frees_the_place(db, organiser, now):
    event = make_event(organiser=organiser, capacity=1)
    category = make_category(event, requires_approval=True)
    order = make_registration(event, category, now=now).order
    services.reject_order(order, actor=organiser, now=now, message="Sorry, full of speakers")
    assert order.registrations[0].status == RegistrationStatus.REJECTED
    assert make_registration(event, make_category(event), now=now)


def test_only_organisers_approve_and_only_pending_orders(event, now, organiser):
    category = make_category(event, requires_approval=True)
    order = make_registration(event, category, now=now).order
    with pytest.raises(NotAllowed):
        services.approve_order(order, actor=make_user(), now=now)
    services.approve_order(order, actor=organiser, now=now)
    with pytest.raises(InvalidState):
        services.approve_order(order, actor=organiser, now=now)


def test_cancel_free_registration_frees_the_place_and_offers_it(db, organiser, now):
    event = make_event(organiser=organiser, capacity=1)
    category = make_category(event)
    reg = make_registration(event, category, now=now)
    entry = join_waitlist(event, name="Jo Waiting", email="jo@example.org", now=now)
    refunded = services.cancel_registration(reg, actor=None, now=now, by_attendee=True)
    assert refunded == 0 and reg.status == RegistrationStatus.CANCELLED
    assert entry.status == WaitlistStatus.OFFERED


def test_cancel_twice_is_refused(event, now, organiser):
    reg = make_registration(event, make_category(event), now=now)
    services.cancel_registration(reg, actor=organiser, now=now)
    with pytest.raises(InvalidState):
        services.cancel_registration(reg, actor=organiser, now=now)


def test_attendee_cannot_ask_for_a_full_refund_and_strangers_cannot_cancel(event, now):
    reg = make_registration(event, make_category(event), now=now)
    with pytest.raises(NotAllowed):
        services.cancel_registration(reg, actor=None, now=now, by_attendee=True, refund="full")
    with pytest.raises(NotAllowed):
        services.cancel_registration(reg, actor=make_user(), now=now)


def test_cancel_paid_registration_refunds_through_payments(event, paid, now, organiser):
    order = make_registration(event, paid, now=now).order
    services.confirm_paid_order(order, amount_minor=12000, now=now)
    refunded = services.cancel_registration(order.registrations[0], actor=None, now=now, by_attendee=True)
    assert refunded == 12000 and order.refunded_minor == 12000
    assert order.payment_state == PaymentState.REFUNDED


def test_cancel_after_the_refund_date_refunds_nothing(db, event, paid, now):
    db.session.add(RegistrationSettings(event_id=event.id, refund_policy="until_date", refund_until=now - timedelta(days=1)))
    order = make_registration(event, paid, now=now).order
    services.confirm_paid_order(order, amount_minor=12000, now=now)
    assert services.cancel_registration(order.registrations[0], actor=None, now=now, by_attendee=True) == 0
    assert order.refunded_minor == 0 and order.registrations[0].status == RegistrationStatus.CANCELLED


def test_group_cancellation_refunds_one_share_and_organisers_may_refund_in_full(db, event, paid, now, organiser):
    db.session.add(RegistrationSettings(event_id=event.id, refund_policy="none"))
    order = make_registration(event, paid, now=now, quantity=2).order
    services.confirm_paid_order(order, amount_minor=24000, now=now)
    assert services.cancel_registration(order.registrations[0], actor=organiser, now=now) == 0
    assert services.cancel_registration(order.registrations[1], actor=organiser, now=now, refund="full") == 12000
    assert order.refunded_minor == 12000


def test_update_answers_checks_like_registration(event, now, organiser, db):
    from confapp.errors import ValidationFailed
    from confapp.registration.models import Question

    q = Question(event_id=event.id, kind="short_text", label="Organisation", required=True, builtin_key="organisation")
    db.session.add(q)
    db.session.flush()
    reg = make_registration(event, make_category(event), now=now, answers={q.id: "Columbia University"})
    with pytest.raises(ValidationFailed) as error:
        services.update_answers(reg, first_name="", last_name="", answers={q.id: ""}, actor=None, now=now, by_attendee=True)
    assert set(error.value.errors) == {"first_name", f"q_{q.id}"}
    services.update_answers(reg, first_name="Ana", last_name="Ruiz", answers={q.id: "Northeastern"}, actor=None, now=now, by_attendee=True)
    assert reg.answers[0].value == "Northeastern" and "ana ruiz" in reg.search_text


def test_organiser_cannot_move_a_registration_onto_an_email_already_registered(event, now, organiser):
    from confapp.errors import ValidationFailed

    category = make_category(event)
    make_registration(event, category, email="first@example.org", now=now)
    second = make_registration(event, category, email="second@example.org", now=now)
    with pytest.raises(ValidationFailed) as error:
        services.update_answers(second, first_name="S", last_name="", answers={}, email="FIRST@example.org",
                                actor=organiser, now=now)
    assert "email" in error.value.errors
    services.update_answers(second, first_name="S", last_name="", answers={}, email="third@example.org", actor=organiser, now=now)
    assert second.email == "third@example.org"
