"""place_order quotes first and decides after its decision point (where the confirm step and the
API's create take embedded SQLite's write lock): what another order changed in between, after
the quote read it, is read again and decided on its current value (issue 16)."""
from collections import Counter

import pytest
from sqlalchemy import func, select, text

from confapp.errors import SoldOut, ValidationFailed
from confapp.registration import services
from confapp.registration.models import (
    AccessCode, DiscountCode, Order, RegistrationStatus, WaitlistEntry, WaitlistStatus,
)
from confapp.registration.services import AttendeeData, CategoryChoice, OrderRequest
from confapp.registration.waitlist import join_waitlist
from confapp.transactions import on_decision_point
from tests.factories import make_category, make_event, make_registration


def _request(category, email="late@example.org", **extra) -> OrderRequest:
    return OrderRequest([CategoryChoice(category.id, 1)], [AttendeeData("Lena", "Late", email)], **extra)


def _meanwhile(db, sql: str, **params):
    """At the decision point, as another writer would have done after our quote: a change the
    session's loaded rows do not know of."""
    calls = Counter()

    def hook():
        calls["decision_point"] += 1
        db.session.connection().execute(text(sql), params)

    return hook, calls


def _orders(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Order))


def test_a_discount_code_used_up_after_the_quote_is_refused_at_the_decision(db, event, now):
    category = make_category(event, price_kind="fixed", price_minor=4000)
    code = DiscountCode(event_id=event.id, code="LAST1", kind="fixed", amount_minor=1000, usage_limit=1)
    db.session.add(code)
    db.session.flush()
    hook, calls = _meanwhile(db, "UPDATE discount_codes SET times_used = 1 WHERE id = :id", id=code.id)
    with on_decision_point(hook), pytest.raises(ValidationFailed) as refused:
        services.place_order(event, _request(category, discount_code="LAST1", payment_method="card"), now=now)
    assert calls["decision_point"] == 1 and "used up" in refused.value.errors["discount_code"]
    assert _orders(db) == 0


def test_uses_are_counted_on_from_the_value_read_under_the_lock(db, event, now):
    category = make_category(event, name="Speaker", visibility="hidden")
    access = AccessCode(event_id=event.id, code="SPEAK", category_ids=[category.id], usage_limit=5)
    discount = DiscountCode(event_id=event.id, code="HALF", kind="percent", percent=50, usage_limit=5)
    db.session.add_all([access, discount])
    db.session.flush()
    hook, _ = _meanwhile(db, "UPDATE access_codes SET times_used = 3 WHERE id = :id", id=access.id)
    with on_decision_point(hook):
        services.place_order(event, _request(category, access_code="speak", discount_code="half"), now=now)
    assert access.times_used == 4 and discount.times_used == 1


def test_an_access_code_used_up_after_the_quote_is_refused_at_the_decision(db, event, now):
    category = make_category(event, name="Speaker", visibility="hidden")
    access = AccessCode(event_id=event.id, code="ONCE", category_ids=[category.id], usage_limit=1)
    db.session.add(access)
    db.session.flush()
    hook, _ = _meanwhile(db, "UPDATE access_codes SET times_used = 1 WHERE id = :id", id=access.id)
    with on_decision_point(hook), pytest.raises(ValidationFailed) as refused:
        services.place_order(event, _request(category, access_code="ONCE"), now=now)
    assert "used up" in refused.value.errors["access_code"] and _orders(db) == 0


def test_a_waitlist_offer_claimed_after_the_quote_is_refused_at_the_decision(db, organiser, now):
    event = make_event(organiser=organiser, capacity=1)
    category = make_category(event)
    taken = make_registration(event, category, now=now)
    entry = join_waitlist(event, name="Wai Ting", email="wai@example.org", now=now)
    services.cancel_registration(taken, actor=organiser, now=now)
    assert entry.status == WaitlistStatus.OFFERED
    hook, _ = _meanwhile(db, "UPDATE waitlist_entries SET status = 'claimed' WHERE id = :id", id=entry.id)
    with on_decision_point(hook), pytest.raises(ValidationFailed) as refused:
        services.place_order(event, _request(category, email="wai@example.org", waitlist_token=entry.offer_token), now=now)
    assert "waitlist" in refused.value.errors
    assert db.session.get(WaitlistEntry, entry.id).status == WaitlistStatus.CLAIMED


def test_the_last_place_taken_after_the_quote_is_sold_out_at_the_decision(db, organiser, now):
    event = make_event(organiser=organiser, capacity=1)
    category = make_category(event)

    def someone_else_takes_it():
        with on_decision_point(lambda: None):
            make_registration(event, category, now=now, email="first@example.org")

    with on_decision_point(someone_else_takes_it), pytest.raises(SoldOut):
        services.place_order(event, _request(category), now=now)
    assert [r.email for r in db.session.scalars(select(Order)).one().registrations] == ["first@example.org"]


def test_an_email_registered_after_the_quote_is_refused_at_the_decision(db, event, now):
    category = make_category(event)

    def the_same_person_elsewhere():
        with on_decision_point(lambda: None):
            make_registration(event, category, now=now, email="late@example.org")

    with on_decision_point(the_same_person_elsewhere), pytest.raises(ValidationFailed) as refused:
        services.place_order(event, _request(category), now=now)
    assert "attendees-0-email" in refused.value.errors and _orders(db) == 1


def test_a_twin_placed_after_the_quote_is_the_answer(db, event, now):
    category = make_category(event)
    twin = []

    def the_twin_commits_first():
        with on_decision_point(lambda: None):
            twin.append(services.place_order(event, _request(category, idempotency_key="form-1"), now=now))

    with on_decision_point(the_twin_commits_first):
        order = services.place_order(event, _request(category, idempotency_key="form-1"), now=now)
    assert order is twin[0] and _orders(db) == 1
    assert [r.status for r in order.registrations] == [RegistrationStatus.CONFIRMED]


def test_a_capacity_lowered_after_the_quote_is_decided_on_its_new_value(db, organiser, now):
    # On embedded SQLite the event's row is not read again under the lock: its capacity comes
    # with the places taken, in the same query.
    event = make_event(organiser=organiser, capacity=5)
    category = make_category(event)
    make_registration(event, category, now=now, email="first@example.org")
    hook, _ = _meanwhile(db, "UPDATE events SET capacity = 1 WHERE id = :id", id=event.id)
    with on_decision_point(hook), pytest.raises(SoldOut):
        services.place_order(event, _request(category), now=now)
    assert event.capacity == 1 and event not in db.session.dirty and _orders(db) == 1


def test_a_twin_that_no_check_refuses_is_found_by_its_key(db, event, now):
    # Several registrations per email allowed, room left: only the order's unique key tells.
    category = make_category(event)
    services.settings_for(event).allow_multiple_per_email = True
    db.session.flush()
    twin = []

    def the_twin_commits_first():
        with on_decision_point(lambda: None):
            twin.append(services.place_order(event, _request(category, idempotency_key="form-2"), now=now))

    with on_decision_point(the_twin_commits_first):
        order = services.place_order(event, _request(category, idempotency_key="form-2"), now=now)
    assert order is twin[0] and _orders(db) == 1 and len(order.registrations) == 1
