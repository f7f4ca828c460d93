"""A new edition (copy_event) keeps the source's active reminder rules, unfired, re-pointed at the
copy's categories; rules whose segment names sessions or questions stay behind (issue 15: each
edition of a webcast series sends its own reminder)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.factories import make_category, make_event, make_session, make_user
from tests.support.clock import TEST_NOW


def test_copy_event_carries_reminder_rules(db):
    from confapp.events.services import copy_event
    from confapp.outreach import reminders
    from confapp.outreach.models import ReminderRule
    from confapp.registration.models import RegistrationCategory

    organiser = make_user()
    source = make_event(organiser=organiser)
    students = make_category(source, name="Student", position=1)
    session = make_session(source, title="Opening")

    def rule(name, segment):
        return reminders.create_rule(source, reminders.ReminderData(name, "start", -1, "09:00", "Tomorrow: {{ event_title }}",
                                                                    "Hello {{ first_name }}.", segment), actor=organiser, now=TEST_NOW)

    everyone = rule("Everyone", {"all": True})
    everyone.fired_at = TEST_NOW  # already sent for the source: the copy's is its own, unfired
    rule("Students", {"and": [{"category": [students.id]}, {"status": ["confirmed"]}]})
    rule("Opening only", {"session": [session.id]})
    copy = copy_event(source, title="Next edition", starts_at=source.starts_at + timedelta(days=365), actor=organiser, now=TEST_NOW)
    copied = {r.name: r for r in db.session.scalars(select(ReminderRule).where(ReminderRule.event_id == copy.id))}
    assert sorted(copied) == ["Everyone", "Students"]
    assert copied["Everyone"].fired_at is None and copied["Everyone"].subject == "Tomorrow: {{ event_title }}"
    new_students = db.session.scalar(select(RegistrationCategory.id).where(RegistrationCategory.event_id == copy.id,
                                                                           RegistrationCategory.name == "Student"))
    assert copied["Students"].segment == {"and": [{"category": [new_students]}, {"status": ["confirmed"]}]}
    assert reminders.fire_time(copied["Everyone"], copy) == reminders.fire_time(everyone, source) + timedelta(days=365)
