"""Two webhook consumers at once on PostgreSQL: the lease claim (SKIP LOCKED, then a conditional
UPDATE with a claim token) gives every delivery to one consumer, so the receiver gets each
webhook-id exactly once and nothing is left behind."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from confapp.extensions import db
from confapp.types import utcnow
from confapp.webhooks import outbox, sending, services
from confapp.webhooks.models import DeliveryState, WebhookDelivery
from tests.factories import make_event, make_user
from tests.support.webhook_receiver import start_receiver, stop_receiver

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

OCCURRENCES = 120
CONSUMERS = 2


def test_two_consumers_deliver_each_webhook_exactly_once(pg_app, monkeypatch):
    # Written and committed without the after-commit job (inline in tests): the consumers below do the work.
    monkeypatch.setattr(outbox, "send_webhooks", lambda: None)
    receiver = start_receiver()
    pg_app.config["WEBHOOKS_ALLOW_PRIVATE_URLS"] = True
    try:
        with pg_app.app_context():
            organiser = make_user()
            event = make_event(organiser=organiser)
            endpoint = services.create_endpoint(event, url=receiver.url, event_types=["order.paid"],
                                                actor=organiser, now=utcnow())
            receiver.secret = endpoint.secret
            for n in range(OCCURRENCES):
                outbox.emit(event, "order.paid", {"order": {"id": n}}, key=f"order.paid:{n}", now=utcnow())
            db.session.commit()
            db.session.remove()
        barrier = threading.Barrier(CONSUMERS)
        runs, errors = [], []

        def consume():
            with pg_app.app_context():
                try:
                    barrier.wait(timeout=30)
                    runs.append(sending.deliver_due(batch=5))
                except Exception as error:  # reported below
                    errors.append(repr(error))
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=consume) for _ in range(CONSUMERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        pg_app.config.pop("WEBHOOKS_ALLOW_PRIVATE_URLS")
        stop_receiver(receiver)
    assert not errors
    ids = Counter(r.webhook_id for r in receiver.received)
    assert len(ids) == OCCURRENCES and max(ids.values()) == 1
    assert all(r.verified for r in receiver.received)
    assert sum(run.delivered for run in runs) == OCCURRENCES
    assert all(run.delivered for run in runs), runs  # the work really was shared
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)
                                 .where(WebhookDelivery.state == DeliveryState.DELIVERED)) == OCCURRENCES
        db.session.remove()
