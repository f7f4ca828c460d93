"""POST /api/v1/events/<slug>/orders: an order through the registration form's own service
(place_order), refusals as problems, and Idempotency-Key replays per token."""
from __future__ import annotations

from sqlalchemy import func, select

from confapp.api.models import ApiIdempotencyKey, Scope
from confapp.audit.models import AuditEntry
from confapp.registration.models import (
    Answer, Order, PaymentState, Registration, RegistrationStatus,
)
from confapp.registration.services import settings_for
from tests.factories import make_category, make_question
from tests.functional.api.conftest import bearer, make_token
from tests.support.access import ORGANISER

PROBLEM = "application/problem+json"


def _url(world) -> str:
    return f"/api/v1/events/{world.event.slug}/orders"


def _orders() -> int:
    from confapp.extensions import db

    return db.session.scalar(select(func.count()).select_from(Order))


def _body(category, question=None, **extra) -> dict:
    answers = {str(question.id): "Vegetarian"} if question else {}
    return {"attendees": [
        {"first_name": "Amina", "last_name": "Diallo", "email": "amina@example.org", "category_id": category.id,
         "answers": answers},
        {"first_name": "Tomás", "last_name": "Ruiz", "email": "tomas@example.org", "category_id": category.id,
         "answers": answers},
    ], "send_email": False, **extra}


def test_an_order_is_placed_with_its_attendees_and_answers_and_audited_under_the_token(client, db, world, auth):
    category = make_category(world.event, name="Delegate")
    question = make_question(world.event)
    db.session.commit()
    response = client.post(_url(world), json=_body(category, question), headers=auth)
    assert response.status_code == 201, response.get_data(as_text=True)
    order = response.json
    assert order["payment_state"] == PaymentState.NOT_REQUIRED.value and order["total_minor"] == 0
    assert [(r["first_name"], r["status"], r["category"]["name"]) for r in order["registrations"]] == [
        ("Amina", "confirmed", "Delegate"), ("Tomás", "confirmed", "Delegate")]
    saved = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    assert [r.email for r in saved] == ["amina@example.org", "tomas@example.org"]
    assert {a.value for a in db.session.scalars(select(Answer))} == {"Vegetarian"}
    labels = [e.actor_label for e in db.session.scalars(select(AuditEntry).filter_by(action="registration.order_placed"))]
    assert labels == ["API token: CRM sync"]
    # The registrations read back through the API as the order gave them.
    got = client.get(f"/api/v1/events/{world.event.slug}/registrations/{order['registrations'][0]['id']}", headers=auth)
    assert got.json == order["registrations"][0]


def test_the_forms_rules_come_back_as_problems_by_field(client, db, world, auth):
    category = make_category(world.event, name="Delegate")
    question = make_question(world.event)
    db.session.commit()
    missing = client.post(_url(world), json=_body(category), headers=auth)
    assert missing.status_code == 422 and missing.mimetype == PROBLEM
    assert missing.json["code"] == "validation_failed" and missing.json["errors"]
    assert any("attendees-0" in field for field in missing.json["errors"])
    schema = client.post(_url(world), json={"attendees": [{"first_name": "A"}]}, headers=auth)
    assert schema.status_code == 422 and schema.mimetype == PROBLEM and "attendees" in schema.json["errors"]
    other = make_category(world.other_event, name="Elsewhere")
    db.session.commit()
    foreign = client.post(_url(world), json=_body(other, question), headers=auth)
    assert foreign.status_code == 422 and foreign.mimetype == PROBLEM
    # One registration per email, as on the form.
    assert client.post(_url(world), json=_body(category, question), headers=auth).status_code == 201
    again = client.post(_url(world), json=_body(category, question), headers=auth)
    assert again.status_code == 422 and "already has a registration" in " ".join(again.json["errors"].values())
    assert _orders() == 1


def test_sold_out_is_a_409_problem_and_nothing_is_made(client, db, world, auth):
    category = make_category(world.event, name="Delegate", capacity=1)
    db.session.commit()
    full = client.post(_url(world), json=_body(category), headers=auth)
    assert full.status_code == 409 and full.mimetype == PROBLEM and full.json["code"] == "sold_out"
    assert full.json["detail"] and _orders() == 0


def test_invoice_and_paid_elsewhere(client, db, world, auth):
    category = make_category(world.event, name="Delegate", price_kind="fixed", price_minor=5000)
    settings = settings_for(world.event)
    settings.invoice_enabled = True
    db.session.add(settings)
    db.session.commit()
    body = _body(category, payment_method="invoice")
    invoiced = client.post(_url(world), json={**body, "attendees": body["attendees"][:1]}, headers=auth)
    assert invoiced.status_code == 201, invoiced.get_data(as_text=True)
    assert (invoiced.json["payment_method"], invoiced.json["payment_state"], invoiced.json["total_minor"]) == (
        "invoice", "unpaid", 5000)
    elsewhere = client.post(_url(world), json={**body, "payment_method": "paid_elsewhere",
                                               "attendees": body["attendees"][1:]}, headers=auth)
    assert elsewhere.status_code == 201 and elsewhere.json["payment_state"] == "waived"
    assert elsewhere.json["registrations"][0]["status"] == RegistrationStatus.CONFIRMED.value


