"""A partner site's token (`registrations:public`) sells under the public form's rules, through the
form's own service (place_order with a PublicTokenActor): each situation of the order-rules table
is refused with the form's own words, hidden and approval categories, payment options, fee waivers
and per-order limits are the form's, a card order is paid on the buyer's payment page (localstripe
and a signed webhook), and the token reads back only the orders it placed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from confapp.api.models import ApiTokenOrder
from confapp.audit.models import AuditEntry
from confapp.registration.models import (
    Order, PaymentMethod, PaymentState, QuestionKind, Registration, RegistrationEvent, RegistrationStatus,
)
from confapp.registration.services import settings_for
from tests.factories import make_category, make_question, make_registration
from tests.functional.api.conftest import bearer, make_token
from tests.functional.api.test_order_rules_api import SITUATIONS, _public_form
from tests.support.access import ORGANISER
from tests.support.clock import TEST_NOW
from tests.support.payment_orders import make_paid_category
from tests.support.payments import checkout, deliver, gateway, localstripe, paid_intent, session_object  # noqa: F401

PARTNER = ["registrations:public"]


@pytest.fixture
def partner(db, world):
    """The headers of a partner site's token, made by the event's organiser on the token page's service."""
    _, secret = make_token(world.event, world.users[ORGANISER], scopes=PARTNER, name="Partner site")
    db.session.commit()
    return bearer(secret)


def person(category, *, email="noor@example.org", **more) -> dict:
    return {"first_name": "Noor", "last_name": "Haddad", "email": email, "category_id": category.id, **more}


def order(client, world, headers, *attendees, **body):
    return client.post(f"/api/v1/events/{world.event.slug}/orders", headers=headers,
                       json={"attendees": list(attendees), **body})


def count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# What a partner's order answers in each situation of test_order_rules_api: the public form's refusal.
PARTNER_REFUSALS = {"not_yet_open": (422, "validation_failed"), "closed": (422, "validation_failed"),
                    "category_not_on_sale_yet": (422, "validation_failed"),
                    "category_sales_ended": (422, "validation_failed"), "event_full": (409, "sold_out"),
                    "category_full": (409, "sold_out"), "required_question": (422, "validation_failed"),
                    "email_taken": (422, "validation_failed")}


@pytest.mark.parametrize("situation,public_refusal", [(s[0], s[1]) for s in SITUATIONS],
                         ids=[s[0].__name__.strip("_") for s in SITUATIONS])
def test_a_partner_order_is_refused_where_the_public_form_refuses_in_its_words(client, db, world, partner, situation,
                                                                              public_refusal):
    category = make_category(world.event, name="Delegate")
    situation(world, category)
    db.session.commit()
    before = count(db, Registration)
    answer = order(client, world, partner, person(category))
    status, code = PARTNER_REFUSALS[situation.__name__.strip("_")]
    assert (answer.status_code, answer.json["code"]) == (status, code), answer.json
    assert answer.mimetype == "application/problem+json"
    assert count(db, Registration) == before
    if public_refusal:
        # The same sentence the form shows, in the problem's detail (one reason: said there too).
        assert public_refusal in answer.json["detail"], answer.json
        assert public_refusal in _public_form(client, world.event, category)


def test_the_windows_bind_the_partner_but_not_the_organisers_token(client, db, world, auth, partner):
    category = make_category(world.event, name="Delegate", sales_end=TEST_NOW - timedelta(minutes=1))
    db.session.commit()
    refused = order(client, world, partner, person(category))
    assert refused.status_code == 422
    assert refused.json["errors"] == {f"quantity_{category.id}": "Delegate is no longer on sale."}
    assert refused.json["detail"] == "Delegate is no longer on sale."
    assert order(client, world, auth, person(category), send_email=False).status_code == 201


