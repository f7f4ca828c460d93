"""Webhook signing secrets are sealed at rest (issue 14): the row holds "sealed:<Fernet token>"
under a key derived from SECRET_KEY, deliveries still sign with the plain secret, a rotated
SECRET_KEY keeps old values readable through SECRET_KEY_FALLBACKS, and plain secrets written by
older code are read as they are until `flask webhooks seal-secrets` seals them."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from confapp import sealing
from confapp.webhooks import services
from confapp.webhooks.models import WebhookEndpoint
from tests.factories import make_event, make_user


@pytest.fixture
def endpoint(db, app, monkeypatch, now):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE_URLS", True)
    organiser = make_user()
    event = make_event(organiser=organiser)
    made = services.create_endpoint(event, url="http://127.0.0.1:9/hook", event_types=["registration.created"],
                                    actor=organiser, now=now)
    db.session.flush()
    return made


def _stored(db, endpoint) -> str:
    return db.session.execute(text("SELECT secret FROM webhook_endpoints WHERE id = :id"), {"id": endpoint.id}).scalar()


def test_the_row_holds_a_sealed_secret_and_the_model_gives_the_plain_one(db, endpoint):
    stored = _stored(db, endpoint)
    assert stored.startswith("sealed:") and "whsec_" not in stored
    assert endpoint.secret.startswith("whsec_") and sealing.unseal(stored) == endpoint.secret
    assert sealing.seal(endpoint.secret) != sealing.seal(endpoint.secret)  # a fresh IV each time


def test_a_rotated_secret_key_still_opens_old_values_through_the_fallbacks(db, app, endpoint, monkeypatch):
    plain, stored = endpoint.secret, _stored(db, endpoint)
    old_key = app.config["SECRET_KEY"]
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-new-secret-key-after-rotation")
    with pytest.raises(sealing.UnsealError):
        sealing.unseal(stored)
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])
    assert sealing.unseal(stored) == plain
    resealed = sealing.reseal(stored)
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])
    assert sealing.unseal(resealed) == plain


def test_plain_secrets_from_older_code_are_read_and_sealed_by_the_command(db, app, endpoint):
    db.session.execute(text("UPDATE webhook_endpoints SET secret = 'whsec_b2xkLXBsYWluLXNlY3JldA==' WHERE id = :id"),
                       {"id": endpoint.id})
    db.session.expire(endpoint)
    assert endpoint.secret == "whsec_b2xkLXBsYWluLXNlY3JldA=="
    result = app.test_cli_runner().invoke(args=["webhooks", "seal-secrets"])
    assert result.exit_code == 0 and "Sealed 1" in result.output, result.output
    db.session.expire(endpoint)
    assert _stored(db, endpoint).startswith("sealed:")
    assert db.session.get(WebhookEndpoint, endpoint.id).secret == "whsec_b2xkLXBsYWluLXNlY3JldA=="


def test_a_worker_with_another_secret_key_records_a_failed_attempt_and_sends_nothing(db, app, endpoint, monkeypatch, now):
    from confapp.webhooks import outbox, sending
    from confapp.webhooks.models import WebhookAttempt

    sent = []
    monkeypatch.setattr(sending, "post", lambda *args: sent.append(args))
    outbox.emit(endpoint.event, "registration.created", {"registration": {"id": 1}}, key="registration.created:1", now=now)
    monkeypatch.setitem(app.config, "SECRET_KEY", "not-the-web-hosts-key")
    db.session.commit()  # the suite's queue runs the sending job at once, here under the wrong key
    sending.deliver_due(clock=lambda: now, max_batches=1)
    assert sent == []
    [attempt] = db.session.query(WebhookAttempt).all()
    assert "SECRET_KEY" in attempt.error
