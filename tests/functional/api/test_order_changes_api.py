"""Changing orders through /api/v1 with the organisers' own services: cancel (refund rules),
approve and reject pending orders, update an attendee's answers. Refusals are problems."""
from __future__ import annotations

from sqlalchemy import select

from confapp.audit.models import AuditEntry
from confapp.registration.models import Registration, RegistrationStatus
from tests.factories import make_category, make_question, make_registration
from tests.functional.api.conftest import bearer, make_token
from tests.support.access import ORGANISER

PROBLEM = "application/problem+json"


def _place(client, world, auth, category, email="amina@example.org", **extra):
    response = client.post(f"/api/v1/events/{world.event.slug}/orders", headers=auth, json={
        "attendees": [{"first_name": "Amina", "last_name": "Diallo", "email": email, "category_id": category.id,
                       **extra}], "send_email": False})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def _labels(db, action):
    return [e.actor_label for e in db.session.scalars(select(AuditEntry).filter_by(action=action))]


def test_cancel_an_order_once(client, db, world, auth):
    order = _place(client, world, auth, make_category(world.event, name="Delegate"))
    url = f"/api/v1/events/{world.event.slug}/orders/{order['id']}"
    assert client.get(url, headers=auth).json == order
    cancelled = client.post(f"{url}/cancel", json={"reason": "Asked by email"}, headers=auth)
    assert cancelled.status_code == 200, cancelled.get_data(as_text=True)
    assert cancelled.json["refunded_minor"] == 0
    assert cancelled.json["order"]["registrations"][0]["status"] == "cancelled"
    assert _labels(db, "registration.cancelled") == ["API token: CRM sync"]
    again = client.post(f"{url}/cancel", json={}, headers=auth)
    assert again.status_code == 409 and again.mimetype == PROBLEM and again.json["detail"]
    bad = client.post(f"{url}/cancel", json={"refund": "some"}, headers=auth)
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"refund"}


def test_approve_and_reject_pending_orders(client, db, world, auth):
    category = make_category(world.event, name="Press", requires_approval=True)
    db.session.commit()
    first = _place(client, world, auth, category)
    second = _place(client, world, auth, category, email="tomas@example.org")
    assert first["registrations"][0]["status"] == "pending_approval"
    base = f"/api/v1/events/{world.event.slug}/orders"
    approved = client.post(f"{base}/{first['id']}/approve", json={"message": "Welcome"}, headers=auth)
    assert approved.status_code == 200 and approved.json["registrations"][0]["status"] == "confirmed"
    rejected = client.post(f"{base}/{second['id']}/reject", json={}, headers=auth)
    assert rejected.status_code == 200 and rejected.json["registrations"][0]["status"] == "rejected"
    twice = client.post(f"{base}/{first['id']}/approve", json={}, headers=auth)
    assert twice.status_code == 409 and twice.mimetype == PROBLEM
    assert _labels(db, "registration.approved") == ["API token: CRM sync"]


def test_update_an_attendees_answers_with_the_registration_rules(client, db, world, auth):
    category = make_category(world.event, name="Delegate")
    diet = make_question(world.event)
    db.session.commit()
    order = _place(client, world, auth, category, answers={str(diet.id): "None"})
    url = f"/api/v1/events/{world.event.slug}/registrations/{order['registrations'][0]['id']}"
    changed = client.patch(url, json={"answers": {str(diet.id): "Vegan"}, "last_name": "Diallo-Sy"}, headers=auth)
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.json["last_name"] == "Diallo-Sy" and changed.json["first_name"] == "Amina"
    registration = db.session.get(Registration, order["registrations"][0]["id"])
    db.session.refresh(registration)
    assert [a.value for a in registration.answers] == ["Vegan"]
    emptied = client.patch(url, json={"answers": {str(diet.id): ""}}, headers=auth)
    assert emptied.status_code == 422 and emptied.mimetype == PROBLEM and emptied.json["errors"]


def test_changes_reach_only_this_events_orders_and_need_the_write_scope(client, db, world, auth):
    elsewhere = make_registration(world.other_event, make_category(world.other_event), send_email=False)
    mine = make_registration(world.event, make_category(world.event), send_email=False)
    _, read_only = make_token(world.event, world.users[ORGANISER], scopes=["registrations:read"])
    db.session.commit()
    slug = world.event.slug
    for url in (f"/api/v1/events/{slug}/orders/{elsewhere.order_id}/cancel",
                f"/api/v1/events/{slug}/orders/{elsewhere.order_id}/approve"):
        found = client.post(url, json={}, headers=auth)
        assert found.status_code == 404 and found.mimetype == PROBLEM
    assert client.patch(f"/api/v1/events/{slug}/registrations/{elsewhere.id}", json={"first_name": "X"},
                        headers=auth).status_code == 404
    refused = client.post(f"/api/v1/events/{slug}/orders/{mine.order_id}/cancel", json={}, headers=bearer(read_only))
    assert refused.status_code == 403
    assert db.session.get(Registration, elsewhere.id).status == RegistrationStatus.CONFIRMED
    assert db.session.get(Registration, mine.id).status == RegistrationStatus.CONFIRMED
