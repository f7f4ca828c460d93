"""On embedded SQLite every writer queues for one write lock, so the door's redeem holds it only to
decide and write the check-in: the link, the ticket and its order are read before, and the
answer is built without reloading what was just written.

These run on a SQLite file of their own (not the per-test transaction), so that the real
BEGIN / BEGIN IMMEDIATE sequence and the lock can be observed."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from confapp.checkin import services
from confapp.extensions import db
from confapp.types import utcnow
from tests.conftest import make_app_for
from tests.factories import make_event, make_user
from tests.support.checkin import attendee
from tests.support.queries import count_queries, statement_step


@pytest.fixture
def desk(tmp_path, smtp_server):
    app = make_app_for(f"sqlite:///{tmp_path / 'desk.db'}", smtp_server)
    with app.app_context():
        upgrade()
        organiser = make_user()
        event = make_event(organiser=organiser)
        now = utcnow()
        checkin_list = services.main_list(event, actor=organiser, now=now)
        reg = attendee(event, first_name="Amara", last_name="Okafor", answers={"pronouns": "she/her"})
        _, token = services.create_volunteer_link(checkin_list, name="Door 2", valid_from=now - timedelta(hours=1),
                                                  valid_until=now + timedelta(hours=2), actor=organiser, now=now)
        db.session.commit()
        world = {"app": app, "url": f"/checkin/api/lists/{checkin_list.id}/redeem", "code": reg.ticket_code,
                 "headers": {"Accept": "application/json", "X-Checkin-Link": token}}
        db.session.remove()
    yield world
    with app.app_context():
        db.engine.dispose()


def test_redeem_reads_first_and_writes_under_the_lock_without_reloading(desk):
    app = desk["app"]
    with app.app_context():
        engine = db.engine
    with count_queries(engine, ignore_savepoints=False) as counter:
        response = app.test_client().post(desk["url"], json={"code": desk["code"], "station": "Door 2"}, headers=desk["headers"])
    body = response.get_json()
    assert response.status_code == 200 and body["outcome"] == "ok", body
    assert body["attendee"]["name"] == "Amara Okafor" and body["attendee"]["pronouns"] == "she/her"
    assert body["check_in"]["by"] == "Door 2"

    steps = [statement_step(s) for s in counter.statements]
    locked = steps.index("BEGIN IMMEDIATE")
    reads, rest = steps[:locked], steps[locked + 1:]
    writes = rest[: rest.index("BEGIN")]
    answer = rest[rest.index("BEGIN") + 1:]
    assert reads[0] == "BEGIN" and "SELECT checkin_volunteer_links" in reads and "SELECT registrations" in reads, steps
    assert [s for s in writes if not s.startswith(("SAVEPOINT", "RELEASE"))] == [
        "SELECT checkins", "INSERT checkins", "INSERT audit_entries"], steps
    # The card comes from what was just written: only the desk's answers are read afterwards.
    assert answer == ["SELECT answers"], steps


def test_a_scan_that_writes_nothing_does_not_queue_behind_a_writer(desk):
    """An unknown code is answered while another transaction holds the write lock; a real
    check-in waits for it and then goes through."""
    app = desk["app"]
    holding, release = threading.Event(), threading.Event()

    def writer():
        with app.app_context():
            with db.engine.begin() as connection:
                connection.execute(text("UPDATE events SET title = title"))
                holding.set()
                release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        client = app.test_client()
        started = time.monotonic()
        unknown = client.post(desk["url"], json={"code": "NOT-A-TICKET"}, headers=desk["headers"])
        assert unknown.get_json()["outcome"] == "unknown"
        assert time.monotonic() - started < 1.0

        answers = []
        scan = threading.Thread(target=lambda: answers.append(
            client.post(desk["url"], json={"code": desk["code"]}, headers=desk["headers"]).get_json()["outcome"]))
        scan.start()
        scan.join(0.5)
        assert answers == [], "a check-in must wait for the write lock"
        release.set()
        scan.join(10)
        assert answers == ["ok"]
    finally:
        release.set()
        thread.join(10)