def test_sold_out_says_what_the_form_says(client, db, world, partner):
    category = make_category(world.event, name="Delegate", capacity=1)
    make_registration(world.event, category, email="first@example.org", send_email=False)
    db.session.commit()
    answer = order(client, world, partner, person(category))
    assert answer.status_code == 409 and answer.json["code"] == "sold_out"
    page = client.post(f"/e/{world.event.slug}/register", data={
        "step": "confirm", f"quantity_{category.id}": "1", "form_token": "tok-full",
        "attendees-0-first_name": "Noor", "attendees-0-email": "noor@example.org"}, follow_redirects=True)
    assert answer.json["detail"] in page.get_data(as_text=True)


def test_a_hidden_category_needs_its_access_code(client, db, world, partner):
    from confapp.registration.models import AccessCode

    hidden = make_category(world.event, name="Speaker", visibility="hidden")
    db.session.add(AccessCode(event_id=world.event.id, code="SPEAKER", category_ids=[hidden.id]))
    db.session.commit()
    refused = order(client, world, partner, person(hidden))
    assert refused.status_code == 422
    assert refused.json["errors"] == {f"quantity_{hidden.id}": "Speaker needs an access code."}
    placed = order(client, world, partner, person(hidden), access_code="SPEAKER")
    assert placed.status_code == 201 and placed.json["registrations"][0]["status"] == "confirmed"


def test_required_answers_are_enforced_and_kept(client, db, world, partner):
    category = make_category(world.event, name="Delegate")
    diet = make_question(world.event, kind=QuestionKind.SINGLE_CHOICE, options=["Vegetarian", "Vegan"])
    db.session.commit()
    missing = order(client, world, partner, person(category))
    assert missing.status_code == 422
    assert missing.json["errors"] == {f"attendees-0-q_{diet.id}": "Answer this question."}
    assert missing.json["detail"] == "Answer this question."
    placed = order(client, world, partner, person(category, answers={str(diet.id): "Vegan"}))
    assert placed.status_code == 201
    registration = db.session.get(Registration, placed.json["registrations"][0]["id"])
    assert [(a.question_id, a.value) for a in registration.answers] == [(diet.id, "Vegan")]


def test_an_approval_category_waits_for_the_organisers(client, db, world, partner):
    press = make_category(world.event, name="Press", requires_approval=True)
    db.session.commit()
    placed = order(client, world, partner, person(press))
    assert placed.status_code == 201 and placed.json["registrations"][0]["status"] == "pending_approval"


def test_the_per_order_limit_is_the_forms(client, db, world, partner, auth):
    category = make_category(world.event, name="Delegate")
    settings = settings_for(world.event)
    settings.max_per_order = 2
    db.session.add(settings)
    db.session.commit()
    three = [person(category, email=f"p{i}@example.org") for i in range(3)]
    refused = order(client, world, partner, *three)
    assert refused.status_code == 422 and refused.json["errors"] == {"quantity": "One order can hold at most 2 people."}
    # Organisers are not bound by it.
    assert order(client, world, auth, *three, send_email=False).status_code == 201


def test_payment_options_are_the_ones_the_form_offers(client, db, world, partner):
    general = make_paid_category(world.event, name="General", price_minor=5000)
    db.session.commit()
    offered = {"payment_method": "Choose one of the payment options offered."}
    # No "nothing to pay" for a priced place, no "paid elsewhere", no invoice the event does not offer.
    for method in ("free", "paid_elsewhere", "invoice", "at_door"):
        answer = order(client, world, partner, person(general), payment_method=method)
        assert (answer.status_code, answer.json["errors"]) == (422, offered), (method, answer.json)
    assert count(db, Registration) == 0
    settings = settings_for(world.event)
    settings.invoice_enabled = True
    db.session.add(settings)
    db.session.commit()
    invoiced = order(client, world, partner, person(general), payment_method="invoice")
    assert invoiced.status_code == 201, invoiced.json
    assert (invoiced.json["payment_state"], invoiced.json["payment_method"]) == ("unpaid", "invoice")
    assert invoiced.json["payment_url"] is None


