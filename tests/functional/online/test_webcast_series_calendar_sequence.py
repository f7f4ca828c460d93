"""A webcast edition moved by a changed series rule keeps its calendar UID and gets a higher
SEQUENCE, in the ticket page's event.ics and in the change notice's attachment (over the real
SMTP server), and its published programme sessions get a new SEQUENCE in the agenda feed; a rule
saved again unchanged raises nothing. The files parsed back with `icalendar`."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone

import pytest

from icalendar import Calendar
from sqlalchemy import select

from confapp.registration.links import ticket_token
from tests.factories import make_registration, make_session
from tests.support.clock import TEST_NOW
from tests.support.webcasts import monthly_webcast


def _data(webcast, **changes):
    from confapp.online import series

    base = series.RuleData(template_event_id=webcast.template.id, frequency="monthly", weekday=1, ordinal=1,
                           at_time="19:00", timezone="America/New_York", duration_minutes=60, starts_on=date(2026, 12, 1))
    return dataclasses.replace(base, **changes)


def _vevents(data: bytes):
    return list(Calendar.from_ical(data).walk("VEVENT"))


def test_a_moved_edition_keeps_its_uid_and_raises_its_sequence(client, db, webcast, mail):
    from confapp.online import series, series_schedule
    from confapp.registration.models import RegistrationCategory

    december, _, _ = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW)
    online = db.session.scalar(select(RegistrationCategory).where(RegistrationCategory.event_id == december.id))
    rosa = make_registration(december, online, first_name="Rosa", email="rosa@example.org", send_email=False)
    panel = make_session(december, title="UPR briefing", publish=True,
                         starts_at=december.local(december.starts_at), actor=webcast.organiser)
    db.session.commit()
    mail.clear()
    url, feed = f"/e/{december.slug}/ticket/{ticket_token(rosa)}/event.ics", f"/e/{december.slug}/agenda.ics"
    (before,) = _vevents(client.get(url).data)
    (session_before,) = _vevents(client.get(feed).data)
    assert int(before["SEQUENCE"]) == 0

    series_schedule.change_rule(webcast.series, _data(webcast, at_time="18:30"), actor=webcast.organiser, now=TEST_NOW)
    db.session.commit()
    (after,) = _vevents(client.get(url).data)
    assert str(after["UID"]) == str(before["UID"]) == f"event-{december.id}@confapp"
    assert int(after["SEQUENCE"]) == 1
    assert after.decoded("DTSTART") == datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc)  # 18:30 EST
    (notice,) = mail.wait_for(1)
    (ics,) = [data for name, kind, data in notice.attachments() if name == "event.ics"]
    (attached,) = _vevents(ics)
    assert str(attached["UID"]) == str(before["UID"]) and int(attached["SEQUENCE"]) == 1
    assert attached.decoded("DTSTART") == after.decoded("DTSTART")
    # The edition's published session moved with it: same UID, higher SEQUENCE, new start.
    (session_after,) = _vevents(client.get(feed).data)
    assert str(session_after["UID"]) == str(session_before["UID"]) == f"{panel.uid}@confapp"
    assert int(session_after["SEQUENCE"]) == int(session_before["SEQUENCE"]) + 1
    assert session_after.decoded("DTSTART").astimezone(timezone.utc) == datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc)

    # Saved again unchanged: nothing moves, nothing rises.
    series_schedule.change_rule(webcast.series, _data(webcast, at_time="18:30"), actor=webcast.organiser, now=TEST_NOW)
    db.session.commit()
    assert int(_vevents(client.get(url).data)[0]["SEQUENCE"]) == 1
    assert int(_vevents(client.get(feed).data)[0]["SEQUENCE"]) == int(session_after["SEQUENCE"])
    # Moved again: up again.
    series_schedule.change_rule(webcast.series, _data(webcast, at_time="20:00"), actor=webcast.organiser, now=TEST_NOW)
    db.session.commit()
    (third,) = _vevents(client.get(url).data)
    assert int(third["SEQUENCE"]) == 2 and third.decoded("DTSTART") == datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc)


@pytest.mark.postgres
def test_the_sequence_and_the_summary_grouping_on_postgresql(pg_app):
    """The same counting on PostgreSQL (the audit details JSON read back, lower(email) IN ...)."""
    from confapp.events.models import Event
    from confapp.events.queries import event_sequence
    from confapp.extensions import db
    from confapp.online import series, series_schedule
    from confapp.registration.emails import event_ics
    from confapp.registration.outbox import MailKind, RegistrationMail
    from confapp.registration.services import AttendeeData
    from sqlalchemy import func

    with pg_app.app_context(), pg_app.test_request_context():
        webcast = monthly_webcast()
        organiser, group, rule, data = webcast.organiser, webcast.group, webcast.rule, webcast.data
        editions = series.create_editions(rule, actor=organiser, now=TEST_NOW, ahead=2)
        series.subscribe(rule, AttendeeData("Rosa", "Parks", "Rosa@example.org"), "Online", now=TEST_NOW, send_email=False)
        db.session.commit()
        assert [event_sequence(e) for e in editions] == [0, 0]
        series_schedule.change_rule(group, dataclasses.replace(data, at_time="18:30"), actor=organiser, now=TEST_NOW)
        db.session.commit()
        db.session.expire_all()
        moved = [db.session.get(Event, e.id) for e in editions]
        assert [event_sequence(e) for e in moved] == [1, 1]
        (vevent,) = _vevents(event_ics(moved[0]))
        assert int(vevent["SEQUENCE"]) == 1 and vevent.decoded("DTSTART") == datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc)
        kinds = dict(db.session.execute(select(RegistrationMail.kind, func.count()).group_by(RegistrationMail.kind)).all())
        assert kinds.get(MailKind.SERIES_CHANGE_NOTICE) == 1 and MailKind.CHANGE_NOTICE not in kinds
