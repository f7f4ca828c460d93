"""Webhook endpoints through /api/v1: the organisers' services (URL rules, audit), the secret in
the create answer only, answers as documented, and who reaches them by kind of token."""
from __future__ import annotations


import pytest

from tests.functional.api.conftest import token_kinds
from tests.functional.api.test_openapi import _validator
from tests.support.access import ORGANISER, record_access_row
from tests.support.clock import TEST_NOW


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
    from confapp.webhooks import services as webhook_services

    endpoint = webhook_services.create_endpoint(world.event, url="http://127.0.0.1:9/hook", event_types=["order.paid"],
                                                actor=organiser, now=TEST_NOW)
    db.session.commit()
    one = f"{url}/{endpoint.id}"
    refused = dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404)
    rows = [
        ("GET", url, None, dict(refused, right=200)),
        ("POST", url, {"url": "http://127.0.0.1:9/hook", "event_types": ["checkin.created"]}, dict(refused, right=201)),
        ("GET", one, None, dict(refused, right=200)),
        ("GET", f"{one}/deliveries", None, dict(refused, right=200)),
        ("PATCH", one, {"description": "CRM"}, dict(refused, right=200)),
        ("POST", f"{one}/rotate-secret", None, dict(refused, right=200)),
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
