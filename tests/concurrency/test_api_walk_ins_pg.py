"""Walk-ins through /api/v1 on the real PostgreSQL server: a door app whose walk-in POST is sent
20 times at once with one Idempotency-Key (a flaky network's retries) registers and checks in one
person, and every request gets the first answer."""
from collections import Counter

import pytest
from sqlalchemy import func, select

from confapp.api.models import ApiIdempotencyKey
from confapp.api.tokens import create_token
from confapp.audit.models import AuditEntry
from confapp.checkin import services as checkin_services
from confapp.checkin.models import CheckIn
from confapp.extensions import db
from confapp.registration.models import Order, Registration
from tests.factories import make_category, make_event, make_user
from tests.support.api_race import post_at_once

pytestmark = pytest.mark.postgres
CLIENTS = 20


@pytest.mark.parametrize("capacity", [None, 50], ids=["unlimited", "limited"])
def test_the_same_walk_in_sent_at_once_with_one_key_registers_one_attendee(pg_app, now, capacity):
    with pg_app.app_context():
        organiser = make_user(name="Maria")
        event = make_event(organiser=organiser, capacity=capacity)
        category = make_category(event, name="Community member")
        checkin_list = checkin_services.main_list(event, actor=organiser, now=now)
        _, secret = create_token(event, name="Door app", scopes=["checkin:write"], expires_at=None,
                                 actor=organiser, now=now)
        db.session.commit()
        url = f"/api/v1/events/{event.slug}/checkin/lists/{checkin_list.id}/walk-ins"
        body = {"first_name": "Amina", "last_name": "Diallo", "email": "amina@example.org",
                "category_id": category.id, "station": "Door 1"}
    answers = post_at_once(pg_app, url, secret, [body] * CLIENTS, ["door-walk-in-1"] * CLIENTS)
    assert Counter(status for status, _ in answers) == {201: CLIENTS}, [a for a in answers if a[0] != 201][:3]
    assert all(answer == answers[0][1] for _, answer in answers)
    assert answers[0][1]["outcome"] == "ok" and answers[0][1]["checked_in"] is True
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 1
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1
        assert db.session.scalar(select(func.count()).select_from(ApiIdempotencyKey)) == 1
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "checkin.walk_in")) == 1
