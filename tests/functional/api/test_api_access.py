"""Who reaches what: the token pages by role (the access table), and every /api/v1 route by kind
of token: none, expired, revoked, lacking the scope, another event's, the right one."""
from __future__ import annotations


from tests.factories import make_category, make_registration
from tests.functional.api.conftest import token_kinds
from tests.support.access import assert_access, everyone, organisers_only, record_access_row
from tests.support.checkin import attendee


def test_token_pages_by_role(client, db, world):
    slug = world.event.slug
    assert_access(client, db, world, [
        ("GET", f"/manage/{slug}/api-tokens", organisers_only(200)),
        ("POST", f"/manage/{slug}/api-tokens", organisers_only(200), {"name": "Partner site", "scopes": ["events:read"]}),
        ("POST", f"/manage/{slug}/api-tokens/{world.token.id}/revoke", organisers_only(302), {}),
        ("GET", "/api/v1/openapi.json", everyone(200)),
    ])


def test_every_api_route_by_kind_of_token(client, db, world):
    person = attendee(world.event)
    category = make_category(world.event, name="Via the API")
    press = make_category(world.event, name="Press", requires_approval=True)
    owing = attendee(world.event, first_name="Kofi", due_minor=2500)
    pending = make_registration(world.event, press, email="pending@example.org", send_email=False)
    rejected = make_registration(world.event, press, email="rejected@example.org", send_email=False)
    kinds = token_kinds(db, world)
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
        ("POST", f"/api/v1/events/{slug}/checkin/lists/{world.list.id}/walk-ins",
         {"first_name": "Noor", "email": "noor@example.org", "category_id": category.id},
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=201)),
        ("POST", f"/api/v1/events/{slug}/checkin/lists/{world.list.id}/pay",
         {"registration_id": owing.id, "amount_minor": 2500, "how": "cash"},
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=200)),
        ("POST", f"/api/v1/events/{slug}/waitlist", {"name": "Wen Li", "email": "wen@example.org"},
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=201, partner=201)),
        # Last: it moves the event (a week later) for the rows after it.
        ("PATCH", f"/api/v1/events/{slug}", {"starts_at": "2026-12-12T14:00:00Z", "ends_at": "2026-12-13T22:00:00Z"},
         dict(none=401, expired=401, revoked=401, no_scope=403, other_event=404, right=200)),
    ]
    # A partner site's token (registrations:public) places orders, reads back its own and puts
    # people on the waitlist, nothing else: other orders are not found, every other route lacks its permission. Its order here is
    # refused past the token checks (422: this body asks for no email; partner orders always send it).
    partner_may = {("POST", f"/api/v1/events/{slug}/orders"): 422,
                   ("GET", f"/api/v1/events/{slug}/orders/{person.order_id}"): 404}
    for method, url, _, expected in rows:
        expected.setdefault("partner", partner_may.get((method, url), 403))
    failures = []
    for method, url, body, expected in rows:
        record_access_row(method, url)
        for kind, status in expected.items():
            response = client.open(url, method=method, json=body, headers=kinds[kind])
            if response.status_code != status or not response.is_json:
                failures.append(f"{method} {url} [{kind}]: {response.status_code}, expected {status}")
    assert failures == []


def test_a_partner_token_reaches_its_orders_and_nothing_else(app, client, db, world):
    """Every /api/v1 route, including those of the tables elsewhere (programme, outreach, reports,
    webhooks): a partner token is refused its permission on all but placing an order, reading one
    it placed and joining the waitlist (a body that is not even the schema may be refused first, 422; never an answer)."""
    kinds = token_kinds(db, world)
    category = make_category(world.event, name="Partner sales")
    db.session.commit()
    slug = world.event.slug
    placed = client.post(f"/api/v1/events/{slug}/orders", headers=kinds["partner"], json={
        "attendees": [{"first_name": "Ana", "email": "ana@example.org", "category_id": category.id}]})
    assert placed.status_code == 201, placed.json
    own = f"/api/v1/events/{slug}/orders/{placed.json['id']}"
    assert client.get(own, headers=kinds["partner"]).status_code == 200
    failures = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == "/api/v1/openapi.json":
            continue
        url = rule.rule.replace("<slug>", slug)
        for name in rule.arguments - {"slug"}:
            url = url.replace(f"<int:{name}>", "1").replace(f"<{name}>", "1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            record_access_row(method, url)
            if (method, rule.endpoint) in {("POST", "api_v1.order_create"), ("GET", "api_v1.order_get"),
                                           ("POST", "api_v1.waitlist_join")}:
                continue
            response = client.open(url + ("?q=ana" if method == "GET" else ""), method=method, json={},
                                   headers=kinds["partner"])
            allowed = {403} if method in ("GET", "DELETE") else {403, 422}
            if response.status_code not in allowed or not response.is_json:
                failures.append(f"{method} {url} [partner]: {response.status_code}")
    assert failures == []
