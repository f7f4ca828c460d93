"""Issue 11, "a promise of deletion not kept": the purge runs on schedule (hourly) and when the
job worker starts (the real huey consumer, as `make run` starts it); nothing is mailed by name to
the participants of an event whose deletion is due; the demo's past events hold no personal data
once loaded, as their pages promise."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from confapp.config import PROJECT_ROOT
from confapp.registration.models import Registration
from confapp.reports import services
from confapp.types import utcnow
from tests.factories import make_event, make_user
from tests.reports_data import check_in_known, known_event


def overdue_event(organiser=None, days_after=91):
    """An event that ended `days_after` days ago (the default retention is 90 days), not purged."""
    end = utcnow() - timedelta(days=days_after)
    return make_event(organiser=organiser, starts_at=end - timedelta(hours=30), ends_at=end)


def test_the_purge_job_runs_every_hour():
    from confapp.reports.tasks import purge_due_events_hourly

    day = datetime(2026, 11, 21, tzinfo=timezone.utc)
    task = purge_due_events_hourly.task_class()
    fires = [hour for hour in range(24) if task.validate_datetime(day.replace(hour=hour, minute=20))]
    assert fires == list(range(24))
    due = purge_due_events_hourly.huey.read_periodic(day.replace(minute=20))
    assert purge_due_events_hourly.task_class in {type(t) for t in due}


def test_survey_and_certificate_mail_is_refused_once_deletion_is_due(client, db, mail, login_as):
    organiser = make_user()
    event = overdue_event(organiser)
    check_in_known(known_event(event), organiser)
    db.session.commit()
    assert services.retention_for(event).purged_at is None  # due, but the job has not run yet
    login_as(organiser)
    survey = client.post(f"/manage/{event.slug}/feedback/send", follow_redirects=True)
    assert b"closes when personal data is deleted or due for deletion" in survey.data
    certificates = client.post(f"/manage/{event.slug}/certificates/send", follow_redirects=True)
    assert b"due for deletion: certificates are no longer sent" in certificates.data
    with pytest.raises(AssertionError):
        mail.wait_for(1, timeout=2)


def test_survey_mail_still_goes_the_day_before_deletion_is_due(client, db, mail, login_as):
    organiser = make_user()
    event = overdue_event(organiser, days_after=89)
    check_in_known(known_event(event), organiser)
    db.session.commit()
    login_as(organiser)
    sent = client.post(f"/manage/{event.slug}/feedback/send", follow_redirects=True)
    assert b"Survey links queued for 7 participants" in sent.data
    assert len(mail.wait_for(7)) == 7


@pytest.mark.slow
def test_the_job_worker_purges_an_overdue_event_when_it_starts(tmp_path, smtp_server):
    from flask_migrate import upgrade

    from confapp.extensions import db
    from tests.conftest import make_app_for

    url = f"sqlite:///{tmp_path / 'purge.db'}"
    app = make_app_for(url, smtp_server)
    with app.app_context():
        upgrade()
        overdue, current = overdue_event(), overdue_event(days_after=10)
        known_event(overdue), known_event(current)
        db.session.commit()
        ids = overdue.id, current.id
        db.session.remove()
    env = dict(os.environ, DATABASE_URL=url, CONFAPP_INSTANCE=str(tmp_path / "instance"),
               HUEY_SQLITE_FILE=str(tmp_path / "queue.db"), MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_server.port))
    env.pop("HUEY_IMMEDIATE", None)
    log = open(tmp_path / "consumer.log", "w+")
    consumer = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "huey_consumer"), "confapp.worker.huey",
                                 "-w", "2", "-k", "thread", "-d", "0.1"],
                                cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def emails(event_id):
        with app.app_context():
            found = db.session.scalars(select(Registration.email).where(Registration.event_id == event_id)).all()
            db.session.remove()
            return [e for e in found if e]

    try:
        deadline = time.monotonic() + 30
        while emails(ids[0]) and time.monotonic() < deadline:
            time.sleep(0.2)
        log.seek(0)
        assert emails(ids[0]) == [], "the worker did not purge the overdue event; its log:\n" + log.read()
    finally:
        consumer.terminate()
        consumer.wait(timeout=15)
        log.close()
    assert "alice@example.org" in emails(ids[1])  # not yet due: kept
    with app.app_context():
        from confapp.reports.models import DataRetention

        assert db.session.get(DataRetention, ids[0]).purged_at is not None
        db.session.remove()


def test_the_demos_past_events_hold_no_personal_data_once_loaded(client, db):
    from confapp.demo import load_demo
    from confapp.events.models import Event
    from confapp.reports.models import SurveyResponse
    from confapp.reports.services import purge_due_at, report_for

    now = utcnow()
    load_demo(now)
    db.session.commit()
    events = db.session.scalars(select(Event)).all()
    past_due = [e for e in events if purge_due_at(e, db.session.get(services.DataRetention, e.id)) <= now]
    assert {e.slug for e in past_due} >= {"phrge-institute-2016", "hrc-alliance-jackson-2018"}
    for event in past_due:
        people = db.session.scalars(select(Registration).where(Registration.event_id == event.id)).all()
        assert all(not (r.email or r.first_name or r.last_name) for r in people), event.slug
        comments = db.session.scalars(select(SurveyResponse.comment).where(SurveyResponse.event_id == event.id)).all()
        assert not any(comments), event.slug
        assert services.retention_for(event).purged_at is not None
    upcoming = next(e for e in events if e.slug == "phrge-institute-next")
    assert upcoming not in past_due and db.session.scalars(
        select(Registration.email).where(Registration.event_id == upcoming.id, Registration.email != "")).first()
    # The published 2016 report keeps its numbers.
    phrge = next(e for e in events if e.slug == "phrge-institute-2016")
    assert report_for(phrge).snapshot["figures"]["headline"]["registered"] > 100
    page = client.get("/e/phrge-institute-2016/report")
    assert page.status_code == 200 and b"Registered" in page.data
