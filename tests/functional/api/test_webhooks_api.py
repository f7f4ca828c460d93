"""Webhook endpoints through /api/v1: the organisers' services (URL rules, audit), the secret in
the create answer only, answers as documented, and who reaches them by kind of token."""
from __future__ import annotations


import pytest
from sqlalchemy import select

from confapp.audit.models import AuditEntry
from confapp.webhooks import outbox, services as webhook_services
from confapp.webhooks.models import DeliveryState, WebhookDelivery
from tests.factories import make_registration
from tests.functional.api.conftest import bearer, make_token, token_kinds
from tests.functional.api.test_openapi import _validator
from tests.support.access import ORGANISER, OTHER_ORGANISER, record_access_row
from tests.support.clock import TEST_NOW
from tests.support.webhook_receiver import start_receiver, stop_receiver


@pytest.fixture
def allow_local(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE_URLS", True)


def test_an_endpoint_is_made_and_listed_without_its_secret(client, db, world, auth, allow_local):
    url = f"/api/v1/events/{world.event.slug}/webhooks"
    made = client.post(url, headers=auth, json={"url": "http://127.0.0.1:9/hook", "event_types": ["order.paid"],
                                                "description": "CRM"})
    assert made.status_code == 201, made.json
    assert made.json["secret"].startswith("whsec_") and made.json["event_types"] == ["order.paid"]
    listed = client.get(url, headers=auth)
    assert listed.status_code == 200
    [endpoint] = listed.json["results"]
    assert endpoint["id"] == made.json["id"] and "secret" not in endpoint and endpoint["active"] is True
    document = client.get("/api/v1/openapi.json").json
    for path, method, status, response in [("/api/v1/events/{slug}/webhooks", "post", 201, made),
                                           ("/api/v1/events/{slug}/webhooks", "get", 200, listed)]:
        errors = [e.message for e in _validator(document, path, method, status).iter_errors(response.json)]
        assert errors == [], (path, method, errors)


def test_unsafe_urls_and_unknown_types_are_problems_by_field(client, db, world, auth):
    url = f"/api/v1/events/{world.event.slug}/webhooks"
    loopback = client.post(url, headers=auth, json={"url": "http://127.0.0.1:9/hook", "event_types": ["order.paid"]})
    assert loopback.status_code == 422 and loopback.mimetype == "application/problem+json"
    assert "own network" in loopback.json["errors"]["url"]
    scheme = client.post(url, headers=auth, json={"url": "file:///etc/passwd", "event_types": ["order.paid"]})
    assert scheme.status_code == 422 and "url" in scheme.json["errors"]
    unknown = client.post(url, headers=auth, json={"url": "https://93.184.216.34/", "event_types": ["everything"]})
    assert unknown.status_code == 422 and "event_types" in unknown.json["errors"]


def test_webhook_routes_by_kind_of_token(client, db, world, allow_local):
    organiser = world.users[ORGANISER]
    kinds = token_kinds(db, world, no_scope=["registrations:read", "registrations:write"])
    url = f"/api/v1/events/{world.event.slug}/webhooks"
    endpoint = webhook_services.create_endpoint(world.event, url="http://127.0.0.1:9/hook", event_types=["order.paid"],
                                                actor=organiser, now=TEST_NOW)
    db.session.commit()
    outbox.emit(world.event, "order.paid", {"order": {"id": 1}}, key="order.paid:1", now=TEST_NOW)
    db.session.commit()
    # Given up with the endpoint disabled, then enabled: a delivery that may be sent again.
    webhook_services.disable_endpoint(endpoint, reason="Testing", actor=organiser, now=TEST_NOW)
    webhook_services.enable_endpoint(endpoint, actor=organiser, now=TEST_NOW)
    db.session.commit()
    delivery_id = db.session.scalar(select(WebhookDelivery.id))
    one = f"{url}/{endpoint.id}"
    refused = dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404)
    rows = [
        ("GET", url, None, dict(refused, right=200)),
        ("POST", url, {"url": "http://127.0.0.1:9/hook", "event_types": ["checkin.created"]}, dict(refused, right=201)),
        ("GET", one, None, dict(refused, right=200)),
        ("GET", f"{one}/deliveries", None, dict(refused, right=200)),
        ("PATCH", one, {"description": "CRM"}, dict(refused, right=200)),
        ("POST", f"{one}/rotate-secret", None, dict(refused, right=200)),
        ("POST", f"{one}/deliveries/{delivery_id}/retry", None, dict(refused, right=200)),
        ("DELETE", one, None, dict(refused, right=204)),
    ]
    failures = []
    for method, path, body, expected in rows:
        record_access_row(method, path)
        for kind, status in expected.items():
            response = client.open(path, method=method, json=body, headers=kinds[kind])
            if response.status_code != status or (status != 204 and not response.is_json):
                failures.append(f"{method} {path} [{kind}]: {response.status_code}, expected {status}")
    assert failures == []