def test_no_card_order_is_taken_while_the_instance_has_no_stripe_key(client, db, world, partner, auth):
    # No `gateway` fixture here: STRIPE_SECRET_KEY is empty, so the form offers no card, and a partner's
    # order is refused too instead of holding a place for a payment that can never start.
    general = make_paid_category(world.event, name="General", price_minor=5000)
    db.session.commit()
    assert settings_for(world.event).card_enabled
    for method in ({"payment_method": "card"}, {}):
        answer = order(client, world, partner, person(general), **method)
        assert (answer.status_code, answer.json["errors"]) == (
            422, {"payment_method": "Choose one of the payment options offered."}), (method, answer.json)
    assert count(db, Registration) == 0


def test_a_partner_order_is_always_emailed(client, db, world, partner, mail):
    category = make_category(world.event, name="Delegate")
    db.session.commit()
    refused = order(client, world, partner, person(category), send_email=False)
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"send_email"}
    assert order(client, world, partner, person(category)).status_code == 201
    assert [m.envelope_to for m in mail.wait_for(1)] == [["noor@example.org"]]


def test_a_fee_waiver_is_asked_as_on_the_form_and_waits_for_review(client, db, world, partner):
    general = make_paid_category(world.event, name="General", price_minor=15000, allows_waiver=True)
    press = make_paid_category(world.event, name="Press", price_minor=9000)
    db.session.commit()
    no_reason = order(client, world, partner, person(general), waiver_requested=True)
    assert no_reason.status_code == 422
    assert no_reason.json["errors"] == {"waiver_reason": "Tell the organisers briefly why you need the fee waived."}
    not_offered = order(client, world, partner, person(press), waiver_requested=True, waiver_reason="Unwaged")
    assert not_offered.status_code == 422
    assert not_offered.json["errors"] == {"waiver_requested": "A fee waiver is not offered for the places you chose."}
    placed = order(client, world, partner, person(general), waiver_requested=True, waiver_reason="Unwaged organiser")
    assert placed.status_code == 201, placed.json
    assert placed.json["registrations"][0]["status"] == "pending_approval" and placed.json["payment_url"] is None
    made = db.session.get(Order, placed.json["id"])
    assert (made.waiver_requested, made.waiver_reason, made.payment_state) == (True, "Unwaged organiser", PaymentState.UNPAID)
    # The form's own order for the same request lands the same way.
    client.post(f"/e/{world.event.slug}/register", data={
        "step": "confirm", f"quantity_{general.id}": "1", "form_token": "tok-waiver", "waiver_requested": "y",
        "waiver_reason": "Unwaged organiser", "attendees-0-first_name": "Amina", "attendees-0-email": "amina@example.org"})
    form_order = db.session.scalar(select(Order).where(Order.buyer_email == "amina@example.org"))
    assert (form_order.waiver_requested, form_order.payment_state, form_order.registrations[0].status) == (
        True, PaymentState.UNPAID, RegistrationStatus.PENDING_APPROVAL)


def test_the_order_is_the_publics_in_the_history_and_the_tokens_in_the_audit_log(client, db, world, partner):
    category = make_category(world.event, name="Delegate")
    db.session.commit()
    placed = order(client, world, partner, person(category))
    assert placed.status_code == 201
    [entry] = db.session.scalars(select(RegistrationEvent).where(RegistrationEvent.order_id == placed.json["id"]))
    assert (entry.kind, entry.actor_label) == ("placed", "API token: Partner site")
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.order_placed"))
    assert audit.actor_label == "API token: Partner site" and audit.actor_user_id == world.users[ORGANISER].id


def test_a_partner_token_reads_only_its_own_orders(client, db, world, partner, auth):
    category = make_category(world.event, name="Delegate")
    someone = make_registration(world.event, category, email="someone@example.org", send_email=False)
    db.session.commit()
    _, other_partner = make_token(world.event, world.users[ORGANISER], scopes=PARTNER, name="Another site")
    db.session.commit()
    placed = order(client, world, partner, person(category))
    mine = f"/api/v1/events/{world.event.slug}/orders/{placed.json['id']}"
    got = client.get(mine, headers=partner)
    assert got.status_code == 200 and got.json["registrations"][0]["email"] == "noor@example.org"
    # Another's order (the form's, the organisers', another partner's) is not found; lists are not for it.
    assert client.get(f"/api/v1/events/{world.event.slug}/orders/{someone.order_id}", headers=partner).status_code == 404
    assert client.get(mine, headers=bearer(other_partner)).status_code == 404
    assert client.get(f"/api/v1/events/{world.event.slug}/registrations", headers=partner).status_code == 403
    assert client.get(f"/api/v1/events/{world.event.slug}/registrations/{someone.id}", headers=partner).status_code == 403
    # The organisers' token reads it as any order.
    assert client.get(mine, headers=auth).status_code == 200


