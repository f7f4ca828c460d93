"""A hybrid convening starting 15 minutes after the suite's clock: an in-person and an online
category, a streamed session about to start (its join details revealed) and one two days later
(not yet), with the event's join details."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from tests.support.clock import TEST_NOW

MEETING_URL = "https://meet.example.net/hrc-town-hall-7391?pwd=q8ZsecretX"
ACCESS_CODE = "739 104 8812#"


@dataclass
class Hybrid:
    event: object
    organiser: object
    in_person: object
    online: object
    soon: object  # starts in 20 minutes: revealed (30 minutes before)
    later: object  # in two days: not revealed
    details: object


@pytest.fixture
def hybrid(db):
    from confapp.events.models import AttendanceMode
    from confapp.online import services
    from confapp.registration.models import PlaceKind
    from tests.factories import make_category, make_event, make_session, make_user

    organiser = make_user()
    event = make_event(organiser=organiser, starts_at=TEST_NOW + timedelta(minutes=15),
                       ends_at=TEST_NOW + timedelta(days=3), capacity=2)
    in_person = make_category(event, name="In the hall", capacity=None)
    online = make_category(event, name="Online", capacity=3, attendance_mode=PlaceKind.ONLINE)
    soon = make_session(event, title="Opening town hall", starts_at=TEST_NOW + timedelta(minutes=20), publish=True)
    later = make_session(event, title="UPR follow-up", starts_at=TEST_NOW + timedelta(days=2), publish=True)
    services.set_attendance_modes(event, AttendanceMode.HYBRID, categories={}, sessions={}, actor=organiser)
    details = services.save_join_details(event, services.JoinDetailsData(
        meeting_url=MEETING_URL, dial_in_numbers="+1 646 555 0100 (New York)", access_code=ACCESS_CODE,
        instructions="Captions are on.", reveal_minutes=30), actor=organiser)
    db.session.commit()
    return Hybrid(event, organiser, in_person, online, soon, later, details)


@pytest.fixture
def clock_at():
    """Move confapp's clock (the views read it) to an instant for one test."""
    from confapp import clock

    saved = clock._offset

    def _move(instant):
        clock.start_clock_at(instant)

    yield _move
    clock._offset = saved
