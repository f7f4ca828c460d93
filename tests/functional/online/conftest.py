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


@dataclass
class Webcast:
    series: object
    template: object
    organiser: object
    online: object  # the template's online category
    rule: object


TOWN_HALL_URL = "https://meet.example.net/upr-town-hall-5521?pwd=zQ7series"


@pytest.fixture
def webcast(db):
    """A monthly UPR tele-town hall: its template edition on the first Tuesday of November 2026
    (19:00 New York), online, with an online category, join details and a reminder; the rule
    "first Tuesday of each month, 19:00 America/New_York, 60 minutes" from December 2026."""
    from datetime import date, datetime, timezone

    from confapp.events.models import AttendanceMode
    from confapp.events.services import create_series
    from confapp.online import series, services
    from confapp.outreach import reminders
    from confapp.registration.models import PlaceKind
    from tests.factories import make_admin, make_category, make_event, make_user

    organiser = make_user()
    group = create_series("UPR tele-town hall", actor=make_admin())
    start = datetime(2026, 11, 4, 0, 0, tzinfo=timezone.utc)  # 3 Nov 2026, 19:00 EST
    template = make_event(organiser=organiser, title="UPR tele-town hall", starts_at=start,
                          ends_at=start + timedelta(hours=1), series_id=group.id, capacity=None)
    online = make_category(template, name="Online", attendance_mode=PlaceKind.ONLINE, position=1)
    services.set_attendance_modes(template, AttendanceMode.ONLINE, categories={}, sessions={}, actor=organiser)
    services.save_join_details(template, services.JoinDetailsData(
        meeting_url=TOWN_HALL_URL, dial_in_numbers="+1 646 555 0101", access_code="5521#", reveal_minutes=30),
        actor=organiser)
    reminders.create_rule(template, reminders.ReminderData(
        "On the day", "start", 0, "09:00", "Today: {{ event_title }}", "Hello {{ first_name }}.", {"all": True}),
        actor=organiser, now=TEST_NOW)
    rule = series.save_rule(group, series.RuleData(
        template_event_id=template.id, frequency="monthly", weekday=1, ordinal=1, at_time="19:00",
        timezone="America/New_York", duration_minutes=60, starts_on=date(2026, 12, 1)), actor=organiser, now=TEST_NOW)
    db.session.commit()
    return Webcast(group, template, organiser, online, rule)