def test_a_retry_with_the_same_key_gets_the_first_order(client, db, world, partner):
    category = make_category(world.event, name="Delegate")
    db.session.commit()
    url = f"/api/v1/events/{world.event.slug}/orders"
    headers = {**partner, "Idempotency-Key": "cart-17"}
    first = client.post(url, headers=headers, json={"attendees": [person(category)]})
    again = client.post(url, headers=headers, json={"attendees": [person(category)]})
    assert (first.status_code, again.status_code) == (201, 201) and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(db, Order) == 1 and count(db, ApiTokenOrder) == 1


def test_a_token_whose_creator_left_the_team_sells_nothing(client, db, world, partner):
    from confapp.accounts.models import EventRole, Role

    category = make_category(world.event, name="Delegate")
    role = db.session.scalar(select(EventRole).where(EventRole.user_id == world.users[ORGANISER].id,
                                                     EventRole.event_id == world.event.id))
    role.role = Role.CHECKIN_STAFF
    db.session.commit()
    assert order(client, world, partner, person(category)).status_code == 403
    assert count(db, Registration) == 0


def test_a_card_order_is_paid_on_the_buyers_payment_page(client, db, world, partner, gateway, checkout, mail):
    general = make_paid_category(world.event, name="General", price_minor=4200)
    db.session.commit()
    placed = order(client, world, partner, person(general, email="paying@example.org"))
    assert placed.status_code == 201, placed.json
    assert (placed.json["payment_state"], placed.json["payment_method"], placed.json["total_minor"]) == (
        "unpaid", "card", 4200)
    assert placed.json["registrations"][0]["status"] == "awaiting_payment"
    made = db.session.get(Order, placed.json["id"])
    assert made.payment_method == PaymentMethod.CARD and made.hold_expires_at is not None
    pay_url = placed.json["payment_url"]
    assert pay_url and pay_url.endswith("/pay") and f"/e/{world.event.slug}/orders/" in pay_url

    # The buyer follows it: the public payment page sends them to Stripe's hosted page.
    path = pay_url.split("://", 1)[1].partition("/")[2]
    assert client.get("/" + path).status_code == 200
    to_stripe = client.post("/" + path)
    assert to_stripe.status_code == 303
    [call] = checkout.created
    intent = paid_intent(gateway, 4200, metadata={"order_code": made.code})
    session = checkout.complete(call["id"], intent.id)
    assert mail.messages == []  # nothing until it is paid, as for the form's card orders
    webhook = deliver(client, "checkout.session.completed", session_object(session, payment_status="paid"))
    assert webhook.status_code == 200 and webhook.get_json()["outcome"] == "applied"
    assert [m.envelope_to for m in mail.wait_for(1)] == [["paying@example.org"]]

    paid = client.get(f"/api/v1/events/{world.event.slug}/orders/{placed.json['id']}", headers=partner)
    assert paid.status_code == 200
    assert paid.json["payment_state"] == "paid" and paid.json["payment_url"] is None
    assert paid.json["registrations"][0]["status"] == "confirmed"


def test_a_refusal_speaks_the_requests_language_as_the_form_does(client, db, world, partner):
    category = make_category(world.event, name="Delegate")
    world.event.registration_closes_at = TEST_NOW - timedelta(hours=1)
    db.session.commit()
    answer = client.post(f"/api/v1/events/{world.event.slug}/orders", headers={**partner, "Accept-Language": "es"},
                         json={"attendees": [person(category)]})
    assert answer.status_code == 422 and answer.json["detail"] == "La inscripción está cerrada."
    form = client.get(f"/e/{world.event.slug}/register", headers={"Accept-Language": "es"})
    assert "La inscripción está cerrada." in form.get_data(as_text=True)


