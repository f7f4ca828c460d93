"""Session rules: validation, default durations, publishing with warnings, cancelling, moving."""
from datetime import timedelta

import pytest

from confapp.errors import InvalidState, NotAllowed, ValidationFailed
from confapp.program.models import ProgramSession, SessionKind, SessionStatus
from confapp.program.services import (ConflictsNeedReview, SessionData, cancel_session, create_session,
                                      delete_session, publish_programme, publish_session, unpublish_session,
                                      update_session)
from tests.factories import make_event, make_room, make_session, make_track, make_user


@pytest.fixture
def setup(db):
    organiser = make_user()
    event = make_event(organiser=organiser)
    return event, organiser


def _at(event, hour, minute=0, day=0):
    return event.local(event.starts_at).replace(hour=hour, minute=minute) + timedelta(days=day)


def test_create_session_uses_the_kind_default_duration(setup):
    event, organiser = setup
    session, warnings = create_session(event, SessionData(title="Opening", kind=SessionKind.WORKSHOP,
                                                          starts_at=_at(event, 10)), actor=organiser)
    assert session.ends_at - session.starts_at == timedelta(minutes=90)
    assert session.status == SessionStatus.DRAFT
    assert warnings == []


@pytest.mark.parametrize("data, field", [
    (dict(title=" "), "title"),
    (dict(title="X", ends_at_offset=-30), "ends_at"),
    (dict(title="X", ends_at_offset=0), "ends_at"),
    (dict(title="X", capacity=-1), "capacity"),
])
def test_invalid_session_is_refused_and_nothing_saved(setup, db, data, field):
    event, organiser = setup
    start = _at(event, 10)
    offset = data.pop("ends_at_offset", 60)
    with pytest.raises(ValidationFailed) as error:
        create_session(event, SessionData(starts_at=start, ends_at=start + timedelta(minutes=offset), **data), actor=organiser)
    assert field in error.value.errors
    assert db.session.query(ProgramSession).filter_by(event_id=event.id).count() == 0


def test_room_and_track_of_another_event_are_refused(setup):
    event, organiser = setup
    other = make_event()
    room, track = make_room(other), make_track(other)
    with pytest.raises(ValidationFailed) as error:
        create_session(event, SessionData(title="X", room_id=room.id, track_id=track.id), actor=organiser)
    assert set(error.value.errors) == {"room_id", "track_id"}


def test_only_organisers_of_the_event_manage_sessions(setup):
    event, _ = setup
    with pytest.raises(NotAllowed):
        create_session(event, SessionData(title="X"), actor=make_user())
    other_organiser = make_user()
    make_event(organiser=other_organiser)
    with pytest.raises(NotAllowed):
        create_session(event, SessionData(title="X"), actor=other_organiser)


def test_publishing_with_a_conflict_needs_acknowledgement(setup):
    event, organiser = setup
    room = make_room(event, name="Hall")
    make_session(event, title="A", room_id=room.id, actor=organiser)
    b = make_session(event, title="B", room_id=room.id, actor=organiser)
    with pytest.raises(ConflictsNeedReview) as error:
        publish_session(b, actor=organiser, event=event)
    assert [w.kind for w in error.value.warnings] == ["room"]
    assert b.status == SessionStatus.DRAFT
    publish_session(b, actor=organiser, event=event, acknowledge_warnings=True)
    assert b.status == SessionStatus.PUBLISHED and b.first_published_at is not None


def test_unscheduled_session_cannot_be_published(setup):
    event, organiser = setup
    session, _ = create_session(event, SessionData(title="Later"), actor=organiser)
    with pytest.raises(InvalidState):
        publish_session(session, actor=organiser, event=event)


def test_moving_a_published_session_bumps_its_sequence(setup):
    event, organiser = setup
    session = make_session(event, actor=organiser, publish=True)
    assert session.sequence == 0
    data = SessionData(title=session.title, kind=session.kind, starts_at=_at(event, 14), ends_at=_at(event, 15))
    update_session(session, data, actor=organiser, event=event)
    assert session.sequence == 1
    draft = make_session(event, actor=organiser)
    update_session(draft, SessionData(title=draft.title, starts_at=_at(event, 16), ends_at=_at(event, 17)),
                   actor=organiser, event=event)
    assert draft.sequence == 0


def test_cancel_keeps_published_sessions_public_but_marked(setup):
    event, organiser = setup
    session = make_session(event, actor=organiser, publish=True)
    cancel_session(session, actor=organiser, event=event)
    assert session.status == SessionStatus.CANCELLED and session.is_public and session.sequence == 1
    with pytest.raises(InvalidState):
        cancel_session(session, actor=organiser, event=event)
    draft = make_session(event, actor=organiser)
    cancel_session(draft, actor=organiser, event=event)
    assert not draft.is_public


def test_published_sessions_are_cancelled_not_deleted_or_unpublished(setup):
    event, organiser = setup
    session = make_session(event, actor=organiser, publish=True)
    with pytest.raises(InvalidState):
        delete_session(session, actor=organiser, event=event)
    with pytest.raises(InvalidState):
        unpublish_session(session, actor=organiser, event=event)
    draft = make_session(event, actor=organiser)
    delete_session(draft, actor=organiser, event=event)


def test_publish_programme_publishes_scheduled_drafts(setup):
    event, organiser = setup
    room = make_room(event)
    make_session(event, room_id=room.id, actor=organiser)
    make_session(event, room_id=room.id, actor=organiser, starts_at=_at(event, 14))
    create_session(event, SessionData(title="Unscheduled"), actor=organiser)
    assert publish_programme(event, actor=organiser) == 2


def test_publish_programme_with_warnings_needs_acknowledgement(setup):
    event, organiser = setup
    room = make_room(event)
    make_session(event, room_id=room.id, actor=organiser)
    make_session(event, room_id=room.id, actor=organiser)
    with pytest.raises(ConflictsNeedReview):
        publish_programme(event, actor=organiser)
    assert publish_programme(event, actor=organiser, acknowledge_warnings=True) == 2


def test_a_published_session_cannot_lose_its_time(setup):
    event, organiser = setup
    session = make_session(event, actor=organiser, publish=True)
    with pytest.raises(ValidationFailed) as error:
        update_session(session, SessionData(title=session.title), actor=organiser, event=event)
    assert "day" in error.value.errors


def test_a_cancelled_session_can_be_restored_and_calendars_see_a_new_sequence(setup):
    event, organiser = setup
    session = make_session(event, actor=organiser, publish=True)
    cancel_session(session, actor=organiser, event=event)
    publish_session(session, actor=organiser, event=event)
    assert session.status == SessionStatus.PUBLISHED and session.sequence == 2
    with pytest.raises(InvalidState):
        publish_session(session, actor=organiser, event=event)
