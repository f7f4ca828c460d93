"""Walk-ins and payment at the door through /api/v1: the desk's own walk-in and pay-at-door
(confapp.checkin.handlers -> services.walk_in / pay_at_door), so a third party's door app
registers and checks people in as the desk page does."""
from __future__ import annotations

from sqlalchemy import func, select

from confapp.api.models import ApiIdempotencyKey

from confapp.audit.models import AuditEntry
from confapp.checkin import services as checkin_services
from confapp.checkin.models import CheckIn, ListKind
from confapp.payments.models import Payment
from confapp.registration.models import PriceKind, Registration
from tests.functional.api.conftest import bearer, make_token
from tests.functional.api.test_openapi import _validator
from tests.support.access import ORGANISER, STAFF
from tests.support.checkin import category
from tests.support.clock import TEST_NOW

PROBLEM = "application/problem+json"


def _url(world, what: str = "walk-ins", list_id: int | None = None) -> str:
    return f"/api/v1/events/{world.event.slug}/checkin/lists/{list_id or world.list.id}/{what}"


def test_a_walk_in_is_registered_and_checked_in_at_once(client, db, world, auth):
    general = category(world.event, "Community member")
    db.session.commit()
    answer = client.post(_url(world), headers=auth, json={
        "first_name": "Noor", "last_name": "Haddad", "email": "noor@example.org", "category_id": general.id,
        "station": "Door 1"})
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["outcome"] == "ok" and body["checked_in"] is True
    assert body["registration"]["is_walk_in"] and body["registration"]["checked_in"]
    assert body["registration"]["email"] == "noor@example.org" and body["attendee"]["name"] == "Noor Haddad"
    assert body["check_in"]["by"] == "CRM sync" and body["check_in"]["station"] == "Door 1"
    registration = db.session.get(Registration, body["registration"]["id"])
    assert registration.event_id == world.event.id and registration.category_id == general.id
    assert db.session.scalar(select(CheckIn).where(CheckIn.registration_id == registration.id)).list_id == world.list.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "checkin.walk_in",
                                                       AuditEntry.event_id == world.event.id))
    assert entry.actor_label == "API token: CRM sync" and entry.actor_user_id == world.users[ORGANISER].id


def test_the_walk_in_answer_is_what_the_document_says(client, db, world, auth):
    general = category(world.event, "General")
    db.session.commit()
    document = client.get("/api/v1/openapi.json").json
    answer = client.post(_url(world), headers=auth, json={"first_name": "Ana", "email": "ana@example.org", "category_id": general.id})
    assert answer.status_code == 201
    path = "/api/v1/events/{slug}/checkin/lists/{list_id}/walk-ins"
    assert [e.message for e in _validator(document, path, "post", 201).iter_errors(answer.json)] == []
    refused = client.post(_url(world), headers=auth, json={"first_name": "Ana", "email": "ana@example.org", "category_id": 2**31 - 1})
    assert refused.status_code == 422 and refused.mimetype == PROBLEM
    assert [e.message for e in _validator(document, path, "post", 422, PROBLEM).iter_errors(refused.json)] == []


def test_a_walk_in_owing_a_fee_is_not_checked_in_until_paid_at_the_door(client, db, world, auth):
    fee = category(world.event, "Delegate", price_kind=PriceKind.FIXED, price_minor=2500)
    db.session.commit()
    walk_in = client.post(_url(world), headers=auth, json={"first_name": "Kofi", "email": "kofi@example.org",
                                                           "category_id": fee.id})
    assert walk_in.status_code == 201, walk_in.json
    body = walk_in.json
    assert (body["outcome"], body["checked_in"], body["amount_due_minor"], body["currency"]) == ("unpaid", False, 2500, "USD")
    assert body["registration"]["checked_in"] is False
    registration_id = body["registration"]["id"]
    too_much = client.post(_url(world, "pay"), headers=auth,
                           json={"registration_id": registration_id, "amount_minor": 3000, "how": "cash"})
    assert too_much.status_code == 422 and too_much.mimetype == PROBLEM
    assert too_much.json["errors"]["amount_minor"] == "At most 25.00 USD is due.", too_much.json
    paid = client.post(_url(world, "pay"), headers=auth,
                       json={"registration_id": registration_id, "amount_minor": 2500, "how": "card", "station": "Door 2"})
    assert paid.status_code == 200, paid.json
    assert paid.json["outcome"] == "ok" and paid.json["check_in"]["station"] == "Door 2"
    payment = db.session.scalar(select(Payment).where(Payment.order_id == db.session.get(Registration, registration_id).order_id))
    assert payment.amount_minor == 2500 and payment.method == "at_door" and "card terminal" in payment.note
    again = client.post(_url(world, "pay"), headers=auth,
                        json={"registration_id": registration_id, "amount_minor": 2500, "how": "cash"})
    assert again.status_code == 409 and again.json["detail"] == "Nothing is due for this order."