def test_when_the_places_are_gone_the_buyer_can_join_the_waitlist_as_on_the_form(client, db, world, partner):
    from confapp.registration.models import WaitlistEntry, WaitlistStatus

    category = make_category(world.event, name="Delegate", capacity=1)
    hidden = make_category(world.event, name="Speaker", visibility="hidden")
    make_registration(world.event, category, email="first@example.org", send_email=False)
    db.session.commit()
    assert order(client, world, partner, person(category)).status_code == 409
    url = f"/api/v1/events/{world.event.slug}/waitlist"
    joined = client.post(url, headers=partner, json={"name": "Noor Haddad", "email": "noor@example.org",
                                                     "category_id": category.id})
    assert joined.status_code == 201, joined.json
    assert (joined.json["status"], joined.json["category_id"]) == ("waiting", category.id)
    entry = db.session.get(WaitlistEntry, joined.json["id"])
    assert (entry.email, entry.status) == ("noor@example.org", WaitlistStatus.WAITING)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.waitlist_joined"))
    assert audit.actor_label == "API token: Partner site"
    # The same person again: the same entry, as on the form.
    again = client.post(url, headers=partner, json={"name": "Noor Haddad", "email": "noor@example.org",
                                                    "category_id": category.id})
    assert again.status_code == 201 and again.json["id"] == entry.id
    # Only the categories the form lists, and only while registration is open.
    assert client.post(url, headers=partner, json={"name": "Ana", "email": "ana@example.org",
                                                   "category_id": hidden.id}).status_code == 422
    world.event.registration_closes_at = TEST_NOW - timedelta(hours=1)
    db.session.commit()
    closed = client.post(url, headers=partner, json={"name": "Ana", "email": "ana@example.org"})
    assert closed.status_code == 422 and closed.json["detail"] == "Registration has closed."


def test_the_partner_waitlist_is_refused_before_registration_opens_and_adds_no_entry(client, db, world, partner):
    from confapp.registration.models import WaitlistEntry

    world.event.registration_opens_at = TEST_NOW + timedelta(days=1)
    db.session.commit()
    answer = client.post(f"/api/v1/events/{world.event.slug}/waitlist", headers=partner,
                         json={"name": "Noor Haddad", "email": "noor@example.org"})
    assert answer.status_code == 422 and answer.json["detail"].startswith("Registration opens on "), answer.json
    assert count(db, WaitlistEntry, WaitlistEntry.event_id == world.event.id) == 0


def test_an_event_without_a_waitlist_says_so(client, db, world, partner):
    settings = settings_for(world.event)
    settings.waitlist_enabled = False
    db.session.add(settings)
    db.session.commit()
    answer = client.post(f"/api/v1/events/{world.event.slug}/waitlist", headers=partner,
                         json={"name": "Noor Haddad", "email": "noor@example.org"})
    assert answer.status_code == 409 and answer.json["detail"] == "This event has no waitlist."


def test_an_organiser_makes_a_partner_token_on_the_token_page(client, db, world, login_as):
    category = make_category(world.event, name="Delegate", sales_end=TEST_NOW - timedelta(minutes=1))
    db.session.commit()
    login_as(world.users[ORGANISER])
    slug = world.event.slug
    form = client.get(f"/manage/{slug}/api-tokens").get_data(as_text=True)
    assert 'value="registrations:public"' in form and "Partner site: sell places" in form
    page = client.post(f"/manage/{slug}/api-tokens", data={"name": "Partner site", "scopes": PARTNER})
    secret = page.get_data(as_text=True).split('id="token-secret" type="text" readonly value="')[1].split('"')[0]
    client.post("/account/logout")
    # The public rules bind it: this category's sales have ended.
    answer = order(client, world, bearer(secret), person(category))
    assert answer.status_code == 422 and answer.json["detail"] == "Delegate is no longer on sale."