def test_a_token_without_registrations_write_may_not(client, db, world):
    category = make_category(world.event, name="Delegate")
    _, read_only = make_token(world.event, world.users[ORGANISER], scopes=[Scope.REGISTRATIONS_READ.value])
    db.session.commit()
    refused = client.post(_url(world), json=_body(category), headers=bearer(read_only))
    assert refused.status_code == 403 and refused.mimetype == PROBLEM and _orders() == 0


def test_a_retry_with_the_same_key_gets_the_first_answer_and_makes_nothing(client, db, world, auth):
    category = make_category(world.event, name="Delegate")
    db.session.commit()
    first = client.post(_url(world), json=_body(category), headers={**auth, "Idempotency-Key": "crm-42"})
    retry = client.post(_url(world), json=_body(category), headers={**auth, "Idempotency-Key": "crm-42"})
    assert first.status_code == retry.status_code == 201
    assert retry.json == first.json and retry.headers["Idempotent-Replayed"] == "true"
    assert _orders() == 1 and db.session.scalar(select(func.count()).select_from(ApiIdempotencyKey)) == 1
    changed = _body(category)
    changed["attendees"][0]["first_name"] = "Someone else"
    reused = client.post(_url(world), json=changed, headers={**auth, "Idempotency-Key": "crm-42"})
    assert reused.status_code == 422 and reused.mimetype == PROBLEM and "Idempotency-Key" in reused.json["errors"]
    assert _orders() == 1
    # Keys are per token: another token's "crm-42" is its own (here: refused as a duplicate email).
    _, other = make_token(world.event, world.users[ORGANISER], name="Website")
    db.session.commit()
    theirs = client.post(_url(world), json=_body(category), headers={**bearer(other), "Idempotency-Key": "crm-42"})
    assert theirs.status_code == 422 and "Idempotent-Replayed" not in theirs.headers
    too_long = client.post(_url(world), json=_body(category), headers={**auth, "Idempotency-Key": "x" * 201})
    assert too_long.status_code == 422 and "Idempotency-Key" in too_long.json["errors"]



# What one create for one attendee sends (issue 16; transaction control left out): the token and
# its creator's roles, the event, the Idempotency-Key, the event's settings, categories and
# questions (read before SQLite's write lock), then under it one read, the places taken
# (registrations and waitlist offers) with the emails taken and the event's capacity, then the
# order, its registration, the desk's search terms, the key's row with the answer (built from the
# rows written), audit, history (placed and paid elsewhere, one executemany). 24 before: the new
# order's code was looked up, the answers read back for the search terms, each registration read
# back for the answer, the key looked up again and the places counted in two queries. 19 -> 14:
# the order's key is not looked up before the quote (the Idempotency-Key's row, written with the
# order, was), nor the twin under the lock (the order's unique key refuses it); the event row and
# the emails taken are not read in queries of their own under the lock; the two history rows
# are one statement. 14 -> 9: the token's query brings its creator's roles and its event (two
# statements of their own before), and the event's settings, categories and questions are the
# web process's copies while the event's registration_rev says they are current (read with the
# event; the first create of a process reads them, as the first one below does). Each further
# attendee adds its registration's INSERT, nothing else. Still 9 with the order's rows, its audit
# entry and the key's row written with Core (no unit of work at the commit); the SAVEPOINT and
# RELEASE around the order's INSERT, which this count leaves out, are no longer sent on SQLite.
CREATE_STATEMENTS = 9


def test_a_create_sends_a_fixed_number_of_statements_plus_one_insert_per_attendee(client, db, world, auth):
    from tests.support.queries import count_queries

    category = make_category(world.event, name="Delegate")
    url = _url(world)
    db.session.commit()

    def create(size: int, key: str) -> list[str]:
        body = {"attendees": [{"first_name": f"P{i}", "last_name": "Count", "email": f"p{i}-{key}@example.org",
                               "category_id": category.id} for i in range(size)],
                "send_email": False, "payment_method": "paid_elsewhere"}
        with count_queries(db.engine, ignore=("BEGIN", "ROLLBACK", "COMMIT")) as counter:
            response = client.post(url, json=body, headers={**auth, "Idempotency-Key": key})
        assert response.status_code == 201, response.get_data(as_text=True)
        assert len(response.json["registrations"]) == size
        return [" ".join(s.split()[:3]) for s in counter.statements]

    create(1, "first")  # the token's "last used" is written now (once a minute)
    one, three = create(1, "count-1"), create(3, "count-3")
    assert len(one) == CREATE_STATEMENTS, one
    assert sorted(three) == sorted(one + ["INSERT INTO registrations"] * 2), three
