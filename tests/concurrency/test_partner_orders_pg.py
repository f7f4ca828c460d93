"""A partner token's orders on the real PostgreSQL server: the same POST sent at once with one
Idempotency-Key makes one order, noted once as the token's (the twins find the order and its note
made by the first), and card orders for the last places hold exactly as many places as there are."""
from collections import Counter

import pytest
from sqlalchemy import func, select

from confapp.api.models import ApiIdempotencyKey, ApiTokenOrder
from confapp.api.tokens import create_token
from confapp.extensions import db
from confapp.registration.models import Order, Registration, RegistrationStatus
from tests.concurrency.test_api_orders_pg import CLIENTS
from tests.factories import make_category, make_event, make_user
from tests.support.api_race import post_at_once

pytestmark = pytest.mark.postgres


def _partner_event(now, **event_fields):
    organiser = make_user(name="Maria")
    event = make_event(organiser=organiser, **event_fields)
    _, secret = create_token(event, name="Partner site", scopes=["registrations:public"], expires_at=None,
                             actor=organiser, now=now)
    return event, secret


def test_the_same_partner_create_sent_at_once_makes_one_order_noted_once(pg_app, now):
    with pg_app.app_context():
        event, secret = _partner_event(now, capacity=50)
        category = make_category(event, name="Delegate")
        db.session.commit()
        url = f"/api/v1/events/{event.slug}/orders"
        body = {"attendees": [{"first_name": "Amina", "email": "amina@example.org", "category_id": category.id}]}
    answers = post_at_once(pg_app, url, secret, [body] * CLIENTS, ["partner-cart-1"] * CLIENTS)
    assert Counter(status for status, _ in answers) == {201: CLIENTS}, answers[:3]
    assert all(answer == answers[0][1] for _, answer in answers)
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 1
        assert db.session.scalar(select(func.count()).select_from(ApiIdempotencyKey)) == 1
        assert db.session.scalars(select(ApiTokenOrder.order_id)).all() == [answers[0][1]["id"]]


def test_partner_card_orders_for_the_last_places_hold_exactly_those_places(pg_app, now):
    """30 buyers at once, each their own order (no key), for 5 places of a priced category: 5 held card orders
    with a payment URL, 25 sold-out problems."""
    with pg_app.app_context():
        event, secret = _partner_event(now)
        category = make_category(event, name="General", price_kind="fixed", price_minor=5000, capacity=5)
        db.session.commit()
        url = f"/api/v1/events/{event.slug}/orders"
        event_id, category_id = event.id, category.id
    bodies = [{"attendees": [{"first_name": f"Buyer{n}", "email": f"buyer{n}@example.org", "category_id": category_id}]}
              for n in range(30)]
    answers = post_at_once(pg_app, url, secret, bodies, [None] * len(bodies))  # each buyer their own order
    assert Counter(status for status, _ in answers) == {201: 5, 409: 25}, [a for a in answers if a[0] not in (201, 409)][:2]
    assert all(answer["payment_url"] for status, answer in answers if status == 201)
    with pg_app.app_context():
        held = db.session.scalars(select(Registration.status).where(Registration.event_id == event_id)).all()
        assert held == [RegistrationStatus.AWAITING_PAYMENT] * 5
        assert db.session.scalar(select(func.count()).select_from(ApiTokenOrder)) == 5