def test_an_endpoint_is_changed_disabled_given_a_new_secret_and_deleted(client, db, world, auth, allow_local):
    url = f"/api/v1/events/{world.event.slug}/webhooks"
    made = client.post(url, headers=auth, json={"url": "http://127.0.0.1:9/hook", "event_types": ["order.paid"]}).json
    one = f"{url}/{made['id']}"
    document = client.get("/api/v1/openapi.json").json

    def documented(path, method, status, response):
        errors = [e.message for e in _validator(document, path, method, status).iter_errors(response.json)]
        assert errors == [], (path, method, errors)

    changed = client.patch(one, headers=auth, json={"event_types": ["order.paid", "checkin.created"], "description": "CRM"})
    assert changed.status_code == 200 and changed.json["event_types"] == ["order.paid", "checkin.created"]
    assert changed.json["url"] == "http://127.0.0.1:9/hook" and "secret" not in changed.json
    documented("/api/v1/events/{slug}/webhooks/{endpoint_id}", "patch", 200, changed)
    disabled = client.patch(one, headers=auth, json={"active": False})
    assert disabled.json["active"] is False and disabled.json["disabled_reason"]
    assert client.patch(one, headers=auth, json={"active": True}).json["active"] is True
    unsafe = client.patch(one, headers=auth, json={"url": "file:///etc/passwd"})
    assert unsafe.status_code == 422 and "url" in unsafe.json["errors"]
    rotated = client.post(f"{one}/rotate-secret", headers=auth)
    assert rotated.status_code == 200 and rotated.json["secret"].startswith("whsec_")
    assert rotated.json["secret"] != made["secret"]
    documented("/api/v1/events/{slug}/webhooks/{endpoint_id}/rotate-secret", "post", 200, rotated)
    deliveries = client.get(f"{one}/deliveries", headers=auth)
    assert deliveries.status_code == 200 and deliveries.json == {"results": []}
    documented("/api/v1/events/{slug}/webhooks/{endpoint_id}/deliveries", "get", 200, deliveries)
    assert client.delete(one, headers=auth).status_code == 204
    assert client.get(one, headers=auth).status_code == 404
    assert client.get(url, headers=auth).json["results"] == []


@pytest.fixture
def receiver(allow_local):
    started = start_receiver()
    yield started
    stop_receiver(started)


def _retry_url(world, endpoint_id: int, delivery_id: int) -> str:
    return f"/api/v1/events/{world.event.slug}/webhooks/{endpoint_id}/deliveries/{delivery_id}/retry"


def test_a_finished_delivery_is_sent_again_with_the_same_webhook_id(client, db, world, auth, receiver):
    endpoint = webhook_services.create_endpoint(world.event, url=receiver.url, event_types=["registration.created"],
                                                actor=world.users[ORGANISER], now=TEST_NOW)
    db.session.commit()
    receiver.secret = endpoint.secret
    make_registration(world.event)
    db.session.commit()
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.state == DeliveryState.DELIVERED and len(receiver.received) == 1
    again = client.post(_retry_url(world, endpoint.id, delivery.id), headers=auth)
    assert again.status_code == 200, again.json
    assert (again.json["id"], again.json["webhook_id"]) == (delivery.id, delivery.webhook_id)
    assert (again.json["state"], again.json["attempts"]) == ("pending", 0)
    document = client.get("/api/v1/openapi.json").json
    path = "/api/v1/events/{slug}/webhooks/{endpoint_id}/deliveries/{delivery_id}/retry"
    assert [e.message for e in _validator(document, path, "post", 200).iter_errors(again.json)] == []
    # The job queue runs at once here: the receiver got it again, signed, under the same webhook-id.
    assert [r.status for r in receiver.received] == [200, 200] and all(r.verified for r in receiver.received)
    assert len({r.webhook_id for r in receiver.received}) == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "webhooks.delivery_resent"))
    assert entry.actor_label == "API token: CRM sync" and entry.event_id == world.event.id


