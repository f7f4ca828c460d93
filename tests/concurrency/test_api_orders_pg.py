"""Order creation through /api/v1 on the real PostgreSQL server: the same POST sent at once by
many clients with one Idempotency-Key makes one order, and every client gets its answer."""
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from confapp.api.models import ApiIdempotencyKey
from confapp.api.tokens import create_token
from confapp.extensions import db
from confapp.registration.models import Order, Registration
from tests.factories import make_category, make_event, make_user

pytestmark = pytest.mark.postgres
CLIENTS = 20


def _race(pg_app, url, secret, bodies, key):
    """Every body POSTed at once by its own client (with the one Idempotency-Key `key`, or none)."""
    headers = {"Authorization": f"Bearer {secret}", **({"Idempotency-Key": key} if key else {})}
    barrier = threading.Barrier(len(bodies))
    answers: list[tuple[int, dict]] = []
    errors: list[BaseException] = []

    def integration(body):
        try:
            client = pg_app.test_client()
            barrier.wait(timeout=30)
            response = client.post(url, json=body, headers=headers)
            answers.append((response.status_code, response.get_json()))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=integration, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return answers


@pytest.mark.parametrize("capacity", [None, 50], ids=["unlimited", "limited"])
def test_the_same_create_sent_at_once_with_one_key_makes_one_order(pg_app, now, capacity):
    with pg_app.app_context():
        organiser = make_user(name="Maria")
        event = make_event(organiser=organiser, capacity=capacity)
        category = make_category(event, name="Delegate")
        _, secret = create_token(event, name="CRM sync", scopes=["registrations:write"], expires_at=None,
                                 actor=organiser, now=now)
        db.session.commit()
        url = f"/api/v1/events/{event.slug}/orders"
        body = {"attendees": [{"first_name": "Amina", "last_name": "Diallo", "email": "amina@example.org",
                               "category_id": category.id}], "send_email": False}
    answers = _race(pg_app, url, secret, [body] * CLIENTS, "crm-order-1")
    assert Counter(status for status, _ in answers) == {201: CLIENTS}, answers[:3]
    assert len({answer["id"] for _, answer in answers}) == 1
    assert all(answer == answers[0][1] for _, answer in answers)
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 1
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
        assert db.session.scalar(select(func.count()).select_from(ApiIdempotencyKey)) == 1


def test_the_last_places_are_never_oversold_through_the_api(pg_app, now):
    """50 integrations at once, each with its own key, for 5 places: exactly 5 orders, 45 sold-out problems."""
    with pg_app.app_context():
        organiser = make_user(name="Maria")
        event = make_event(organiser=organiser, capacity=5)
        category = make_category(event, name="Delegate")
        _, secret = create_token(event, name="CRM sync", scopes=["registrations:write"], expires_at=None,
                                 actor=organiser, now=now)
        db.session.commit()
        url = f"/api/v1/events/{event.slug}/orders"
        event_id, category_id = event.id, category.id
    bodies = [{"attendees": [{"first_name": f"Racer{n}", "email": f"racer{n}@example.org", "category_id": category_id}],
               "send_email": False} for n in range(50)]
    barrier = threading.Barrier(len(bodies))
    answers: list[tuple[int, dict]] = []

    def integration(n, body):
        client = pg_app.test_client()
        barrier.wait(timeout=30)
        response = client.post(url, json=body, headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": f"k{n}"})
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=integration, args=(n, body)) for n, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert Counter(status for status, _ in answers) == {201: 5, 409: 45}, [a for a in answers if a[0] not in (201, 409)][:2]
    assert {answer["code"] for status, answer in answers if status == 409} == {"sold_out"}
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration).where(Registration.event_id == event_id)) == 5
