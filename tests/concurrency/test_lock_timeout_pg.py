"""No request waits forever on a row lock (PostgreSQL's lock_timeout, 3 s by default): while
another connection holds the row, the request answers "busy, please try again" (503 with
Retry-After, JSON for the desk's API) and writes nothing."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from confapp.checkin import services as checkin
from confapp.extensions import db
from confapp.registration.models import Registration, RegistrationStatus
from confapp.types import utcnow
from tests.conftest import login
from tests.factories import make_category, make_event, make_registration, make_user

pytestmark = pytest.mark.postgres


def _hold(app, sql: str, **params):
    """Another transaction holding a row lock until closed."""
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    connection.execute(text(sql), params)
    return connection, transaction


def test_every_postgresql_connection_has_the_configured_lock_timeout(pg_app):
    assert pg_app.config["DATABASE_LOCK_TIMEOUT"] == 3
    with pg_app.app_context():
        assert db.session.scalar(text("SHOW lock_timeout")) == "3s"
        db.session.rollback()
        assert db.session.scalar(text("SHOW lock_timeout")) == "3s"


def test_a_cancel_waiting_on_a_locked_order_answers_busy_and_changes_nothing(pg_app):
    with pg_app.app_context():
        organiser = make_user()
        event = make_event(organiser=organiser)
        reg = make_registration(event, make_category(event), quantity=2, send_email=False)
        slug, reg_id, order_id = event.slug, reg.id, reg.order_id
        db.session.commit()
        client = pg_app.test_client()
        login(client, organiser)
    connection, transaction = _hold(pg_app, "SELECT id FROM orders WHERE id = :id FOR UPDATE", id=order_id)
    try:
        started = time.monotonic()
        response = client.post(f"/manage/{slug}/registrations/{reg_id}/cancel", data={"refund": "none", "reason": ""})
        waited = time.monotonic() - started
    finally:
        transaction.rollback()
        connection.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "3"
    page = response.get_data(as_text=True)
    assert "<h1>Busy, please try again</h1>" in page and "Traceback" not in page
    assert 2.5 < waited < 8
    with pg_app.app_context():
        assert db.session.get(Registration, reg_id).status == RegistrationStatus.CONFIRMED
    # Once the lock is gone the same request goes through.
    response = client.post(f"/manage/{slug}/registrations/{reg_id}/cancel", data={"refund": "none", "reason": ""})
    assert response.status_code == 302
    with pg_app.app_context():
        assert db.session.get(Registration, reg_id).status == RegistrationStatus.CANCELLED


def test_a_desk_walk_in_waiting_on_a_locked_event_answers_busy_json_and_writes_nothing(pg_app):
    now = utcnow()
    with pg_app.app_context():
        organiser = make_user()
        event = make_event(organiser=organiser)
        category = make_category(event)
        checkin_list = checkin.main_list(event, actor=organiser, now=now)
        _, token = checkin.create_volunteer_link(checkin_list, name="Door 2", valid_from=now - timedelta(hours=1),
                                                 valid_until=now + timedelta(hours=2), actor=organiser, now=now)
        event_id, list_id, category_id = event.id, checkin_list.id, category.id
        db.session.commit()
    connection, transaction = _hold(pg_app, "SELECT id FROM events WHERE id = :id FOR UPDATE", id=event_id)
    try:
        response = pg_app.test_client().post(
            f"/checkin/api/lists/{list_id}/walkin",
            json={"first_name": "Nadia", "last_name": "Haddad", "email": "nadia@example.org", "category_id": category_id},
            headers={"Accept": "application/json", "X-Checkin-Link": token})
    finally:
        transaction.rollback()
        connection.close()
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "3"
    assert response.get_json()["error"]["message"].startswith("Busy, please try again")
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
