"""Scheduled messages and reminder rules fire once, at the right time: the minute tick is
called with a fixed `now` (time travel), never by sleeping."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from confapp.errors import ValidationFailed
from confapp.extensions import db as database
from confapp.outreach import reminders, services, tasks
from confapp.outreach.models import Message, MessageStatus
from confapp.outreach.reminders import ReminderData
from confapp.outreach.services import MessageDraft
from tests.support.outreach import add_registration, build_people

UTC = timezone.utc


@pytest.fixture
def people(db):
    return build_people()


def test_fire_time_is_in_the_event_time_zone(people):
    # The event starts 5 Dec 2026 09:00 New York (14:00 UTC) and ends 6 Dec 17:00 New York.
    rule = reminders.create_rule(people.event, ReminderData("Two days before", "start", -2, "09:00", "Soon", "See you"),
                                 actor=people.organiser, now=datetime(2026, 11, 1, tzinfo=UTC))
    assert reminders.fire_time(rule, people.event) == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    after = reminders.create_rule(people.event, ReminderData("Thanks", "end", 1, "", "Thanks", "Report"),
                                  actor=people.organiser, now=datetime(2026, 11, 1, tzinfo=UTC))
    assert reminders.fire_time(after, people.event) == datetime(2026, 12, 7, 22, 0, tzinfo=UTC)
    assert reminders.describe(rule) == "2 days before start at 09:00 event time"


def test_a_reminder_fires_once_at_its_time_for_the_segment_as_it_stands_then(people, mail):
    rule = reminders.create_rule(
        people.event,
        ReminderData("Two days before", "start", -2, "09:00", "See you soon, {{ first_name }}", "Doors open at 9.",
                     {"status": ["confirmed"]}),
        actor=people.organiser, now=datetime(2026, 11, 1, tzinfo=UTC))
    database.session.commit()
    moment = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert tasks.tick(now=moment - timedelta(minutes=1))["reminders_fired"] == []
    # Someone confirms after the rule was written: they are in the segment at send time.
    add_registration(people.event, "new@example.org", "Nia", "New", category=people.general)
    database.session.commit()
    fired = tasks.tick(now=moment)["reminders_fired"]
    database.session.commit()
    assert len(fired) == 1
    received = mail.wait_for(6)
    assert "new@example.org" in {m.envelope_to[0] for m in received}
    assert mail.to("new@example.org")[0].subject == "See you soon, Nia"
    # Later ticks (a minute, an hour) do not fire it again.
    assert tasks.tick(now=moment + timedelta(minutes=1))["reminders_fired"] == []
    assert tasks.tick(now=moment + timedelta(hours=1))["reminders_fired"] == []
    database.session.commit()
    database.session.refresh(rule)
    assert rule.fired_at == moment and rule.fired_message_id == fired[0]
    assert database.session.scalar(select(func.count()).select_from(Message).where(Message.reminder_rule_id == rule.id)) == 1
    assert len(mail.messages) == 6


def test_a_reminder_whose_moment_passed_long_ago_is_missed_not_sent_late(people):
    rule = reminders.create_rule(people.event, ReminderData("Late", "start", -10, "09:00", "x", "y"),
                                 actor=people.organiser, now=datetime(2026, 11, 1, tzinfo=UTC))
    late = reminders.fire_time(rule, people.event) + timedelta(days=2)
    assert tasks.tick(now=late)["reminders_fired"] == []
    assert reminders.is_missed(rule, late)


def test_a_scheduled_message_starts_once_at_its_time(people, mail):
    created = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    message = services.create_message(people.event, MessageDraft("Agenda", "Hello {{ first_name }}", {"payment": ["paid"]}),
                                      actor=people.organiser, now=created)
    when = created + timedelta(days=2)
    services.schedule_message(message, when, actor=people.organiser, now=created)
    database.session.commit()
    assert tasks.tick(now=when - timedelta(seconds=1))["scheduled_started"] == []
    assert tasks.tick(now=when)["scheduled_started"] == [message.id]
    database.session.commit()
    assert tasks.tick(now=when + timedelta(minutes=1))["scheduled_started"] == []
    database.session.commit()
    assert len(mail.wait_for(2)) == 2
    database.session.refresh(message)
    assert message.status == MessageStatus.SENT


@pytest.mark.parametrize("field, value", [("at_time", "9am"), ("offset_days", 400), ("anchor", "middle"), ("subject", "")])
def test_reminder_rules_are_validated(people, field, value):
    data = ReminderData("R", "start", -1, "09:00", "S", "B")
    setattr(data, field, value)
    with pytest.raises(ValidationFailed) as error:
        reminders.create_rule(people.event, data, actor=people.organiser, now=datetime(2026, 11, 1, tzinfo=UTC))
    assert field in error.value.errors


def test_scheduling_in_the_past_is_refused(people, now):
    message = services.create_message(people.event, MessageDraft("A", "B"), actor=people.organiser, now=now)
    with pytest.raises(ValidationFailed):
        services.schedule_message(message, now - timedelta(minutes=1), actor=people.organiser, now=now)


def test_rearming_after_a_move_arms_only_the_sent_rules_whose_new_moment_is_still_to_come(people):
    # Starts 5 Dec 2026 09:00 New York; "two days before" fired on 3 Dec, "a week before" on 28 Nov.
    created = datetime(2026, 11, 1, tzinfo=UTC)
    two_days = reminders.create_rule(people.event, ReminderData("Two days", "start", -2, "09:00", "Soon", "See you"),
                                     actor=people.organiser, now=created)
    week = reminders.create_rule(people.event, ReminderData("A week", "start", -7, "09:00", "Soon", "See you"),
                                 actor=people.organiser, now=created)
    unsent = reminders.create_rule(people.event, ReminderData("On the day", "start", 0, "08:00", "Today", "See you"),
                                   actor=people.organiser, now=created)
    for rule in (week, two_days):
        assert reminders.fire_due_rules(now=reminders.fire_time(rule, people.event))
    database.session.expire_all()
    # On 3 Dec the event moves three days earlier, to 2 Dec: "two days before" (now 30 Nov) is
    # over by more than its grace and stays sent; so is "a week before" (25 Nov).
    now = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    people.event.starts_at -= timedelta(days=3)
    people.event.ends_at -= timedelta(days=3)
    assert reminders.rearm_after_move(people.event, actor=people.organiser, now=now) == []
    # Moved a week later instead (12 Dec): both go again before the new date; the unsent one needs nothing.
    people.event.starts_at += timedelta(days=10)
    people.event.ends_at += timedelta(days=10)
    assert {r.id for r in reminders.rearm_after_move(people.event, actor=people.organiser, now=now)} == {
        two_days.id, week.id}
    assert two_days.fired_at is None and week.fired_at is None and unsent.fired_at is None
    assert [m.reminder_rule_id for m in reminders.fire_due_rules(now=datetime(2026, 12, 5, 14, 0, tzinfo=UTC))] == [week.id]
