"""POST /api/v1/events/<slug>/checkin/redeem: the desk's own redeem, once per ticket, audited
under the token's name; and the per-token rate limit."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from confapp.audit.models import AuditEntry
from confapp.checkin.models import CheckIn
from confapp.extensions import limiter
from tests.functional.api.conftest import bearer, make_token
from tests.support.access import ORGANISER
from tests.support.checkin import attendee


def test_redeem_twice_checks_in_once_and_answers_already(client, db, world, auth):
    person = attendee(world.event, first_name="Amara")
    db.session.commit()
    url = f"/api/v1/events/{world.event.slug}/checkin/redeem"
    first = client.post(url, json={"code": person.ticket_code, "station": "Door 2"}, headers=auth)
    assert first.status_code == 200, first.json
    assert first.json["outcome"] == "ok" and first.json["attendee"]["id"] == person.id
    assert first.json["check_in"]["by"] == "CRM sync" and first.json["check_in"]["station"] == "Door 2"
    second = client.post(url, json={"code": person.ticket_code}, headers=auth)
    assert second.status_code == 200 and second.json["outcome"] == "already"
    assert second.json["message"].startswith("Already checked in at") and "by CRM sync" in second.json["message"]
    rows = db.session.scalars(select(CheckIn).where(CheckIn.registration_id == person.id)).all()
    assert len(rows) == 1 and rows[0].list_id == world.list.id


def test_a_redeem_is_audited_under_the_tokens_name(client, db, world, auth):
    person = attendee(world.event)
    db.session.commit()
    client.post(f"/api/v1/events/{world.event.slug}/checkin/redeem", json={"code": person.ticket_code}, headers=auth)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "checkin.redeem",
                                                       AuditEntry.event_id == world.event.id))
    assert entry.actor_label == "API token: CRM sync"
    assert entry.actor_user_id == world.users[ORGANISER].id
    assert entry.details["registration_id"] == person.id


def test_a_read_only_token_cannot_redeem(client, db, world):
    person = attendee(world.event)
    _, secret = make_token(world.event, world.users[ORGANISER], scopes=["checkin:read", "registrations:read"])
    db.session.commit()
    refused = client.post(f"/api/v1/events/{world.event.slug}/checkin/redeem", json={"code": person.ticket_code},
                          headers=bearer(secret))
    assert refused.status_code == 403 and refused.is_json
    assert db.session.scalar(select(CheckIn).where(CheckIn.registration_id == person.id)) is None


def test_a_ticket_of_another_event_is_refused_as_at_the_desk(client, db, world, auth):
    elsewhere = attendee(world.other_event)
    db.session.commit()
    answer = client.post(f"/api/v1/events/{world.event.slug}/checkin/redeem", json={"code": elsewhere.ticket_code},
                         headers=auth)
    assert answer.status_code == 200 and answer.json["outcome"] == "wrong_event"
    assert world.other_event.title not in answer.get_data(as_text=True)


def test_a_list_of_another_event_is_404_and_a_missing_code_422(client, db, world, auth):
    from confapp.checkin import services
    from tests.support.clock import TEST_NOW

    other_list = services.main_list(world.other_event, actor=None, now=TEST_NOW)
    db.session.commit()
    url = f"/api/v1/events/{world.event.slug}/checkin/redeem"
    assert client.post(url, json={"code": "X", "list_id": other_list.id}, headers=auth).status_code == 404
    missing = client.post(url, json={}, headers=auth)
    assert missing.status_code == 422 and "code" in missing.json["errors"]


@pytest.fixture
def rate_limited(app):
    limiter.enabled = True
    limiter.reset()
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        yield
    finally:
        app.config["API_RATE_LIMIT"] = "300 per minute"
        limiter.reset()
        limiter.enabled = False


def test_over_the_rate_limit_a_token_gets_429_json_and_other_tokens_do_not(client, db, world, auth, rate_limited):
    _, other = make_token(world.event, world.users[ORGANISER], name="Website")
    db.session.commit()
    for _ in range(3):
        assert client.get("/api/v1/events", headers=auth).status_code == 200
    refused = client.get("/api/v1/events", headers=auth)
    assert refused.status_code == 429 and refused.is_json
    assert refused.json["code"] == "too_many_requests" and int(refused.headers["Retry-After"]) >= 1
    assert client.get("/api/v1/events", headers=bearer(other)).status_code == 200


def test_bodies_that_are_not_the_schema_are_json_errors_by_field(client, db, world, auth):
    url = f"/api/v1/events/{world.event.slug}/checkin/redeem"
    broken = client.post(url, data="not json", content_type="application/json", headers=auth)
    assert broken.status_code == 400 and broken.json["errors"] == {"json": "Invalid JSON body."}
    a_list = client.post(url, json=[1, 2], headers=auth)
    assert a_list.status_code == 422 and "json" in a_list.json["errors"]
    unknown = client.post(url, json={"code": "A", "surprise": 1}, headers=auth)
    assert unknown.status_code == 422 and set(unknown.json["errors"]) == {"surprise"}
    too_long = client.post(url, json={"code": "x" * 65}, headers=auth)
    assert too_long.status_code == 422 and set(too_long.json["errors"]) == {"code"}
