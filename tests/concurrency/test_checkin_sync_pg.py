"""Desks that were offline send overlapping queues at the same moment, on the real PostgreSQL
server: every ticket is checked in once, every scan is answered, and nothing fails. A queue is
applied as one batch (read once, one savepoint); a batch that meets another desk's check-in
(the partial unique index) is redone scan by scan, each insert answering its twin."""
import threading
from collections import Counter

import pytest

from confapp.accounts.models import Role, User
from confapp.audit.models import AuditEntry
from confapp.checkin import services
from confapp.checkin import sync as offline_sync
from confapp.checkin.models import CheckIn, CheckInList
from confapp.extensions import db
from tests.factories import grant, make_event, make_user
from tests.support.checkin import attendee

pytestmark = pytest.mark.postgres

DESKS = 6
TICKETS = 60


def test_overlapping_queues_sent_at_once_check_each_ticket_in_once(pg_app, now):
    with pg_app.app_context():
        staff = make_user(name="Maria")
        event = make_event(capacity=None)
        grant(event, staff, Role.CHECKIN_STAFF)
        checkin_list = services.main_list(event, actor=staff, now=now)
        codes = [attendee(event, first_name=f"P{i}").ticket_code for i in range(TICKETS)]
        db.session.commit()
        staff_id, list_id = staff.id, checkin_list.id
    barrier = threading.Barrier(DESKS)
    results: list[list] = []
    errors: list[BaseException] = []

    def desk(n):
        # Every desk scanned every ticket, in its own order: all queues overlap everywhere.
        queue = [{"scan_id": f"desk{n}-{i}", "code": code} for i, code in enumerate(codes[n:] + codes[:n])]
        try:
            with pg_app.app_context():
                actor = db.session.get(User, staff_id)
                checkin_list = db.session.get(CheckInList, list_id)
                barrier.wait(timeout=30)
                items = offline_sync.sync(queue, checkin_list=checkin_list, actor=actor, now=now)
                db.session.commit()
                results.append([(i.scan_id, i.result.outcome.value, i.conflict) for i in items])
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(DESKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert len(results) == DESKS and all(len(r) == TICKETS for r in results)
    outcomes = Counter(outcome for r in results for _, outcome, _ in r)
    assert outcomes == {"ok": TICKETS, "already": TICKETS * (DESKS - 1)}, outcomes
    with pg_app.app_context():
        assert CheckIn.query.count() == TICKETS
        assert len({c.registration_id for c in CheckIn.query}) == TICKETS
        # One audit entry per check-in: a batch redone scan by scan left none of its first attempt.
        assert AuditEntry.query.filter_by(action="checkin.redeem").count() == TICKETS
        # A queue sent again (the desk never heard back) changes nothing: its own scans replay.
        actor, checkin_list = db.session.get(User, staff_id), db.session.get(CheckInList, list_id)
        queue = [{"scan_id": f"desk0-{i}", "code": code} for i, code in enumerate(codes)]
        again = offline_sync.sync(queue, checkin_list=checkin_list, actor=actor, now=now)
        db.session.commit()
        assert CheckIn.query.count() == TICKETS
        mine = {scan_id for scan_id, outcome, _ in results[0] if outcome == "ok"}
        assert all(i.result.replayed for i in again if i.scan_id in mine)
