"""Order codes: drawn at random and kept unique by the database's constraint, not by a SELECT per
code (issue 16); a duplicate is drawn again, a bounded number of times, and no other integrity
error is taken for one."""
import random

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from confapp.registration import common, services
from confapp.registration.models import Order
from confapp.registration.services import AttendeeData, CategoryChoice, OrderRequest
from tests.factories import make_category
from tests.support.queries import count_queries


def _request(category, email: str, **extra) -> OrderRequest:
    return OrderRequest([CategoryChoice(category.id, 1)], [AttendeeData("Olu", "Okafor", email)], **extra)


def _draws(monkeypatch, *codes: str):
    """The random source gives the characters of `codes` first, then random ones; counts its draws."""
    queued = [c for code in codes for c in code]
    drawn = []

    def choice(alphabet):
        drawn.append(1)
        return queued.pop(0) if queued else random.choice(alphabet)

    monkeypatch.setattr(common.secrets, "choice", choice)
    return drawn


def test_a_code_drawn_twice_is_drawn_again_and_the_order_placed_once(db, event, now, monkeypatch):
    category = make_category(event)
    first = services.place_order(event, _request(category, "first@example.org"), now=now)
    drawn = _draws(monkeypatch, first.code)
    with count_queries(db.engine) as counter:
        order = services.place_order(event, _request(category, "second@example.org"), now=now)
    assert order.code != first.code and len(order.code) == 8 and len(drawn) == 16
    assert db.session.scalar(select(func.count()).select_from(Order).where(Order.buyer_email == "second@example.org")) == 1
    assert [r.order_id for r in order.registrations] == [order.id]
    assert [r.email for r in db.session.get(Order, order.id).registrations] == ["second@example.org"]
    # No look-up of the code: the constraint found the duplicate.
    assert not [s for s in counter if s.startswith("SELECT orders.id FROM orders WHERE orders.code")], counter.statements


def test_an_order_code_is_not_looked_up_before_its_insert(db, event, now):
    category = make_category(event)
    with count_queries(db.engine) as counter:
        services.place_order(event, _request(category, "look@example.org"), now=now)
    assert not [s for s in counter if "WHERE orders.code" in s], counter.statements


def test_drawing_is_bounded(db, event, now, monkeypatch):
    category = make_category(event)
    _draws(monkeypatch, "AAAAAAAA")
    services.place_order(event, _request(category, "a@example.org"), now=now)
    monkeypatch.setattr(common.secrets, "choice", lambda alphabet: "A")
    with pytest.raises(IntegrityError):
        services.place_order(event, _request(category, "b@example.org"), now=now)


def test_another_integrity_error_is_not_taken_for_a_duplicate_code(db, event, now, monkeypatch):
    category = make_category(event)
    services.place_order(event, _request(category, "twin@example.org", idempotency_key="form-9"), now=now)
    # As if the twin committed after both of this order's look-ups of its key.
    monkeypatch.setattr(services, "find_order_by_key", lambda key: None)
    drawn = _draws(monkeypatch)
    with pytest.raises(IntegrityError) as error:
        services.place_order(event, _request(category, "twin2@example.org", idempotency_key="form-9"), now=now)
    assert "idempotency_key" in str(error.value.orig) and len(drawn) == 8
