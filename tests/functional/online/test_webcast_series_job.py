"""The hourly job keeps a webcast series' next editions coming without an organiser clicking:
with the suite's fixed clock moved forward, the next edition appears once (re-runs create
nothing), registers the whole-series subscribers and mails their confirmation."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from tests.support.clock import TEST_NOW


def _dates(db, rule):
    from confapp.events.models import Event
    from confapp.online.models import SeriesEdition

    return [e.local(e.starts_at).date() for e in db.session.scalars(
        select(Event).join(SeriesEdition, SeriesEdition.event_id == Event.id)
        .where(SeriesEdition.rule_id == rule.id).order_by(Event.starts_at))]


def test_the_job_runs_every_hour():
    from confapp.online.tasks import create_series_editions

    day = datetime(2026, 11, 21, tzinfo=timezone.utc)
    task = create_series_editions.task_class()
    assert [h for h in range(24) if task.validate_datetime(day.replace(hour=h, minute=15))] == list(range(24))
    due = create_series_editions.huey.read_periodic(day.replace(minute=15))
    assert create_series_editions.task_class in {type(t) for t in due}


def test_the_job_creates_the_next_editions_once_and_keeps_them_coming(db, webcast, mail, clock_at):
    from confapp.audit.models import AuditEntry
    from confapp.events.models import EventStatus
    from confapp.online import series, series_schedule
    from confapp.registration.models import Registration
    from confapp.registration.services import AttendeeData

    made = series_schedule.create_due_editions(now=TEST_NOW)
    assert list(made) == [webcast.rule.id] and len(made[webcast.rule.id]) == 3
    assert series_schedule.create_due_editions(now=TEST_NOW) == {}  # a re-run creates nothing
    assert _dates(db, webcast.rule) == [date(2026, 12, 1), date(2027, 1, 5), date(2027, 2, 2)]
    series.subscribe(webcast.rule, AttendeeData("Rosa", "Parks", "rosa@example.org"), "Online", now=TEST_NOW,
                     send_email=False)
    db.session.commit()
    mail.clear()

    # The first edition is over: the next run adds March, once, and registers the subscriber.
    later = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)
    clock_at(later)
    made = series_schedule.create_due_editions(now=later)
    assert len(made[webcast.rule.id]) == 1
    assert series_schedule.create_due_editions(now=later) == {}
    assert series_schedule.create_due_editions(now=later + timedelta(hours=1)) == {}
    assert _dates(db, webcast.rule) == [date(2026, 12, 1), date(2027, 1, 5), date(2027, 2, 2), date(2027, 3, 2)]
    march = made[webcast.rule.id][0]
    from confapp.events.models import Event

    edition = db.session.get(Event, march)
    assert edition.status == EventStatus.PUBLISHED and edition.created_by_id is None
    # The template's organiser runs it (the system is nobody's account).
    assert webcast.organiser.id in {r.user_id for r in edition.roles}
    mine = db.session.scalar(select(Registration).where(Registration.event_id == march,
                                                        Registration.email == "rosa@example.org"))
    assert mine is not None
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == march)) == 1
    assert mail.wait_for(1) and mail.to("rosa@example.org")  # their confirmation for March
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "online.series_editions_created")
                              .order_by(AuditEntry.id.desc()))
    assert entry.actor_label == "system" and entry.details["event_ids"] == [march]


def test_a_rule_past_its_last_date_is_left_alone(db, webcast):
    from confapp.online import series_schedule

    webcast.rule.until = date(2026, 11, 1)
    db.session.commit()
    assert series_schedule.active_rules(TEST_NOW) == []
    assert series_schedule.create_due_editions(now=TEST_NOW) == {}


def test_a_series_whose_template_is_a_draft_waits_for_the_organiser(db, webcast):
    from confapp.events.services import unpublish_event
    from confapp.online import series_schedule

    unpublish_event(webcast.template, actor=webcast.organiser, now=TEST_NOW)
    db.session.commit()
    assert series_schedule.create_due_editions(now=TEST_NOW) == {}


def test_the_command_runs_the_job(app, db, webcast):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["online", "create-editions"])
    assert result.exit_code == 0, result.output
    assert "Created 3 edition(s) in 1 series." in result.output
    again = runner.invoke(args=["online", "create-editions"])
    assert "Created 0 edition(s) in 0 series." in again.output