def test_walk_in_refusals_are_problems(client, db, world, auth):
    full = category(world.event, "Full", capacity=0)
    general = category(world.event, "General")
    speakers = category(world.event, "Speaker")
    db.session.commit()
    sold_out = client.post(_url(world), headers=auth, json={"first_name": "Bo", "email": "bo@example.org", "category_id": full.id})
    assert sold_out.status_code == 409 and sold_out.json["code"] == "sold_out"
    missing = client.post(_url(world), headers=auth, json={"category_id": general.id})
    assert missing.status_code == 422 and {"first_name", "email"} <= set(missing.json["errors"])
    blank = client.post(_url(world), headers=auth, json={"first_name": " ", "email": "not-an-email", "category_id": general.id})
    assert blank.status_code == 422 and {"first_name", "email"} <= set(blank.json["errors"]), blank.json
    retired = category(world.event, "Retired", is_active=False)
    elsewhere = category(world.other_event, "Theirs")
    speakers_only = checkin_services.create_list(world.event, name="Speakers' door", kind=ListKind.MAIN,
                                                 category_ids=[speakers.id], actor=world.users[ORGANISER], now=TEST_NOW)
    db.session.commit()
    for list_id, category_id in [(world.list.id, elsewhere.id), (world.list.id, retired.id), (speakers_only.id, general.id)]:
        refused = client.post(_url(world, list_id=list_id), headers=auth,
                              json={"first_name": "Bo", "email": "bo@example.org", "category_id": category_id})
        assert refused.status_code == 422 and "category_id" in refused.json["errors"], refused.json
    twice = {"first_name": "Noor", "email": "noor@example.org", "category_id": general.id}
    assert client.post(_url(world), headers=auth, json=twice).status_code == 201
    assert client.post(_url(world), headers=auth, json=twice).status_code == 422
    assert db.session.scalar(select(Registration).where(Registration.category_id == full.id)) is None


def test_walk_ins_need_checkin_write_and_stay_in_the_tokens_event(client, db, world, auth):
    general = category(world.event, "General")
    _, read_only = make_token(world.event, world.users[ORGANISER], scopes=["checkin:read"])
    other_list = checkin_services.main_list(world.other_event, actor=None, now=TEST_NOW)
    db.session.commit()
    body = {"first_name": "Ana", "email": "ana@example.org", "category_id": general.id}
    assert client.post(_url(world), headers=bearer(read_only), json=body).status_code == 403
    assert client.post(_url(world, list_id=other_list.id), headers=auth, json=body).status_code == 404
    assert client.post(_url(world, "pay", other_list.id), headers=auth,
                       json={"registration_id": 1, "amount_minor": 1, "how": "cash"}).status_code == 404
    assert db.session.scalar(select(Registration).where(Registration.email == "ana@example.org")) is None


def test_a_list_that_takes_no_walk_ins_refuses_them_at_the_desk_and_through_the_api(client, db, world, auth, login_as):
    general = category(world.event, "General")
    world.list.allow_walk_ins = False
    db.session.commit()
    body = {"first_name": "Ana", "email": "ana@example.org", "category_id": general.id}
    refused = client.post(_url(world), headers=auth, json=body)
    assert refused.status_code == 409 and refused.json["detail"] == "This list does not take walk-ins."
    login_as(world.users[STAFF])
    desk = client.post(f"/checkin/api/lists/{world.list.id}/walkin", headers={"Accept": "application/json"}, json=body)
    assert desk.status_code == 409
    assert db.session.scalar(select(Registration).where(Registration.email == "ana@example.org")) is None


def test_the_desk_and_the_api_answer_a_walk_in_alike(client, db, world, auth, login_as):
    general = category(world.event, "General")
    db.session.commit()
    api = client.post(_url(world), headers=auth, json={"first_name": "Ana", "last_name": "Api", "email": "ana@example.org",
                                                       "category_id": general.id}).json
    login_as(world.users[STAFF])
    desk = client.post(f"/checkin/api/lists/{world.list.id}/walkin", headers={"Accept": "application/json"},
                       json={"first_name": "Dina", "last_name": "Desk", "email": "dina@example.org",
                             "category_id": general.id}).json
    assert set(api) - set(desk) == {"checked_in", "registration"}
    assert (api["outcome"], api["tone"], api["title"]) == (desk["outcome"], desk["tone"], desk["title"])


def test_a_retried_walk_in_with_the_same_key_gets_the_first_answer_and_registers_no_one_again(client, db, world, auth):
    general = category(world.event, "General")
    db.session.commit()
    body = {"first_name": "Noor", "email": "noor@example.org", "category_id": general.id, "station": "Door 1"}
    keyed = {**auth, "Idempotency-Key": "door-app-7"}
    first = client.post(_url(world), headers=keyed, json=body)
    retry = client.post(_url(world), headers=keyed, json=body)
    assert first.status_code == retry.status_code == 201, retry.json
    assert retry.json == first.json and first.json["outcome"] == "ok"
    assert retry.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.email == "noor@example.org")) == 1
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1
    assert db.session.scalar(select(func.count()).select_from(ApiIdempotencyKey)) == 1
    # Without a key the same walk-in is a second registration for the email: refused, as before.
    unkeyed = client.post(_url(world), headers=auth, json=body)
    assert unkeyed.status_code == 422 and "Idempotent-Replayed" not in unkeyed.headers


def test_a_walk_in_key_used_with_another_body_is_refused_as_order_create_refuses_it(client, db, world, auth):
    general = category(world.event, "General")
    db.session.commit()
    keyed = {**auth, "Idempotency-Key": "door-app-8"}
    body = {"first_name": "Noor", "email": "noor@example.org", "category_id": general.id}
    assert client.post(_url(world), headers=keyed, json=body).status_code == 201
    reused = client.post(_url(world), headers=keyed, json={**body, "first_name": "Someone else",
                                                           "email": "else@example.org"})
    order = client.post(f"/api/v1/events/{world.event.slug}/orders", headers=keyed, json={"attendees": [
        {"first_name": "Noor", "email": "noor@example.org", "category_id": general.id}]})
    assert reused.status_code == order.status_code == 422 and reused.mimetype == PROBLEM
    # The one refusal order create gives for a key used with another request (here: another path).
    assert reused.json == order.json
    assert set(reused.json["errors"]) == {"Idempotency-Key"}
    assert db.session.scalar(select(Registration).where(Registration.email == "else@example.org")) is None
