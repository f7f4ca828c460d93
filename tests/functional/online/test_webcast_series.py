"""Webcast series (issue 15): a rule creates the online editions as copies of the template, once
each; each edition has its own join details and reminder; one registration for the series is one
registration per edition, placed through place_order, and later editions register subscribers."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.support.clock import TEST_NOW

from .conftest import TOWN_HALL_URL

NEW_YORK = ZoneInfo("America/New_York")


def _editions(db, webcast):
    from confapp.online.models import SeriesEdition

    return list(db.session.scalars(select(SeriesEdition).where(SeriesEdition.rule_id == webcast.rule.id)
                                   .order_by(SeriesEdition.starts_at)))


def test_create_editions_copies_the_template_once_per_date(db, webcast):
    from confapp.events.models import AttendanceMode, EventStatus
    from confapp.online import series
    from confapp.online.models import JoinDetails
    from confapp.outreach.models import ReminderRule
    from confapp.registration.models import PlaceKind, RegistrationCategory

    created = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW)
    db.session.commit()
    assert [e.local(e.starts_at).date() for e in created] == [date(2026, 12, 1), date(2027, 1, 5), date(2027, 2, 2)]
    for event in created:
        assert event.local(event.starts_at).hour == 19 and (event.ends_at - event.starts_at).seconds == 3600
        assert event.series_id == webcast.series.id and event.status == EventStatus.PUBLISHED
        assert event.attendance_mode == AttendanceMode.ONLINE
        details = db.session.scalar(select(JoinDetails).where(JoinDetails.event_id == event.id))
        assert details.meeting_url == TOWN_HALL_URL and details.access_code == "5521#"
        category = db.session.scalar(select(RegistrationCategory).where(RegistrationCategory.event_id == event.id))
        assert category.name == "Online" and category.attendance_mode == PlaceKind.ONLINE
        rule = db.session.scalar(select(ReminderRule).where(ReminderRule.event_id == event.id))
        assert rule.subject == "Today: {{ event_title }}" and rule.fired_at is None
    # Re-running creates nothing twice.
    assert series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW) == []
    assert len(_editions(db, webcast)) == 3


def test_an_exception_date_is_skipped_and_the_next_run_continues(db, webcast):
    from confapp.online import series

    webcast.rule.exceptions = ["2027-01-05"]
    series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=2)
    more = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=3)
    db.session.commit()
    assert [e.local(e.starts_at).date() for e in more] == [date(2027, 3, 2)]
    assert [e.starts_at.astimezone(NEW_YORK).date() for e in (x.event for x in _editions(db, webcast))] == [
        date(2026, 12, 1), date(2027, 2, 2), date(2027, 3, 2)]
    # March 2027 is after the change to summer time: 19:00 local is 23:00 UTC.
    assert _editions(db, webcast)[-1].starts_at == datetime(2027, 3, 3, 0, 0, tzinfo=timezone.utc)


def test_the_unique_rule_and_start_refuses_a_second_edition_of_a_date(db, webcast):
    from sqlalchemy.exc import IntegrityError

    from confapp.online import series
    from confapp.online.models import SeriesEdition

    first = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=1)[0]
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.add(SeriesEdition(rule_id=webcast.rule.id, event_id=webcast.template.id, starts_at=first.starts_at))
        db.session.flush()
    db.session.rollback()


def test_a_bad_rule_says_which_field(db, webcast):
    from confapp.errors import ValidationFailed
    from confapp.online import series

    data = series.RuleData(template_event_id=webcast.template.id, frequency="monthly", weekday=1, ordinal=9,
                           at_time="19:00", timezone="America/New_York", duration_minutes=60, starts_on=date(2026, 12, 1))
    with pytest.raises(ValidationFailed) as error:
        series.save_rule(webcast.series, data, actor=webcast.organiser, now=TEST_NOW)
    assert "ordinal" in error.value.errors


def test_the_template_must_be_online_or_hybrid(db, webcast):
    from confapp.errors import ValidationFailed
    from confapp.online import series
    from tests.factories import make_event

    in_person = make_event(organiser=webcast.organiser, series_id=webcast.series.id)
    data = series.RuleData(template_event_id=in_person.id, frequency="weekly", weekday=3, ordinal=None, at_time="12:00",
                           timezone="America/New_York", duration_minutes=45, starts_on=date(2026, 12, 1))
    with pytest.raises(ValidationFailed) as error:
        series.save_rule(webcast.series, data, actor=webcast.organiser, now=TEST_NOW)
    assert "template_event_id" in error.value.errors


def test_registering_for_the_series_registers_every_upcoming_edition_and_later_ones(db, webcast):
    from confapp.online import series
    from confapp.registration.models import Registration, RegistrationStatus
    from confapp.registration.services import AttendeeData

    series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=2)
    attendee = AttendeeData("Rosa", "Parks", "Rosa@example.org")
    result = series.subscribe(webcast.rule, attendee, "Online", now=TEST_NOW, language="es")
    again = series.subscribe(webcast.rule, attendee, "Online", now=TEST_NOW)
    db.session.commit()
    assert len(result.registered) == 2 and result.refused == [] and again.subscription.id == result.subscription.id

    def mine():
        return list(db.session.scalars(select(Registration).where(Registration.email == "rosa@example.org")))

    assert len(mine()) == 2 and {r.status for r in mine()} == {RegistrationStatus.CONFIRMED}
    later = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=3)
    db.session.commit()
    assert len(later) == 1 and len(mine()) == 3
    assert {r.event_id for r in mine()} == {x.event_id for x in _editions(db, webcast)}
    assert webcast.template.id not in {r.event_id for r in mine()}  # the past template edition


def test_each_edition_sends_its_own_reminder(db, webcast):
    from confapp.online import series
    from confapp.outreach import reminders
    from confapp.registration.services import AttendeeData

    first, second = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=2)
    series.subscribe(webcast.rule, AttendeeData("Ana", "Ruiz", "ana@example.org"), "Online", now=TEST_NOW)
    db.session.commit()
    fired = reminders.fire_due_rules(now=first.local(first.starts_at).replace(hour=9, minute=5))
    assert [m.event_id for m in fired] == [first.id]
    db.session.rollback()


def test_a_subscribers_reminder_for_an_edition_carries_that_editions_join_link(db, webcast, mail, clock_at):
    from confapp.online import series
    from confapp.online.access import join_token
    from confapp.outreach import reminders
    from confapp.registration.models import Registration
    from confapp.registration.services import AttendeeData

    first, _ = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=2)
    series.subscribe(webcast.rule, AttendeeData("Ana", "Ruiz", "ana@example.org"), "Online", now=TEST_NOW, send_email=False)
    db.session.commit()
    mine = db.session.scalar(select(Registration).where(Registration.event_id == first.id, Registration.email == "ana@example.org"))
    # Sent once the join details are revealed (the rule says 09:00; fired late, within the day's grace).
    clock_at(first.starts_at - timedelta(minutes=10))
    fired = reminders.fire_due_rules(now=first.starts_at - timedelta(minutes=10))
    db.session.commit()
    assert [m.event_id for m in fired] == [first.id]
    # Everyone of the edition gets it (the subscriber and the template's two organisers, copied
    # with it); the subscriber's has their own link.
    got = {m.envelope_to[0]: m for m in mail.wait_for(3)}
    assert "ana@example.org" in got and webcast.organiser.email in got
    received = got["ana@example.org"]
    assert f"/j/{join_token(mine, None, generation=0)}" in received.text and "5521#" in received.text
    assert TOWN_HALL_URL not in received.text + received.html


def test_series_registrations_go_with_the_personal_data(db, webcast):
    from confapp.online import series
    from confapp.online.models import SeriesSubscription
    from confapp.registration.models import Registration
    from confapp.registration.services import AttendeeData
    from confapp.reports import services as reports
    from tests.factories import make_admin

    first, last = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=2)
    for name in ("ana", "ben"):
        series.subscribe(webcast.rule, AttendeeData(name, "X", f"{name}@example.org"), "Online", now=TEST_NOW, send_email=False)
    db.session.commit()

    def left():
        return sorted(db.session.scalars(select(SeriesSubscription.email)))

    anas = db.session.scalar(select(Registration).where(Registration.event_id == first.id, Registration.email == "ana@example.org"))
    reports.forget_registration(anas, actor=make_admin(), now=first.ends_at)  # after that edition
    assert left() == ["ben@example.org"]
    reports.purge_event(first, actor=make_admin(), now=last.ends_at)  # a later edition remains
    assert left() == ["ben@example.org"]
    reports.purge_event(last, actor=make_admin(), now=last.ends_at)  # the series' last edition
    assert left() == []
