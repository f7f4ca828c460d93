"""Order codes on PostgreSQL: the unique constraint catches a duplicate code (named
uq_orders_code there) and the order is placed with another; a twin's idempotency key is not
taken for one (tests/unit/registration/test_order_codes.py has the same on SQLite)."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from confapp.extensions import db
from confapp.registration import common, services
from confapp.registration.models import Order
from confapp.registration.services import AttendeeData, CategoryChoice, OrderRequest
from tests.factories import make_category, make_event

pytestmark = pytest.mark.postgres


def _request(category, email: str, **extra) -> OrderRequest:
    return OrderRequest([CategoryChoice(category.id, 1)], [AttendeeData("Olu", "Okafor", email)], **extra)


def test_a_duplicate_code_is_drawn_again_and_a_duplicate_key_propagates(pg_app, now, monkeypatch):
    with pg_app.app_context():
        event = make_event()
        category = make_category(event)
        first = services.place_order(event, _request(category, "first@example.org", idempotency_key="k1"), now=now)
        db.session.commit()
        queued = list(first.code)
        monkeypatch.setattr(common.secrets, "choice", lambda alphabet: queued.pop(0) if queued else random.choice(alphabet))
        second = services.place_order(event, _request(category, "second@example.org"), now=now)
        db.session.commit()
        assert second.code != first.code and not queued
        assert db.session.scalar(select(func.count()).select_from(Order)) == 2
        monkeypatch.setattr(services, "find_order_by_key", lambda key: None)
        with pytest.raises(IntegrityError) as error:
            services.place_order(event, _request(category, "third@example.org", idempotency_key="k1"), now=now)
        assert error.value.orig.diag.constraint_name == "uq_orders_idempotency_key"
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Order)) == 2
        db.session.remove()
