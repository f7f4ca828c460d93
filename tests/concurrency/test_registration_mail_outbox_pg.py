"""The registration mail outbox on PostgreSQL with REAL huey consumer processes and a real SMTP
server (aiosmtpd): a confirmation promised by a committed order is sent exactly once even when
the consumer that took its job is killed with SIGKILL mid-render (its lease runs out and another
consumer sends it), or when the job itself never reached the queue (a web worker killed between
commit and enqueue); and consumers racing over many rows take each one once (SKIP LOCKED)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from confapp import jobs
from confapp.config import PROJECT_ROOT
from confapp.extensions import db
from confapp.outreach.models import Delivery, DeliveryState, Message
from confapp.registration import outbox
from confapp.registration.models import Order
from confapp.registration.outbox import MailKind, MailState, RegistrationMail
from tests.factories import make_category, make_event, make_registration, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

LEASE = 1.5

# A real consumer whose render hangs once it holds the claim: the test kills it there.
DOOMED_CONSUMER = """
import pathlib, sys, time
import confapp.worker
from confapp.registration import outbox

MARKER = pathlib.Path(sys.argv[1])

def hang(row):
    MARKER.write_text(str(row.id))
    time.sleep(3600)

outbox.use_renderer(hang)
from huey.bin.huey_consumer import consumer_main
sys.argv = ["huey_consumer", "confapp.worker.huey", "-w", "1", "-k", "thread", "-d", "0.05"]
consumer_main()
"""


@pytest.fixture
def queue_file():
    """The test process enqueues into a real SqliteHuey file (not the inline mode)."""
    jobs.huey.immediate = False
    jobs.huey.flush()
    try:
        yield jobs.huey.storage.filename
    finally:
        jobs.huey.flush()
        jobs.huey.immediate = True


class Consumer:
    def __init__(self, app, smtp_server, queue: str, tmp_path, name: str, script: str | None = None, *args: str):
        self.env = dict(os.environ, CONFAPP_INSTANCE=str(tmp_path / "instance"),
                        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], HUEY_SQLITE_FILE=queue,
                        MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_server.port), SECRET_KEY=app.config["SECRET_KEY"],
                        REGISTRATION_MAIL_LEASE_SECONDS=str(LEASE), OUTREACH_LEASE_SECONDS="2",
                        # The consumers run this checkout's code, whatever the virtualenv was installed from.
                        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])))
        self.env.pop("HUEY_IMMEDIATE", None)
        if script is None:
            command = [os.path.join(os.path.dirname(sys.executable), "huey_consumer"), "confapp.worker.huey",
                       "-w", "2", "-k", "thread", "-d", "0.05"]
        else:
            command = [sys.executable, "-c", script, *args]
        self.log_path = tmp_path / f"{name}.log"
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


def wait_until(predicate, timeout: float, what: str, *consumers: Consumer):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    logs = "\n".join(c.log()[-3000:] for c in consumers)
    raise AssertionError(f"timed out waiting for {what}; consumer logs:\n{logs}")


def register_through_the_form(app, email: str) -> str:
    with app.app_context():
        event = make_event(organiser=make_user(), capacity=100, slug="outbox-convening", title="Outbox Convening")
        category = make_category(event, name="General")
        db.session.commit()
        slug, category_id = event.slug, category.id
        db.session.remove()
    response = app.test_client().post(f"/e/{slug}/register", data={
        "step": "confirm", f"quantity_{category_id}": "1", "form_token": "outbox-1",
        "attendees-0-first_name": "Ana", "attendees-0-last_name": "Outbox", "attendees-0-email": email})
    assert response.status_code == 302 and "/orders/" in response.headers["Location"], response.get_data(as_text=True)[:500]
    return slug


def outbox_rows(app):
    with app.app_context():
        try:
            return [(r.kind, r.state, r.attempts) for r in db.session.scalars(select(RegistrationMail).order_by(RegistrationMail.id))]
        finally:
            db.session.remove()


def confirmations_to(server, address: str) -> int:
    return sum(1 for m in server.messages if address in m.envelope_to and "Your registration for Outbox Convening" in m.subject)


def test_consumer_killed_while_rendering_the_confirmation_is_taken_over_and_sent_once(pg_app, mail, queue_file, tmp_path):
    address = "ana.killed@example.org"
    register_through_the_form(pg_app, address)
    # Committed with the order, not yet rendered: the job waits in the queue file.
    assert outbox_rows(pg_app) == [(MailKind.CONFIRMATION, MailState.PENDING, 0)]
    marker = tmp_path / "claimed"
    doomed = Consumer(pg_app, mail, queue_file, tmp_path, "doomed", DOOMED_CONSUMER, str(marker))
    try:
        wait_until(marker.exists, 60, "the first consumer to claim the mail", doomed)
        doomed.kill()  # SIGKILL while it holds the lease: the job it took is gone with it
    finally:
        doomed.stop()
    assert outbox_rows(pg_app) == [(MailKind.CONFIRMATION, MailState.CLAIMED, 1)]
    time.sleep(0.5)
    assert confirmations_to(mail, address) == 0
    rescuer = Consumer(pg_app, mail, queue_file, tmp_path, "rescuer")
    try:
        wait_until(lambda: confirmations_to(mail, address) >= 1, 60, "the confirmation from the second consumer", rescuer)
        time.sleep(LEASE + 1)  # long enough for a second copy to show up if one were coming
    finally:
        rescuer.stop()
    assert confirmations_to(mail, address) == 1
    assert outbox_rows(pg_app) == [(MailKind.CONFIRMATION, MailState.DONE, 2)]
    with pg_app.app_context():
        deliveries = db.session.execute(select(Delivery.address, Delivery.state).join(Message)
                                        .where(Message.template == "registration_confirmation")).all()
        db.session.remove()
    assert deliveries == [(address, DeliveryState.SENT)]
    names = [name for name, _type, _data in mail.to(address)[0].attachments()]
    assert "event.ics" in names and any(n.startswith("ticket-") for n in names)  # rendered in full by the job


def test_a_job_that_never_reached_the_queue_is_sent_by_the_consumer_sweep(pg_app, mail, queue_file, tmp_path):
    address = "ana.lost@example.org"
    register_through_the_form(pg_app, address)
    jobs.huey.flush()  # as if the web worker died between its commit and the enqueue
    assert outbox_rows(pg_app) == [(MailKind.CONFIRMATION, MailState.PENDING, 0)]
    consumer = Consumer(pg_app, mail, queue_file, tmp_path, "sweeper")
    try:
        wait_until(lambda: confirmations_to(mail, address) >= 1, 60, "the start-up sweep to send it", consumer)
        time.sleep(1)
    finally:
        consumer.stop()
    assert confirmations_to(mail, address) == 1
    assert outbox_rows(pg_app) == [(MailKind.CONFIRMATION, MailState.DONE, 1)]


def test_parallel_sweeps_render_each_row_once(pg_app, mail):
    rows, workers = 120, 4
    with pg_app.app_context():
        event = make_event(organiser=make_user(), capacity=500, slug="outbox-race", title="Outbox Race")
        category = make_category(event, name="General")
        orders = [make_registration(event, category, email=f"race{i:03d}@example.org", send_email=False).order
                  for i in range(rows)]
        db.session.commit()
        # Promised without the inline job (huey is immediate here): the threads below race for them.
        for order in orders:
            db.session.add(RegistrationMail(event_id=event.id, kind=MailKind.CONFIRMATION, order_id=order.id, params={},
                                            state=MailState.PENDING, attempts=0, message_ids=[], error=""))
        db.session.commit()
        db.session.remove()
    mail.clear()
    barrier = threading.Barrier(workers)
    runs, errors = [], []

    def work():
        with pg_app.app_context():
            try:
                barrier.wait(timeout=30)
                runs.append(outbox.process(size=5))
            except Exception as error:  # reported below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not errors
    assert sum(run.rendered for run in runs) == rows and sum(run.lost for run in runs) == 0
    assert sum(1 for run in runs if run.rendered) >= 2, runs  # the work really was shared
    received = Counter(m.envelope_to[0] for m in mail.wait_for(rows, timeout=60))
    assert len(received) == rows and max(received.values()) == 1
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RegistrationMail)
                                 .where(RegistrationMail.state == MailState.DONE, RegistrationMail.attempts == 1)) == rows
        assert db.session.scalar(select(func.count()).select_from(Order)) == rows
        db.session.remove()
