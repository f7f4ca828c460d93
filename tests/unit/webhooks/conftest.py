from __future__ import annotations

import pytest

from confapp.extensions import db as database
from confapp.webhooks import services
from confapp.webhooks.catalogue import EVENT_TYPES
from tests.factories import make_event, make_user
from tests.support.webhook_receiver import start_receiver, stop_receiver


@pytest.fixture
def allow_local(app, monkeypatch):
    """The test receiver listens on loopback, which real instances refuse."""
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE_URLS", True)


@pytest.fixture
def receiver():
    started = start_receiver()
    yield started
    stop_receiver(started)


@pytest.fixture
def hooked(db, allow_local, receiver, now):
    """An event, its organiser and one endpoint on the receiver hearing every type."""
    organiser = make_user()
    event = make_event(organiser=organiser)
    endpoint = services.create_endpoint(event, url=receiver.url, event_types=list(EVENT_TYPES), actor=organiser, now=now)
    database.session.commit()
    receiver.secret = endpoint.secret
    return event, organiser, endpoint
