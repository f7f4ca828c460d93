"""Four delivery workers on one message at once, on PostgreSQL: the conditional claim (state
transition + token) gives every delivery to exactly one worker, so each recipient receives the
message once and nobody is skipped."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from confapp.extensions import db
from confapp.outreach import delivery, services
from confapp.outreach.models import Delivery, Message, MessageStatus
from confapp.outreach.services import MessageDraft
from confapp.types import utcnow

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

RECIPIENTS = 300
WORKERS = 4


def test_parallel_workers_claim_each_delivery_once(pg_app, mail):
    from tests.functional.outreach.test_worker_delivery import build_audience

    pg_app.config["OUTREACH_BATCH_SIZE"] = 10
    try:
        with pg_app.app_context():
            event, organiser = build_audience(RECIPIENTS)
            message = services.create_message(event, MessageDraft("For {{ first_name }}", "Hello {{ full_name }}",
                                                                  {"status": ["confirmed"]}), actor=organiser, now=utcnow())
            message.status = MessageStatus.SENDING
            delivery.materialize(message, now=utcnow())
            db.session.commit()
            message_id = message.id
            db.session.remove()
        barrier = threading.Barrier(WORKERS)
        runs, errors = [], []

        def work():
            with pg_app.app_context():
                try:
                    barrier.wait(timeout=30)
                    runs.append(delivery.deliver(message_id))
                except Exception as error:  # reported below
                    errors.append(repr(error))
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=work) for _ in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
    finally:
        pg_app.config.pop("OUTREACH_BATCH_SIZE")
    assert not errors
    received = Counter(m.envelope_to[0] for m in mail.wait_for(RECIPIENTS, timeout=60))
    assert len(received) == RECIPIENTS and max(received.values()) == 1
    assert sum(run.sent for run in runs) == RECIPIENTS
    assert sum(1 for run in runs if run.sent) >= 2, runs  # the work really was shared
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.message_id == message_id, Delivery.state == "sent")) == RECIPIENTS
        assert db.session.scalar(select(Message.status).where(Message.id == message_id)) == MessageStatus.SENT
        db.session.remove()
