"""Capacity and idempotency under real concurrency, against the real PostgreSQL server."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from confapp.errors import SoldOut, ValidationFailed
from confapp.extensions import db
from confapp.registration import services
from confapp.registration.models import Order, Registration
from confapp.registration.services import AttendeeData, CategoryChoice, OrderRequest
from confapp.types import utcnow

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _setup(app, capacity: int, taken: int, label: str) -> tuple[int, int]:
    from tests.factories import make_category, make_event, make_registration

    with app.app_context():
        event = make_event(capacity=capacity, slug=f"race-{label}")
        category = make_category(event, name="General")
        for i in range(taken):
            make_registration(event, category, email=f"early{i}-{label}@example.org", send_email=False)
        db.session.commit()
        return event.id, category.id


def _attempt(app, event_id, category_id, n, barrier, outcomes, key=None, label=""):
    from confapp.events.models import Event

    with app.app_context():
        try:
            event = db.session.get(Event, event_id)
            request = OrderRequest([CategoryChoice(category_id, 1)],
                                   [AttendeeData(f"Racer{n}", "Example", f"racer{n}-{label}@example.org")],
                                   idempotency_key=key, send_email=False)
            barrier.wait(timeout=30)
            order = services.place_order(event, request, now=utcnow())
            db.session.commit()
            outcomes[n] = ("ok", order.id)
        except SoldOut:
            db.session.rollback()
            outcomes[n] = ("sold_out", None)
        except Exception as error:  # noqa: BLE001 - recorded and asserted on below
            db.session.rollback()
            outcomes[n] = ("error", repr(error))
        finally:
            db.session.remove()


def _race(app, event_id, category_id, attempts, *, key=None, label=""):
    barrier = threading.Barrier(attempts)
    outcomes: dict[int, tuple] = {}
    threads = [threading.Thread(target=_attempt, args=(app, event_id, category_id, n, barrier, outcomes, key, label))
               for n in range(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@pytest.mark.parametrize("round_", range(4))
def test_fifty_concurrent_attempts_for_the_last_five_places_create_exactly_five(pg_app, round_):
    event_id, category_id = _setup(pg_app, capacity=20, taken=15, label=f"r{round_}")
    outcomes = _race(pg_app, event_id, category_id, 50, label=f"r{round_}")
    kinds = Counter(kind for kind, _ in outcomes.values())
    assert kinds == {"ok": 5, "sold_out": 45}, outcomes
    with pg_app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Registration).where(Registration.event_id == event_id))
        assert count == 20


def test_concurrent_double_submission_of_one_form_creates_one_order(pg_app):
    event_id, category_id = _setup(pg_app, capacity=100, taken=0, label="dup")
    barrier_outcomes = _race(pg_app, event_id, category_id, 12, key="form-token-123", label="dup")
    assert {kind for kind, _ in barrier_outcomes.values()} == {"ok"}, barrier_outcomes
    order_ids = {order_id for kind, order_id in barrier_outcomes.values() if kind == "ok"}
    with pg_app.app_context():
        orders = db.session.scalars(select(Order).where(Order.event_id == event_id)).all()
        assert len(orders) == 1
        assert order_ids == {orders[0].id}
