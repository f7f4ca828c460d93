"""Orders at an event where nothing is limited do not lock the event row (they do not queue
behind each other or behind other work on the event), while the one-registration-per-email rule
still holds under concurrency (an advisory lock per email)."""
from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration.models import Registration
from tests.factories import make_category, make_event, make_registration

pytestmark = pytest.mark.postgres


def _event(app, *, capacity):
    with app.app_context():
        event = make_event(capacity=capacity)
        category = make_category(event)
        db.session.commit()
        return event.id, category.id


def _hold_event_row(app, event_id):
    """The event row locked as the app locks it (capacity.lock_event; an organiser's UPDATE of the
    event takes the same lock)."""
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    connection.execute(text("SELECT id FROM events WHERE id = :id FOR NO KEY UPDATE"), {"id": event_id})
    return connection, transaction


def _category(category_id):
    from confapp.registration.models import RegistrationCategory

    return db.session.get(RegistrationCategory, category_id)


def test_an_order_at_an_unlimited_event_does_not_wait_for_the_event_row(pg_app):
    event_id, category_id = _event(pg_app, capacity=None)
    connection, transaction = _hold_event_row(pg_app, event_id)
    try:
        started = time.monotonic()
        with pg_app.app_context():
            make_registration(db.session.get(Event, event_id), _category(category_id), send_email=False)
            db.session.commit()
        assert time.monotonic() - started < 2
    finally:
        transaction.rollback()
        connection.close()


def test_an_order_at_a_limited_event_takes_the_event_row_and_gives_up_after_the_lock_timeout(pg_app):
    event_id, category_id = _event(pg_app, capacity=50)
    connection, transaction = _hold_event_row(pg_app, event_id)
    try:
        with pg_app.app_context():
            with pytest.raises(OperationalError) as raised:
                make_registration(db.session.get(Event, event_id), _category(category_id), send_email=False)
            assert raised.value.orig.sqlstate == "55P03"
            db.session.rollback()
    finally:
        transaction.rollback()
        connection.close()


@pytest.mark.parametrize("round_", range(3))
def test_two_orders_for_one_email_at_an_unlimited_event_give_one_registration(pg_app, round_):
    from confapp.errors import ValidationFailed

    event_id, category_id = _event(pg_app, capacity=None)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def buy():
        with pg_app.app_context():
            event, category = db.session.get(Event, event_id), _category(category_id)
            barrier.wait(timeout=20)
            try:
                make_registration(event, category, email="same@example.org", send_email=False)
                db.session.commit()
                outcomes.append("ok")
            except ValidationFailed:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=buy) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert Counter(outcomes) == {"ok": 1, "refused": 1}
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration).where(Registration.email == "same@example.org")) == 1
