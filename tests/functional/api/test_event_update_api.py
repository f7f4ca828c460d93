"""PATCH /api/v1/events/<slug> (issue 15): an integration moves an event's dates through the
Details form's own service, so its programme moves by the same shift and the people registered
are told once: a retried identical request changes nothing and tells nobody again. Dates out of
bounds are 422 problems by field. The answer lists the sessions now outside the event's dates, as
the Details form's warning does. Fixed dates: the event runs 5-6 Dec 2026 (14:00 UTC on the 5th
to 22:00 UTC on the 6th)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from tests.factories import make_category, make_registration, make_session
from tests.functional.api.test_openapi import _validator
from tests.support.access import ORGANISER

NEW_START, NEW_END = "2026-12-12T14:00:00Z", "2026-12-13T22:00:00Z"
WEEK = timedelta(days=7)


def _notices(db) -> int:
    from confapp.registration.outbox import MailKind, RegistrationMail

    return db.session.scalar(select(func.count()).select_from(RegistrationMail).where(
        RegistrationMail.kind == MailKind.CHANGE_NOTICE))


def _with_people_and_programme(db, world):
    organiser = world.users[ORGANISER]
    category = make_category(world.event, name="Delegate")
    for name in ("Rosa", "Amina"):
        make_registration(world.event, category, first_name=name, email=f"{name.lower()}@example.org", send_email=False)
    day = world.event.local(world.event.starts_at)
    session = make_session(world.event, title="Opening plenary", starts_at=day.replace(hour=10), publish=True,
                           actor=organiser)
    db.session.commit()
    return session


def test_patch_moves_the_event_and_its_programme_and_tells_the_registered_once(client, db, world, auth, mail):
    from confapp.audit.models import AuditEntry

    session = _with_people_and_programme(db, world)
    session_start, sequence = session.starts_at, session.sequence
    url = f"/api/v1/events/{world.event.slug}"
    response = client.patch(url, headers=auth, json={"starts_at": NEW_START, "ends_at": NEW_END})
    assert response.status_code == 200, response.json
    assert response.json["starts_at"] == "2026-12-12T14:00:00+00:00" and response.json["ends_at"] == "2026-12-13T22:00:00+00:00"
    assert response.json["sessions_outside"] == []
    document = client.get("/api/v1/openapi.json").json
    assert [e.message for e in _validator(document, "/api/v1/events/{slug}", "patch", 200).iter_errors(response.json)] == []
    db.session.expire_all()
    assert session.starts_at == session_start + WEEK and session.sequence == sequence + 1
    assert _notices(db) == 2
    assert sorted(m.envelope_to[0] for m in mail.wait_for(2)) == ["amina@example.org", "rosa@example.org"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.moved"))
    assert entry.actor_label == "API token: CRM sync" and entry.details["sessions"] == 1 and entry.details["told"] == 2
    # The client retries (a timeout on its side): the same answer, nothing moves twice, nobody is told twice.
    again = client.patch(url, headers=auth, json={"starts_at": NEW_START, "ends_at": NEW_END})
    assert again.status_code == 200 and again.json == response.json
    db.session.expire_all()
    assert session.starts_at == session_start + WEEK and _notices(db) == 2
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "event.moved")) == 1


def test_the_answer_lists_the_sessions_now_outside_the_event_and_a_retry_lists_them_again(client, db, world, auth):
    from confapp.program.services import cancel_session

    organiser = world.users[ORGANISER]
    _with_people_and_programme(db, world)
    second_day = world.event.local(world.event.starts_at) + timedelta(days=1)
    closing = make_session(world.event, title="Closing circle", starts_at=second_day.replace(hour=15), publish=True,
                           actor=organiser)
    cancelled = make_session(world.event, title="Film screening", starts_at=second_day.replace(hour=16), publish=True,
                             actor=organiser)
    cancel_session(cancelled, actor=organiser, event=world.event)
    db.session.commit()
    url = f"/api/v1/events/{world.event.slug}"
    # A day later, ending as before: everything moves a day, the second day's sessions off the end.
    response = client.patch(url, headers=auth, json={"starts_at": "2026-12-06T14:00:00Z", "notify_registered": False})
    assert response.status_code == 200, response.json
    db.session.expire_all()
    # The cancelled screening moved too but is no warning; the opening plenary is still inside.
    assert response.json["sessions_outside"] == [{
        "id": closing.id, "title": "Closing circle", "starts_at": "2026-12-07T20:00:00+00:00",
        "ends_at": "2026-12-07T21:00:00+00:00"}]
    document = client.get("/api/v1/openapi.json").json
    assert [e.message for e in _validator(document, "/api/v1/events/{slug}", "patch", 200).iter_errors(response.json)] == []
    again = client.patch(url, headers=auth, json={"starts_at": "2026-12-06T14:00:00Z", "notify_registered": False})
    assert again.status_code == 200 and again.json == response.json


def test_the_answer_schema_is_its_own_and_says_what_sessions_outside_holds(client, db):
    document = client.get("/api/v1/openapi.json").json
    answer = document["paths"]["/api/v1/events/{slug}"]["patch"]["responses"]["200"]["content"]["application/json"]["schema"]
    schemas = document["components"]["schemas"]
    moved = schemas[answer["$ref"].rsplit("/", 1)[1]]
    assert set(moved["properties"]) == set(schemas["Event"]["properties"]) | {"sessions_outside"}
    assert "sessions_outside" in moved["required"] and moved["properties"]["sessions_outside"]["description"]
    outside = schemas[moved["properties"]["sessions_outside"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert set(outside["required"]) == {"id", "title", "starts_at", "ends_at"}


def test_what_is_left_out_stays_and_nobody_is_told_when_asked_not_to(client, db, world, auth):
    _with_people_and_programme(db, world)
    start = world.event.starts_at
    response = client.patch(f"/api/v1/events/{world.event.slug}", headers=auth,
                            json={"ends_at": "2026-12-07T22:00:00Z", "notify_registered": False})
    assert response.status_code == 200
    assert datetime.fromisoformat(response.json["starts_at"]) == start
    assert response.json["ends_at"] == "2026-12-07T22:00:00+00:00"
    assert _notices(db) == 0


def test_dates_out_of_bounds_are_problems_by_field(client, db, world, auth):
    _with_people_and_programme(db, world)
    url = f"/api/v1/events/{world.event.slug}"
    cases = [
        ({"starts_at": "2026-12-12T14:00:00Z", "ends_at": "2026-12-12T13:00:00Z"}, "ends_at", "end after it starts"),
        ({"starts_at": "2150-12-12T14:00:00Z", "ends_at": "2150-12-13T14:00:00Z"}, "starts_at", "between the years"),
        ({"starts_at": "1999-12-12T14:00:00Z"}, "starts_at", "between the years"),
        ({"ends_at": "2027-03-01T14:00:00Z"}, "ends_at", "at most 60 days"),
        ({"starts_at": "2026-12-12T14:00:00"}, "starts_at", ""),  # no offset: not a moment
        ({"starts_at": "+10000-01-01T00:00:00Z"}, "starts_at", ""),
        ({"starts_at": "soon"}, "starts_at", ""),
        ({"starts_at": "9999-12-31T23:00:00-14:00"}, "starts_at", ""),  # in UTC, past the last year Python knows
        ({"ends_at": "0001-01-01T00:00:00+14:00"}, "ends_at", ""),  # and before the first
        # 31 December 2100 in New York, 2101 in UTC (which is what is stored): judged in UTC.
        ({"starts_at": "2100-12-31T20:00:00-05:00", "ends_at": "2100-12-31T23:00:00-05:00"}, "starts_at", "between the years"),
        ({"title": ""}, "title", ""),  # the other fields are checked as on the Details form
        ({"contact_email": "not an address"}, "contact_email", ""),
        ({"venue_country": "USA"}, "venue_country", ""),
        ({"registration_closes_at": "2026-12-07T14:00:00Z"}, "registration_closes_at", "cannot close after the event ends"),
        ({"slug": "renamed"}, "slug", ""),  # not a field this PATCH changes
    ]
    failures = []
    for body, field, words in cases:
        response = client.patch(url, headers=auth, json=body)
        problem = response.json or {}
        errors = problem.get("errors") or {}
        if (response.status_code != 422 or response.mimetype != "application/problem+json"
                or field not in errors or words not in errors[field]):
            failures.append(f"{body}: {response.status_code} {problem}")
    assert failures == []
    db.session.expire_all()
    assert world.event.starts_at == datetime(2026, 12, 5, 14, 0, tzinfo=timezone.utc) and _notices(db) == 0
    assert world.event.title != "" and world.event.registration_closes_at is None


def test_registration_closing_after_the_new_end_is_refused(client, db, world, auth):
    world.event.registration_closes_at = world.event.starts_at
    db.session.commit()
    response = client.patch(f"/api/v1/events/{world.event.slug}", headers=auth,
                            json={"starts_at": "2026-11-28T14:00:00Z", "ends_at": "2026-11-29T14:00:00Z"})
    assert response.status_code == 422 and "Registration cannot close" in response.json["errors"]["ends_at"]


def test_a_token_that_may_only_read_events_cannot_move_one(client, db, world):
    from tests.functional.api.conftest import bearer, make_token

    _, secret = make_token(world.event, world.users[ORGANISER], scopes=["events:read"], name="Calendar feed")
    db.session.commit()
    response = client.patch(f"/api/v1/events/{world.event.slug}", headers=bearer(secret), json={"starts_at": NEW_START})
    assert response.status_code == 403 and "events:write" in response.json["detail"]


def test_the_details_forms_other_fields_change_through_its_service_and_a_retry_changes_nothing(client, db, world, auth):
    from confapp.audit.models import AuditEntry

    url = f"/api/v1/events/{world.event.slug}"
    body = {"title": "Human Rights Cities Summit", "venue_name": "Civic Hall", "venue_city": "Pittsburgh",
            "venue_country": "us", "contact_email": "summit@example.org", "description": "Two days on the *UPR*.",
            "registration_opens_at": "2026-11-01T12:00:00Z", "registration_closes_at": "2026-12-05T12:00:00Z"}
    response = client.patch(url, headers=auth, json=body)
    assert response.status_code == 200, response.json
    assert (response.json["title"], response.json["venue_city"], response.json["venue_country"]) == (
        "Human Rights Cities Summit", "Pittsburgh", "US")
    db.session.expire_all()
    event = world.event
    assert (event.venue_name, event.contact_email, event.description) == ("Civic Hall", "summit@example.org",
                                                                         "Two days on the *UPR*.")
    assert event.registration_closes_at == datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)
    assert event.starts_at == datetime(2026, 12, 5, 14, 0, tzinfo=timezone.utc)  # the dates stay
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.updated"))
    assert entry.actor_label == "API token: CRM sync" and "title" in entry.details["fields"]
    assert client.get(f"/e/{event.slug}/").text.count("Human Rights Cities Summit") >= 1  # the public page at once
    again = client.patch(url, headers=auth, json=body)
    assert again.status_code == 200 and again.json == response.json
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "event.updated")) == 1
    # Left out, a field stays; null opens the window again.
    cleared = client.patch(url, headers=auth, json={"registration_closes_at": None})
    assert cleared.status_code == 200 and cleared.json["title"] == "Human Rights Cities Summit"
    db.session.expire_all()
    assert event.registration_closes_at is None and event.registration_opens_at is not None


def test_a_move_earlier_can_bring_the_registration_window_with_it(client, db, world, auth):
    """Alone, a move that ends before registration closes is refused (registration cannot close
    after the event ends); with the new window in the same request it is one change."""
    world.event.registration_closes_at = world.event.starts_at
    db.session.commit()
    url = f"/api/v1/events/{world.event.slug}"
    earlier = {"starts_at": "2026-11-28T14:00:00Z", "ends_at": "2026-11-29T14:00:00Z"}
    assert client.patch(url, headers=auth, json=earlier).status_code == 422
    response = client.patch(url, headers=auth, json={**earlier, "registration_closes_at": "2026-11-28T12:00:00Z"})
    assert response.status_code == 200, response.json
    db.session.expire_all()
    assert world.event.ends_at == datetime(2026, 11, 29, 14, 0, tzinfo=timezone.utc)
    assert world.event.registration_closes_at == datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
    # The window given with a move is checked against the new end even when it does not change.
    later_close = client.patch(url, headers=auth, json={"ends_at": "2026-11-28T20:00:00Z",
                                                        "registration_closes_at": "2026-11-28T12:00:00Z"})
    assert later_close.status_code == 200
    refused = client.patch(url, headers=auth, json={"starts_at": "2026-11-20T10:00:00Z", "ends_at": "2026-11-20T11:00:00Z",
                                                    "registration_closes_at": "2026-11-28T12:00:00Z"})
    assert refused.status_code == 422 and "registration_closes_at" in refused.json["errors"]
    db.session.expire_all()
    assert world.event.ends_at == datetime(2026, 11, 28, 20, 0, tzinfo=timezone.utc)


def test_a_move_through_the_api_moves_the_sales_windows_once(client, db, world, auth):
    early = make_category(world.event, name="Early bird", sales_end=world.event.starts_at - timedelta(days=30))
    db.session.commit()
    ends = early.sales_end
    url = f"/api/v1/events/{world.event.slug}"
    for _ in range(2):  # a retry moves nothing twice
        assert client.patch(url, headers=auth, json={"starts_at": NEW_START, "ends_at": NEW_END}).status_code == 200
        db.session.expire_all()
        assert early.sales_end == ends + WEEK
