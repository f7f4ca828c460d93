"""Two organisers press "Create the next editions" at once (threads against PostgreSQL): the
rule row lock and the unique (rule, starts_at) leave one edition per date."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.support.clock import TEST_NOW

pytestmark = pytest.mark.postgres


def test_concurrent_create_editions_make_each_date_once(pg_app):
    from confapp.events.models import AttendanceMode
    from confapp.events.services import create_series
    from confapp.extensions import db
    from confapp.online import series, services
    from confapp.online.models import SeriesEdition, SeriesRule
    from confapp.registration.models import PlaceKind
    from tests.factories import make_admin, make_category, make_event, make_user

    with pg_app.app_context():
        organiser = make_user()
        group = create_series("Town halls", actor=make_admin())
        start = datetime(2026, 11, 4, 0, 0, tzinfo=timezone.utc)
        template = make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=1), series_id=group.id)
        make_category(template, name="Online", attendance_mode=PlaceKind.ONLINE)
        services.set_attendance_modes(template, AttendanceMode.ONLINE, categories={}, sessions={}, actor=organiser)
        rule = series.save_rule(group, series.RuleData(
            template_event_id=template.id, frequency="monthly", weekday=1, ordinal=1, at_time="19:00",
            timezone="America/New_York", duration_minutes=60, starts_on=date(2026, 12, 1)), actor=organiser, now=TEST_NOW)
        db.session.commit()
        rule_id, organiser_id = rule.id, organiser.id

    barrier, made, errors = threading.Barrier(3), [], []

    def press():
        from confapp.accounts.models import User

        with pg_app.app_context():
            try:
                actor = db.session.get(User, organiser_id)
                row = db.session.get(SeriesRule, rule_id)
                barrier.wait()
                made.append(len(series.create_editions(row, actor=actor, now=TEST_NOW, ahead=3)))
                db.session.commit()
            except Exception as error:  # noqa: BLE001  (reported below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=press) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(made) == [0, 0, 3]
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SeriesEdition)) == 3
        assert db.session.scalar(select(func.count(func.distinct(SeriesEdition.starts_at)))) == 3


def test_two_workers_running_the_job_at_once_create_each_edition_and_registration_once(pg_app):
    """The hourly job on two (here three) workers at the same instant: one edition per date and
    one registration per subscriber and edition."""
    from confapp.events.models import AttendanceMode
    from confapp.events.services import create_series
    from confapp.online import series, series_schedule, services
    from confapp.extensions import db
    from confapp.online.models import SeriesEdition
    from confapp.registration.models import PlaceKind, Registration
    from confapp.registration.services import AttendeeData
    from tests.factories import make_admin, make_category, make_event, make_user

    with pg_app.app_context():
        organiser = make_user()
        group = create_series("Town halls", actor=make_admin())
        start = datetime(2026, 11, 4, 0, 0, tzinfo=timezone.utc)
        template = make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=1), series_id=group.id)
        make_category(template, name="Online", attendance_mode=PlaceKind.ONLINE)
        services.set_attendance_modes(template, AttendanceMode.ONLINE, categories={}, sessions={}, actor=organiser)
        rule = series.save_rule(group, series.RuleData(
            template_event_id=template.id, frequency="monthly", weekday=1, ordinal=1, at_time="19:00",
            timezone="America/New_York", duration_minutes=60, starts_on=date(2026, 12, 1)), actor=organiser, now=TEST_NOW)
        series.subscribe(rule, AttendeeData("Ana", "Ruiz", "ana@example.org"), "Online", now=TEST_NOW, send_email=False)
        db.session.commit()

    barrier, made, errors = threading.Barrier(3), [], []

    def run_job():
        with pg_app.app_context():
            try:
                barrier.wait()
                made.append(sum(len(ids) for ids in series_schedule.create_due_editions(now=TEST_NOW).values()))
            except Exception as error:  # noqa: BLE001  (reported below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run_job) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(made) == [0, 0, 3]
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SeriesEdition)) == 3
        assert db.session.scalar(select(func.count(func.distinct(SeriesEdition.starts_at)))) == 3
        assert db.session.scalar(select(func.count()).select_from(Registration)
                                 .where(Registration.email == "ana@example.org")) == 3
