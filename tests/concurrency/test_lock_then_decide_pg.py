"""Lock, re-read, then decide: state changes that race on the real PostgreSQL server (SQLite
ignores FOR UPDATE; its writers are serialised by BEGIN IMMEDIATE). Each race starts its
racers at a barrier and runs several rounds."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from confapp.accounts.models import Role, User
from confapp.checkin import services as checkin
from confapp.checkin.models import CheckIn, CheckInList
from confapp.extensions import db
from confapp.registration import services, waitlist
from confapp.payments.models import Refund
from confapp.registration.models import Order, Registration, RegistrationStatus, WaitlistEntry, WaitlistStatus
from tests.factories import grant, make_category, make_event, make_registration, make_user
from tests.support.payment_orders import make_card_order, make_paid_category

pytestmark = pytest.mark.postgres

ROUNDS = 4


def _race(app, *racers):
    """Run each racer (a function of no arguments, inside its own app context) at once; return
    what each returned or raised, in order."""
    barrier = threading.Barrier(len(racers))
    results: list = [None] * len(racers)

    def run(i, racer):
        with app.app_context():
            try:
                prepared = racer()
                barrier.wait(timeout=20)
                results[i] = prepared()
                db.session.commit()
            except BaseException as error:  # noqa: BLE001 - compared by the test
                db.session.rollback()
                results[i] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def _kind(result) -> str:
    return type(result).__name__ if isinstance(result, BaseException) else "ok"


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_cancels_of_one_attendee_in_a_paid_group_order_refund_once(pg_app, now, round_):
    with pg_app.app_context():
        organiser = make_user()
        event = make_event(organiser=organiser)
        order = make_card_order(event, make_paid_category(event, price_minor=5000), now=now, quantity=2, send_email=False)
        services.confirm_paid_order(order, amount_minor=order.total_minor, now=now, send_email=False)
        reg_id, organiser_id, order_id = order.registrations[0].id, organiser.id, order.id
        db.session.commit()

    def by_attendee():
        reg = db.session.get(Registration, reg_id)
        return lambda: services.cancel_registration(reg, actor=None, by_attendee=True, now=now, send_email=False)

    def by_organiser():
        reg, actor = db.session.get(Registration, reg_id), db.session.get(User, organiser_id)
        return lambda: services.cancel_registration(reg, actor=actor, refund="full", now=now, send_email=False)

    results = _race(pg_app, by_attendee, by_organiser)
    assert Counter(map(_kind, results)) == {"ok": 1, "InvalidState": 1}, results
    assert [r for r in results if not isinstance(r, BaseException)] == [5000]
    with pg_app.app_context():
        order = db.session.get(Order, order_id)
        assert order.refunded_minor == 5000
        assert db.session.scalar(select(func.sum(Refund.amount_minor)).where(Refund.order_id == order_id)) == 5000


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_approve_racing_reject_gives_one_outcome(pg_app, now, round_):
    with pg_app.app_context():
        organiser, colleague = make_user(), make_user()
        event = make_event(organiser=organiser)
        grant(event, colleague, Role.ORGANISER)
        reg = make_registration(event, make_category(event, requires_approval=True), quantity=2, send_email=False)
        assert reg.status == RegistrationStatus.PENDING_APPROVAL
        order_id, ids = reg.order_id, (organiser.id, colleague.id)
        db.session.commit()

    def decide(action, user_id):
        def prepare():
            order, actor = db.session.get(Order, order_id), db.session.get(User, user_id)
            return lambda: action(order, actor=actor, now=now)
        return prepare

    results = _race(pg_app, decide(services.approve_order, ids[0]), decide(services.reject_order, ids[1]))
    assert Counter(map(_kind, results)) == {"ok": 1, "InvalidState": 1}, results
    won = RegistrationStatus.CONFIRMED if _kind(results[0]) == "ok" else RegistrationStatus.REJECTED
    with pg_app.app_context():
        statuses = db.session.scalars(select(Registration.status).where(Registration.order_id == order_id)).all()
        assert statuses == [won, won]


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_freed_places_give_two_offers_never_the_same_entry_twice(pg_app, now, round_):
    with pg_app.app_context():
        organiser = make_user()
        event = make_event(organiser=organiser, capacity=2)
        category = make_category(event)
        regs = [make_registration(event, category, send_email=False) for _ in range(2)]
        entries = [waitlist.join_waitlist(event, name=f"Waiting {i}", email=f"waiting{i}@example.org", now=now)
                   for i in range(3)]
        assert all(e.status == WaitlistStatus.WAITING for e in entries)
        reg_ids, entry_ids, organiser_id = [r.id for r in regs], [e.id for e in entries], organiser.id
        db.session.commit()

    def cancel(reg_id):
        def prepare():
            reg, actor = db.session.get(Registration, reg_id), db.session.get(User, organiser_id)
            return lambda: services.cancel_registration(reg, actor=actor, refund="none", now=now, send_email=False)
        return prepare

    results = _race(pg_app, cancel(reg_ids[0]), cancel(reg_ids[1]))
    assert list(map(_kind, results)) == ["ok", "ok"], results
    with pg_app.app_context():
        statuses = dict(db.session.execute(select(WaitlistEntry.id, WaitlistEntry.status)).all())
        assert [statuses[i] for i in entry_ids] == [WaitlistStatus.OFFERED, WaitlistStatus.OFFERED, WaitlistStatus.WAITING]
        tokens = db.session.scalars(select(WaitlistEntry.offer_token).where(WaitlistEntry.offer_token.is_not(None))).all()
        assert len(set(tokens)) == 2


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_cancellation_committed_while_a_redeem_is_in_flight_is_refused(pg_app, now, monkeypatch, round_):
    """The redeem reads the ticket (confirmed), then the cancellation commits, then the redeem
    writes: the desk must refuse it, not admit a cancelled ticket."""
    with pg_app.app_context():
        organiser = make_user()
        event = make_event(organiser=organiser)
        checkin_list = checkin.main_list(event, actor=organiser, now=now)
        reg = make_registration(event, make_category(event), send_email=False)
        reg_id, list_id, code, organiser_id = reg.id, checkin_list.id, reg.ticket_code, organiser.id
        db.session.commit()

    read_done, cancelled = threading.Event(), threading.Event()
    real_begin_writing = checkin.decision_point

    def begin_writing_after_the_cancel():
        read_done.set()
        assert cancelled.wait(15)
        real_begin_writing()

    monkeypatch.setattr(checkin, "decision_point", begin_writing_after_the_cancel)

    def redeem():
        actor, the_list = db.session.get(User, organiser_id), db.session.get(CheckInList, list_id)
        return lambda: checkin.redeem(code, checkin_list=the_list, station="Door", actor=actor, now=now)

    def cancel():
        reg, actor = db.session.get(Registration, reg_id), db.session.get(User, organiser_id)

        def run():
            assert read_done.wait(15)
            amount = services.cancel_registration(reg, actor=actor, refund="none", now=now, send_email=False)
            db.session.commit()
            cancelled.set()
            return amount
        return run

    results = _race(pg_app, redeem, cancel)
    assert _kind(results[1]) == "ok", results
    assert results[0].outcome == checkin.Outcome.CANCELLED, results
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0



@pytest.mark.parametrize("round_", range(ROUNDS))
def test_an_offer_claimed_while_the_expiry_job_runs_is_either_claimed_or_expired_never_both(pg_app, now, round_):
    from datetime import timedelta

    with pg_app.app_context():
        organiser = make_user()
        event = make_event(organiser=organiser, capacity=1)
        category = make_category(event)
        taken = make_registration(event, category, send_email=False)
        entry = waitlist.join_waitlist(event, name="Waiting", email="waiting@example.org", now=now)
        services.cancel_registration(taken, actor=organiser, refund="none", now=now, send_email=False)
        assert entry.status == WaitlistStatus.OFFERED
        entry_id, event_id, category_id, token, expires = entry.id, event.id, category.id, entry.offer_token, entry.offer_expires_at
        db.session.commit()

    from confapp.events.models import Event
    from confapp.registration.models import RegistrationCategory

    def claim():
        event, category = db.session.get(Event, event_id), db.session.get(RegistrationCategory, category_id)
        return lambda: make_registration(event, category, email="waiting@example.org", waitlist_token=token,
                                         now=expires - timedelta(seconds=1), send_email=False)

    def expire():
        return lambda: waitlist.expire_offers(now=expires + timedelta(seconds=1))

    results = _race(pg_app, claim, expire)
    with pg_app.app_context():
        entry = db.session.get(WaitlistEntry, entry_id)
        claimed = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.email == "waiting@example.org", Registration.status == RegistrationStatus.CONFIRMED))
        if entry.status == WaitlistStatus.CLAIMED:
            assert claimed == 1 and results[1] == 0, results
        else:
            assert entry.status == WaitlistStatus.EXPIRED and claimed == 0, results


def _card_order_with_other_methods(now):
    from tests.support.payment_orders import enable_offline_methods

    organiser = make_user()
    event = make_event(organiser=organiser)
    enable_offline_methods(event)
    order = make_card_order(event, make_paid_category(event, price_minor=5000), now=now, quantity=2, send_email=False)
    assert {r.status for r in order.registrations} == {RegistrationStatus.AWAITING_PAYMENT}
    return order


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_paying_another_way_twice_at_once_confirms_once(pg_app, now, round_):
    """A double click on "Pay by invoice": one confirms the held places, the other is refused."""
    from confapp.registration.changes import pay_another_way
    from confapp.registration.models import PaymentMethod, RegistrationEvent

    with pg_app.app_context():
        order_id = _card_order_with_other_methods(now).id
        db.session.commit()

    def choose():
        order = db.session.get(Order, order_id)
        return lambda: pay_another_way(order, PaymentMethod.INVOICE, now=now)

    results = _race(pg_app, choose, choose)
    assert Counter(map(_kind, results)) == {"ok": 1, "InvalidState": 1}, results
    with pg_app.app_context():
        order = db.session.get(Order, order_id)
        assert order.payment_method == PaymentMethod.INVOICE
        assert {r.status for r in order.registrations} == {RegistrationStatus.CONFIRMED}
        changes = db.session.scalar(select(func.count()).select_from(RegistrationEvent).where(
            RegistrationEvent.order_id == order_id, RegistrationEvent.kind == "payment_method_changed"))
        assert changes == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_paying_another_way_while_the_hold_expires_gives_one_outcome(pg_app, now, round_):
    """The buyer chooses invoice just before the hold ends while the expiry job runs just after:
    either the places are confirmed (and the job leaves them) or they are released (and the
    buyer is told), never confirmed places that were also given back."""
    from datetime import timedelta

    from confapp.registration.changes import pay_another_way
    from confapp.registration.models import PaymentMethod

    with pg_app.app_context():
        order = _card_order_with_other_methods(now)
        order_id, hold = order.id, order.hold_expires_at
        db.session.commit()

    def choose():
        order = db.session.get(Order, order_id)
        return lambda: pay_another_way(order, PaymentMethod.INVOICE, now=hold - timedelta(seconds=1))

    def expire():
        order = db.session.get(Order, order_id)
        return lambda: services.expire_order(order, now=hold + timedelta(seconds=1))

    results = _race(pg_app, choose, expire)
    assert _kind(results[1]) == "ok", results
    with pg_app.app_context():
        statuses = set(db.session.scalars(select(Registration.status).where(Registration.order_id == order_id)))
    if _kind(results[0]) == "ok":
        assert statuses == {RegistrationStatus.CONFIRMED}
    else:
        assert _kind(results[0]) == "InvalidState", results
        assert statuses == {RegistrationStatus.EXPIRED}
