"""The real huey consumer sends webhooks: it is killed (kill -9) while deliveries wait for their
retry, a new consumer starts, and every event reaches the receiver exactly once more, with each
attempt in the log."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from confapp import jobs
from confapp.extensions import db
from confapp.types import utcnow
from confapp.webhooks import outbox, services
from confapp.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery
from tests.conftest import make_app_for
from tests.factories import make_event, make_user
from tests.support.webhook_receiver import start_receiver, stop_receiver

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
EVENTS = 5

pytestmark = pytest.mark.slow


@pytest.fixture
def sqlite_queue():
    """The test process enqueues into the real SqliteHuey file the consumers read."""
    jobs.huey.immediate = False
    try:
        yield jobs.huey.storage.filename
    finally:
        jobs.huey.flush()
        jobs.huey.immediate = True


def _consumer(env, log):
    consumer_bin = os.path.join(os.path.dirname(sys.executable), "huey_consumer")
    return subprocess.Popen([consumer_bin, "confapp.worker.huey", "-w", "1", "-k", "thread", "-d", "0.1"],
                            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait(condition, timeout: float, log) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    log.seek(0)
    raise AssertionError("consumer did not get there; its log:\n" + log.read())


def test_a_killed_consumer_loses_no_retry_and_sends_nothing_twice(tmp_path, smtp_server, sqlite_queue):
    url = f"sqlite:///{tmp_path / 'hooks.db'}"
    app = make_app_for(url, smtp_server, WEBHOOKS_ALLOW_PRIVATE_URLS=True)
    receiver = start_receiver(answers=[500] * EVENTS)  # every first attempt fails
    # The consumer shares the web's SECRET_KEY, as docs/deployment.md requires: it opens the sealed signing secrets.
    env = dict(os.environ, CONFAPP_INSTANCE=str(tmp_path / "instance"), DATABASE_URL=url, SECRET_KEY=app.config["SECRET_KEY"],
               HUEY_SQLITE_FILE=sqlite_queue, WEBHOOKS_ALLOW_PRIVATE_URLS="1",
               WEBHOOKS_RETRY_BASE_SECONDS="3", WEBHOOKS_LEASE_SECONDS="5")
    env.pop("HUEY_IMMEDIATE", None)
    log = open(tmp_path / "consumer.log", "w+")
    consumers = []
    try:
        with app.app_context():
            upgrade()
            organiser = make_user()
            event = make_event(organiser=organiser)
            endpoint = services.create_endpoint(event, url=receiver.url, event_types=["order.paid"],
                                                actor=organiser, now=utcnow())
            receiver.secret = endpoint.secret
            for n in range(EVENTS):
                outbox.emit(event, "order.paid", {"order": {"id": n}}, key=f"order.paid:{n}", now=utcnow())
            db.session.commit()  # queues the sending job in the file, not inline
            db.session.remove()

            def first_attempts_recorded():
                try:
                    return db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(
                        WebhookDelivery.state == DeliveryState.PENDING, WebhookDelivery.attempts == 1)) == EVENTS
                finally:
                    db.session.remove()  # embedded SQLite: never hold the write lock the consumer needs

            consumers.append(_consumer(env, log))
            _wait(first_attempts_recorded, 60, log)
            os.kill(consumers[0].pid, signal.SIGKILL)  # waiting for the retries, which it scheduled
            consumers[0].wait(timeout=15)
            assert len(receiver.applied) == 0

            consumers.append(_consumer(env, log))
            _wait(lambda: len(receiver.applied) == EVENTS, 60, log)
            time.sleep(1)  # nothing more arrives afterwards
            db.session.remove()
            deliveries = db.session.scalars(select(WebhookDelivery)).all()
            assert {d.state for d in deliveries} == {DeliveryState.DELIVERED} and {d.attempts for d in deliveries} == {2}
            logged = db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)).all()
            assert [a.response_code for a in logged] == [500] * EVENTS + [200] * EVENTS
            db.session.remove()
    finally:
        for consumer in consumers:
            if consumer.poll() is None:
                consumer.terminate()
                consumer.wait(timeout=15)
        log.close()
        stop_receiver(receiver)
        with app.app_context():
            db.engine.dispose()
    requests = [r.webhook_id for r in receiver.received]
    assert len(requests) == 2 * EVENTS and all(requests.count(i) == 2 for i in requests)
    assert all(r.verified for r in receiver.received)
