from datetime import datetime, timedelta, timezone

import pytest

from confapp.accounts.models import Role
from confapp.audit.models import AuditEntry
from confapp.errors import InvalidState, NotAllowed, ValidationFailed
from confapp.events import services
from confapp.events.models import EventStatus
from confapp.events.services import EventData, registration_closed_reason
from tests.factories import grant, make_admin, make_event, make_user

START = datetime(2027, 3, 1, 14, 0, tzinfo=timezone.utc)


def data(**overrides) -> EventData:
    fields = dict(title="Human Rights Cities", starts_at=START, ends_at=START + timedelta(hours=8), timezone="America/New_York")
    fields.update(overrides)
    return EventData(**fields)


def test_create_event_makes_a_draft_owned_by_its_creator(db, now):
    admin = make_admin()
    event = services.create_event(data(organisers=("PHRGE",), partners=("NHRCN",)), actor=admin, now=now)
    assert event.status == EventStatus.DRAFT
    assert event.slug == "human-rights-cities"
    assert [o.name for o in event.organisers] == ["PHRGE"]
    assert [o.name for o in event.partners] == ["NHRCN"]
    assert any(r.user_id == admin.id and r.role == Role.ORGANISER for r in event.roles)
    assert db.session.query(AuditEntry).filter_by(event_id=event.id, action="event.created").count() == 1


def test_create_event_needs_an_organiser_or_admin(db):
    with pytest.raises(NotAllowed):
        services.create_event(data(), actor=make_user())


def test_an_organiser_may_create_further_events(db):
    organiser = make_user()
    make_event(organiser=organiser)
    event = services.create_event(data(title="Second"), actor=organiser)
    assert event.title == "Second"


def test_create_event_validates_dates_timezone_and_capacity(db):
    admin = make_admin()
    with pytest.raises(ValidationFailed) as error:
        services.create_event(data(ends_at=START - timedelta(hours=1), timezone="Mars/Olympus", capacity=-1), actor=admin)
    assert set(error.value.errors) == {"ends_at", "timezone", "capacity"}


def test_registration_window_must_be_ordered(db):
    with pytest.raises(ValidationFailed) as error:
        services.create_event(
            data(registration_opens_at=START - timedelta(days=1), registration_closes_at=START - timedelta(days=2)),
            actor=make_admin(),
        )
    assert "registration_closes_at" in error.value.errors


def test_slugs_are_unique(db):
    admin = make_admin()
    first = services.create_event(data(), actor=admin)
    second = services.create_event(data(), actor=admin)
    assert first.slug != second.slug
    with pytest.raises(ValidationFailed):
        services.create_event(data(slug=first.slug), actor=admin)


def test_publish_unpublish_archive_cycle(db, now):
    organiser = make_user()
    event = make_event(organiser=organiser, publish=False)
    services.publish_event(event, actor=organiser, now=now)
    assert event.status == EventStatus.PUBLISHED and event.published_at == now
    with pytest.raises(InvalidState):
        services.publish_event(event, actor=organiser)
    services.unpublish_event(event, actor=organiser)
    assert event.status == EventStatus.DRAFT
    services.archive_event(event, actor=organiser)
    assert event.status == EventStatus.ARCHIVED
    with pytest.raises(InvalidState):
        services.archive_event(event, actor=organiser)


def test_staff_cannot_publish_or_edit(db):
    staff = make_user()
    event = make_event(publish=False)
    grant(event, staff, Role.CHECKIN_STAFF)
    with pytest.raises(NotAllowed):
        services.publish_event(event, actor=staff)
    with pytest.raises(NotAllowed):
        services.update_event(event, data(), actor=staff)


def test_organiser_of_another_event_cannot_edit(db):
    other = make_user()
    make_event(organiser=other)
    event = make_event()
    with pytest.raises(NotAllowed):
        services.update_event(event, data(), actor=other)


def test_update_event_records_changed_fields(db):
    organiser = make_user()
    event = make_event(organiser=organiser)
    services.update_event(event, data(title="Renamed", starts_at=event.starts_at, ends_at=event.ends_at), actor=organiser)
    entry = db.session.query(AuditEntry).filter_by(event_id=event.id, action="event.updated").one()
    assert "title" in entry.details["fields"]
    assert entry.actor_user_id == organiser.id


def test_copy_event_shifts_dates_and_copies_settings_not_people(db):
    organiser = make_user()
    source = make_event(organiser=organiser, registration_opens_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
                        registration_closes_at=datetime(2026, 12, 4, tzinfo=timezone.utc),
                        organisers=("PHRGE",), partners=("NHRCN",))
    new_start = source.starts_at + timedelta(days=364)
    seen = []
    services.copy_hooks.append(lambda src, dst, shift: seen.append((src.id, dst.id, shift)))
    try:
        copy = services.copy_event(source, title="Next edition", starts_at=new_start, edition_label="12th", actor=organiser)
    finally:
        services.copy_hooks.pop()
    assert copy.status == EventStatus.DRAFT
    assert copy.ends_at - copy.starts_at == source.ends_at - source.starts_at
    assert copy.registration_opens_at == source.registration_opens_at + timedelta(days=364)
    assert copy.venue_city == source.venue_city and copy.capacity == source.capacity
    assert [o.name for o in copy.organisations] == ["PHRGE", "NHRCN"]
    assert {r.user_id for r in copy.roles if r.role == Role.ORGANISER} >= {organiser.id}
    assert seen == [(source.id, copy.id, timedelta(days=364))]


def test_registration_closed_reasons(db, now):
    event = make_event(publish=False)
    assert "not published" in registration_closed_reason(event, now)
    services.publish_event(event, actor=make_admin())
    assert registration_closed_reason(event, now) is None
    event.registration_opens_at = now + timedelta(days=1)
    assert "opens on" in registration_closed_reason(event, now)
    event.registration_opens_at = None
    event.registration_closes_at = now - timedelta(minutes=1)
    assert registration_closed_reason(event, now) == "Registration has closed."
    assert registration_closed_reason(event, event.ends_at + timedelta(minutes=1)) == "This event has ended."
