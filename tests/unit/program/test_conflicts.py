"""Every timetable conflict rule, and that they are warnings the organiser can review."""
from datetime import time, timedelta

import pytest

from confapp.program.models import ParticipationStatus, SessionKind
from confapp.program.services import session_conflicts
from confapp.program.speakers import assign_speaker
from tests.factories import make_event, make_room, make_session, make_speaker, make_user


@pytest.fixture
def ctx(db):
    organiser = make_user()
    event = make_event(organiser=organiser)  # 5-6 Dec 2026, 09:00-17:00 New York, capacity 100
    return event, organiser


def _at(event, hour, minute=0, day=0):
    return event.local(event.starts_at).replace(hour=hour, minute=minute) + timedelta(days=day)


def kinds(session):
    return sorted(w.kind for w in session_conflicts(session))


def test_no_warnings_for_a_clean_timetable(ctx):
    event, organiser = ctx
    room = make_room(event, capacity=50)
    a = make_session(event, room_id=room.id, actor=organiser)
    b = make_session(event, room_id=room.id, actor=organiser, starts_at=_at(event, 11))  # back to back
    assert kinds(a) == [] and kinds(b) == []


def test_room_double_booked(ctx):
    event, organiser = ctx
    room = make_room(event, name="Dean's Room")
    a = make_session(event, title="A", room_id=room.id, actor=organiser)
    b = make_session(event, title="B", room_id=room.id, actor=organiser, starts_at=_at(event, 10, 30))
    assert kinds(a) == ["room"] and kinds(b) == ["room"]
    assert "Dean's Room is double-booked" in session_conflicts(b)[0].message


def test_cancelled_sessions_do_not_conflict(ctx):
    from confapp.program.services import cancel_session

    event, organiser = ctx
    room = make_room(event)
    a = make_session(event, room_id=room.id, actor=organiser)
    b = make_session(event, room_id=room.id, actor=organiser)
    cancel_session(a, actor=organiser, event=event)
    assert kinds(b) == []


def test_speaker_double_booked_unless_declined(ctx):
    event, organiser = ctx
    speaker = make_speaker(event, name="Lauren Jones")
    a = make_session(event, title="A", actor=organiser)
    b = make_session(event, title="B", actor=organiser, starts_at=_at(event, 10, 45))
    assign_speaker(a, speaker, "panelist", actor=organiser, event=event)
    link = assign_speaker(b, speaker, "moderator", actor=organiser, event=event)
    assert kinds(a) == ["speaker"]
    assert "Lauren Jones is double-booked" in session_conflicts(a)[0].message
    link.status = ParticipationStatus.DECLINED
    assert kinds(a) == []


def test_session_outside_event_dates(ctx):
    event, organiser = ctx
    s = make_session(event, actor=organiser, starts_at=_at(event, 10, day=2))
    assert kinds(s) == ["dates"]
    before = make_session(event, actor=organiser, starts_at=_at(event, 10, day=-1))
    assert kinds(before) == ["dates"]


def test_session_longer_than_room_hours(ctx):
    event, organiser = ctx
    room = make_room(event, available_from=time(9, 0), available_until=time(12, 0))
    fits = make_session(event, room_id=room.id, actor=organiser, starts_at=_at(event, 9), duration=timedelta(hours=3))
    late = make_session(event, room_id=room.id, actor=organiser, starts_at=_at(event, 11, day=1), duration=timedelta(hours=2))
    early = make_session(event, room_id=room.id, actor=organiser, starts_at=_at(event, 8, day=1), duration=timedelta(minutes=30))
    assert kinds(fits) == []
    assert kinds(late) == ["room_hours"] and kinds(early) == ["room_hours"]


def test_session_past_midnight_is_flagged(ctx):
    event, organiser = ctx
    room = make_room(event)
    s = make_session(event, room_id=room.id, actor=organiser, starts_at=_at(event, 23), duration=timedelta(hours=2))
    assert "room_hours" in kinds(s)


def test_session_over_room_capacity(ctx):
    event, organiser = ctx
    room = make_room(event, capacity=30)
    workshop = make_session(event, room_id=room.id, actor=organiser, kind=SessionKind.WORKSHOP, capacity=40)
    assert kinds(workshop) == ["capacity"]
    # A plenary without its own capacity expects the whole event (100).
    plenary = make_session(event, room_id=room.id, actor=organiser, kind=SessionKind.PLENARY, starts_at=_at(event, 14))
    assert kinds(plenary) == ["capacity"]


def test_moving_to_another_room_clears_the_warning(ctx):
    from confapp.program.services import SessionData, update_session

    event, organiser = ctx
    hall, other = make_room(event, name="Hall"), make_room(event, name="Other")
    make_session(event, title="A", room_id=hall.id, actor=organiser)
    b = make_session(event, title="B", room_id=hall.id, actor=organiser)
    assert kinds(b) == ["room"]
    _, warnings = update_session(b, SessionData(title="B", starts_at=b.starts_at, ends_at=b.ends_at, room_id=other.id),
                                 actor=organiser, event=event)
    assert warnings == [] and b.room.name == "Other"
