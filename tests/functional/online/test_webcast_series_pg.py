"""Two organisers press "Create the next editions" at once (threads against PostgreSQL): the
rule row lock and the unique (rule, starts_at) leave one edition per date."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.support.clock import TEST_NOW
from tests.support.webcasts import monthly_webcast, run_at_once

pytestmark = pytest.mark.postgres


def test_concurrent_create_editions_make_each_date_once(pg_app):
    from confapp.accounts.models import User
    from confapp.extensions import db
    from confapp.online import series
    from confapp.online.models import SeriesEdition, SeriesRule

    with pg_app.app_context():
        webcast = monthly_webcast()
        db.session.commit()
        rule_id, organiser_id = webcast.rule.id, webcast.organiser.id

    def press():
        actor, row = db.session.get(User, organiser_id), db.session.get(SeriesRule, rule_id)
        made = len(series.create_editions(row, actor=actor, now=TEST_NOW, ahead=3))
        db.session.commit()
        return made

    made, errors = run_at_once(pg_app, press)
    assert errors == []
    assert sorted(made) == [0, 0, 3]
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SeriesEdition)) == 3
        assert db.session.scalar(select(func.count(func.distinct(SeriesEdition.starts_at)))) == 3


def test_two_workers_running_the_job_at_once_create_each_edition_and_registration_once(pg_app):
    """The hourly job on two (here three) workers at the same instant: one edition per date and
    one registration per subscriber and edition."""
    from confapp.extensions import db
    from confapp.online import series, series_schedule
    from confapp.online.models import SeriesEdition
    from confapp.registration.models import Registration
    from confapp.registration.services import AttendeeData

    with pg_app.app_context():
        webcast = monthly_webcast()
        series.subscribe(webcast.rule, AttendeeData("Ana", "Ruiz", "ana@example.org"), "Online", now=TEST_NOW, send_email=False)
        db.session.commit()

    made, errors = run_at_once(
        pg_app, lambda: sum(len(ids) for ids in series_schedule.create_due_editions(now=TEST_NOW).values()))
    assert errors == []
    assert sorted(made) == [0, 0, 3]
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SeriesEdition)) == 3
        assert db.session.scalar(select(func.count(func.distinct(SeriesEdition.starts_at)))) == 3
        assert db.session.scalar(select(func.count()).select_from(Registration)
                                 .where(Registration.email == "ana@example.org")) == 3
