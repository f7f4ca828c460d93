"""A changed rule moves the series' future editions (issue 15): editions not started yet are
kept, moved (registrations go with them: never deleted), cancelled when their date is now
skipped, and topped up; past editions never change. Moves are in the audit log (the change
notices they send are tested in test_webcast_series_change_notice.py); a cancelled edition's
attendees get the cancellation mail."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from tests.support.clock import TEST_NOW

from .test_webcast_series_pages import RULE_FORM


def _data(webcast, **changes):
    from confapp.online import series

    base = series.RuleData(template_event_id=webcast.template.id, frequency="monthly", weekday=1, ordinal=1,
                           at_time="19:00", timezone="America/New_York", duration_minutes=60, starts_on=date(2026, 12, 1))
    return dataclasses.replace(base, **changes)


def _editions(db, webcast):
    from confapp.events.models import Event
    from confapp.online.models import SeriesEdition

    return list(db.session.scalars(select(Event).join(SeriesEdition, SeriesEdition.event_id == Event.id)
                                   .where(SeriesEdition.rule_id == webcast.rule.id).order_by(Event.starts_at)))


def _subscribe(db, webcast, email="rosa@example.org"):
    from confapp.online import series
    from confapp.registration.services import AttendeeData

    series.subscribe(webcast.rule, AttendeeData("Rosa", "Parks", email), "Online", now=TEST_NOW, send_email=False)
    db.session.commit()


def _registration(db, event, email="rosa@example.org"):
    from confapp.registration.models import Registration

    return db.session.scalar(select(Registration).where(Registration.event_id == event.id, Registration.email == email))


def test_editions_move_across_the_daylight_saving_change_with_their_registrations(db, webcast):
    from confapp.audit.models import AuditEntry
    from confapp.online import series, series_schedule
    from confapp.program.models import ProgramSession
    from confapp.registration.models import RegistrationStatus
    from tests.factories import make_session

    before = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW)
    session = make_session(before[2], title="Open floor", starts_at=before[2].starts_at + timedelta(minutes=10))
    _subscribe(db, webcast)
    places = {e.id: _registration(db, e).id for e in before}
    # The series moves to March onwards: 2 March is winter time, April and May summer time.
    _, changes = series_schedule.change_rule(webcast.series, _data(webcast, starts_on=date(2027, 3, 1)),
                                             actor=webcast.organiser, now=TEST_NOW)
    db.session.commit()
    assert [e.id for e, _ in changes.moved] == [e.id for e in before] and not changes.cancelled and not changes.added
    after = _editions(db, webcast)
    assert [e.id for e in after] == [e.id for e in before]  # the same editions, moved, not new ones
    assert [e.local(e.starts_at).date() for e in after] == [date(2027, 3, 2), date(2027, 4, 6), date(2027, 5, 4)]
    assert all(e.local(e.starts_at).hour == 19 and e.ends_at - e.starts_at == timedelta(hours=1) for e in after)
    assert [e.starts_at.astimezone(timezone.utc).hour for e in after] == [0, 23, 23]  # EST, then EDT
    assert after[2].edition_label == "May 4, 2027"
    for event in after:  # the registrations went with their editions
        place = _registration(db, event)
        assert place.id == places[event.id] and place.status == RegistrationStatus.CONFIRMED
    moved_session = db.session.get(ProgramSession, session.id)
    assert moved_session.starts_at == after[2].starts_at + timedelta(minutes=10)
    entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "online.series_edition_moved")))
    assert len(entries) == 3 and {e.details["registrations"] for e in entries} == {1}
    # The template edition (past) never moves.
    assert webcast.template.starts_at == datetime(2026, 11, 4, 0, 0, tzinfo=timezone.utc)


def test_past_and_started_editions_never_change(db, webcast):
    from confapp.online import series, series_schedule

    first, second, third = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW)
    db.session.commit()
    started = first.starts_at + timedelta(minutes=5)
    _, changes = series_schedule.change_rule(webcast.series, _data(webcast, at_time="18:30"),
                                             actor=webcast.organiser, now=started)
    db.session.commit()
    assert first.local(first.starts_at).time().isoformat() == "19:00:00"
    assert [e.id for e, _ in changes.moved] == [second.id, third.id]
    assert [e.local(e.starts_at).strftime("%H:%M") for e in (second, third)] == ["18:30", "18:30"]


def test_an_exception_added_cancels_that_edition_and_the_next_date_is_added(db, webcast, mail):
    from confapp.events.models import Event, EventStatus
    from confapp.online import series, series_schedule
    from confapp.registration.models import RegistrationStatus

    from confapp.registration.models import RegistrationCategory, WaitlistStatus
    from confapp.registration.waitlist import join_waitlist

    december, january, february = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW)
    _subscribe(db, webcast)
    online = db.session.scalar(select(RegistrationCategory).where(RegistrationCategory.event_id == january.id))
    waiting = join_waitlist(january, name="Wai Ting", email="wait@example.org", category_id=online.id, now=TEST_NOW)
    db.session.commit()
    mail.clear()
    _, changes = series_schedule.change_rule(
        webcast.series, _data(webcast, exceptions=frozenset({date(2027, 1, 5)})), actor=webcast.organiser, now=TEST_NOW)
    db.session.commit()
    assert [e.id for e in changes.cancelled] == [january.id] and changes.moved == []
    assert [e.id for e in changes.kept] == [december.id, february.id]
    assert [e.local(e.starts_at).date() for e in changes.added] == [date(2027, 3, 2)]
    # Cancelled, not deleted: back to a draft, off the rule, the attendee's place cancelled and mailed.
    cancelled = db.session.get(Event, january.id)
    assert cancelled is not None and cancelled.status == EventStatus.DRAFT
    assert _registration(db, cancelled).status == RegistrationStatus.CANCELLED
    assert waiting.status == WaitlistStatus.REMOVED  # nobody is offered a place on a cancelled date
    assert [e.local(e.starts_at).date() for e in _editions(db, webcast)] == [
        date(2026, 12, 1), date(2027, 2, 2), date(2027, 3, 2)]
    assert mail.wait_for(2) and mail.to("rosa@example.org")  # the cancellation, then March's confirmation
    assert _registration(db, changes.added[0]).status == RegistrationStatus.CONFIRMED
    assert _registration(db, december).status == RegistrationStatus.CONFIRMED
    # Saving the same rule again changes nothing.
    _, again = series_schedule.change_rule(
        webcast.series, _data(webcast, exceptions=frozenset({date(2027, 1, 5)})), actor=webcast.organiser, now=TEST_NOW)
    assert again.moved == [] and again.cancelled == [] and again.added == [] and len(again.kept) == 3


def test_the_organiser_changes_the_time_on_the_recurrence_page(client, db, webcast, login_as):
    from confapp.online import series

    series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW)
    db.session.commit()
    login_as(webcast.organiser)
    slug = webcast.template.slug
    page = client.get(f"/manage/{slug}/online/series").get_data(as_text=True)
    assert "moves the upcoming editions that have not started" in page
    saved = client.post(f"/manage/{slug}/online/series", data=RULE_FORM | {
        "template_event_id": webcast.template.id, "exceptions": "", "at_time": "18:00"}, follow_redirects=True)
    assert "Recurrence saved. 3 upcoming editions moved to the new dates." in saved.text
    assert [e.local(e.starts_at).hour for e in _editions(db, webcast)] == [18, 18, 18]