def test_a_delivery_still_waiting_or_of_a_disabled_endpoint_is_not_sent_again(client, db, world, auth, allow_local):
    organiser = world.users[ORGANISER]
    # Nothing listens on port 9: the first attempt fails and the delivery waits for its next try.
    endpoint = webhook_services.create_endpoint(world.event, url="http://127.0.0.1:9/hook", event_types=["order.paid"],
                                                actor=organiser, now=TEST_NOW)
    db.session.commit()
    outbox.emit(world.event, "order.paid", {"order": {"id": 1}}, key="order.paid:1", now=TEST_NOW)
    db.session.commit()
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.state == DeliveryState.PENDING
    waiting = client.post(_retry_url(world, endpoint.id, delivery.id), headers=auth)
    assert waiting.status_code == 409 and waiting.mimetype == "application/problem+json"
    assert waiting.json["detail"] == "This delivery is already waiting to be sent."
    webhook_services.disable_endpoint(endpoint, reason="Testing", actor=organiser, now=TEST_NOW)
    db.session.commit()
    assert delivery.state == DeliveryState.FAILED  # given up with the endpoint
    disabled = client.post(_retry_url(world, endpoint.id, delivery.id), headers=auth)
    assert disabled.status_code == 409 and disabled.json["detail"] == "Enable the endpoint first."
    db.session.refresh(delivery)
    assert delivery.state == DeliveryState.FAILED
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "webhooks.delivery_resent")) is None


def test_only_this_endpoints_deliveries_are_sent_again_and_only_with_webhooks_write(client, db, world, auth, allow_local):
    organiser = world.users[ORGANISER]
    ours, theirs_here = (webhook_services.create_endpoint(world.event, url=f"http://127.0.0.1:9/{name}",
                                                          event_types=["order.paid"], actor=organiser, now=TEST_NOW)
                         for name in ("ours", "other"))
    elsewhere = webhook_services.create_endpoint(world.other_event, url="http://127.0.0.1:9/elsewhere",
                                                 event_types=["order.paid"], actor=world.users[OTHER_ORGANISER],
                                                 now=TEST_NOW)
    db.session.commit()
    outbox.emit(world.event, "order.paid", {"order": {"id": 1}}, key="order.paid:1", now=TEST_NOW)
    outbox.emit(world.other_event, "order.paid", {"order": {"id": 2}}, key="order.paid:2", now=TEST_NOW)
    db.session.commit()
    by_endpoint = {d.endpoint_id: d for d in db.session.scalars(select(WebhookDelivery))}
    # Disabled and enabled again: what was waiting is given up, so each delivery may be sent again.
    for endpoint, actor in ((ours, organiser), (theirs_here, organiser), (elsewhere, world.users[OTHER_ORGANISER])):
        webhook_services.disable_endpoint(endpoint, reason="Testing", actor=actor, now=TEST_NOW)
        webhook_services.enable_endpoint(endpoint, actor=actor, now=TEST_NOW)
    db.session.commit()
    mine = by_endpoint[ours.id]
    not_found = [
        _retry_url(world, ours.id, 2**31 - 1),  # no such delivery
        _retry_url(world, ours.id, by_endpoint[theirs_here.id].id),  # another endpoint's, same event
        _retry_url(world, ours.id, by_endpoint[elsewhere.id].id),  # another event's
        _retry_url(world, elsewhere.id, by_endpoint[elsewhere.id].id),  # another event's endpoint
        _retry_url(world, 2**31 - 1, mine.id),  # no such endpoint
    ]
    for url in not_found:
        answer = client.post(url, headers=auth)
        assert answer.status_code == 404 and answer.mimetype == "application/problem+json", (url, answer.json)
    _, read_only = make_token(world.event, organiser, name="Dashboard", scopes=["webhooks:read"])
    db.session.commit()
    refused = client.post(_retry_url(world, ours.id, mine.id), headers=bearer(read_only))
    assert refused.status_code == 403
    assert {d.state for d in db.session.scalars(select(WebhookDelivery))} == {DeliveryState.FAILED}
    assert client.post(_retry_url(world, ours.id, mine.id), headers=auth).status_code == 200
