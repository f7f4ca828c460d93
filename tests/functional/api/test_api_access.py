"""Who reaches what: the token pages by role (the access table), and every /api/v1 route by kind
of token: none, expired, revoked, lacking the scope, another event's, the right one."""
from __future__ import annotations

from datetime import timedelta

from confapp.api import tokens
from confapp.types import utcnow
from tests.factories import make_category, make_registration
from tests.functional.api.conftest import bearer, make_token
from tests.support.access import OTHER_ORGANISER, ORGANISER, assert_access, everyone, organisers_only, record_access_row
from tests.support.checkin import attendee
from tests.support.clock import TEST_NOW


def test_token_pages_by_role(client, db, world):
    slug = world.event.slug
    assert_access(client, db, world, [
        ("GET", f"/manage/{slug}/api-tokens", organisers_only(200)),
        ("POST", f"/manage/{slug}/api-tokens", organisers_only(200), {"name": "Partner site", "scopes": ["events:read"]}),
        ("POST", f"/manage/{slug}/api-tokens/{world.token.id}/revoke", organisers_only(302), {}),
        ("GET", "/api/v1/openapi.json", everyone(200)),
    ])


def _kinds(db, world) -> dict[str, dict[str, str]]:
    organiser = world.users[ORGANISER]
    expired, expired_secret = make_token(world.event, organiser, name="Old", expires_at=TEST_NOW + timedelta(days=1))
    expired.expires_at = utcnow() - timedelta(seconds=1)
    revoked, revoked_secret = make_token(world.event, organiser, name="Gone")
    tokens.revoke_token(revoked, actor=organiser, now=TEST_NOW)
    _, no_scope = make_token(world.event, organiser, name="Nothing useful", scopes=["events:write"])
    _, other = make_token(world.other_event, world.users[OTHER_ORGANISER], name="Elsewhere")
    db.session.commit()
    return {"none": {}, "expired": bearer(expired_secret), "revoked": bearer(revoked_secret),
            "no_scope": bearer(no_scope), "other_event": bearer(other), "right": bearer(world.secret)}


def test_every_api_route_by_kind_of_token(client, db, world):
    person = attendee(world.event)
    category = make_category(world.event, name="Via the API")
    press = make_category(world.event, name="Press", requires_approval=True)
    pending = make_registration(world.event, press, email="pending@example.org", send_email=False)
    rejected = make_registration(world.event, press, email="rejected@example.org", send_email=False)
    kinds = _kinds(db, world)
    slug = world.event.slug
    # Listing events filters instead of refusing: another event's token sees only its own event.
    rows = [
        ("GET", "/api/v1/events", None, dict(none=401, expired=401, revoked=401, no_scope=403, other_event=200, right=200)),
        ("GET", f"/api/v1/events/{slug}", None, dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=200)),
        ("GET", f"/api/v1/events/{slug}/registrations", None,
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=200)),
        ("GET", f"/api/v1/events/{slug}/registrations/{person.id}", None,
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=200)),
        ("POST", f"/api/v1/events/{slug}/checkin/redeem", {"code": person.ticket_code},
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=200)),
        ("POST", f"/api/v1/events/{slug}/orders",
         {"attendees": [{"first_name": "Ana", "email": "ana@example.org", "category_id": category.id}], "send_email": False},
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=201)),
        ("GET", f"/api/v1/events/{slug}/orders/{person.order_id}", None,
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=200)),
        ("PATCH", f"/api/v1/events/{slug}/registrations/{person.id}", {"last_name": "Changed"},
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=200)),
        ("POST", f"/api/v1/events/{slug}/orders/{pending.order_id}/approve", {},
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=200)),
        ("POST", f"/api/v1/events/{slug}/orders/{rejected.order_id}/reject", {},
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=200)),
        ("POST", f"/api/v1/events/{slug}/orders/{person.order_id}/cancel", {},
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=200)),
        ("GET", f"/api/v1/events/{slug}/checkin/lists", None,
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=200)),
        ("GET", f"/api/v1/events/{slug}/checkin/lists/{world.list.id}/search?q=ana", None,
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=200)),
        ("GET", f"/api/v1/events/{slug}/checkin/lists/{world.list.id}/stats", None,
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=200)),
        ("POST", f"/api/v1/events/{slug}/checkin/lists/{world.list.id}/sync", {"scans": []},
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=200)),
        ("POST", f"/api/v1/events/{slug}/checkin/lists/{world.list.id}/undo", {"check_in_id": 999999},
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=404)),
    ]
    failures = []
    for method, url, body, expected in rows:
        record_access_row(method, url)
        for kind, status in expected.items():
            response = client.open(url, method=method, json=body, headers=kinds[kind])
            if response.status_code != status or not response.is_json:
                failures.append(f"{method} {url} [{kind}]: {response.status_code}, expected {status}")
    assert failures == []
