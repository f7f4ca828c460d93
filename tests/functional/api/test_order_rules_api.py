"""An order made through the API follows the same rules as the forms, through the same service
check (registration.quoting.check_choices / quote_order inside place_order): the token acts as
its creator, an organiser, so it may do what the organiser's "add registration" page may (the
public registration window and the categories' sale windows do not bind organisers) and nothing
more (capacity, required questions and one registration per email bind everyone). Each
situation is tried on the public form, on the organiser's page and through the API."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from confapp.registration.models import QuestionKind, Registration
from tests.factories import make_category, make_question, make_registration
from tests.support.access import ORGANISER
from tests.support.clock import TEST_NOW


def _not_yet_open(world, category):
    world.event.registration_opens_at = TEST_NOW + timedelta(days=2)


def _closed(world, category):
    world.event.registration_closes_at = TEST_NOW - timedelta(hours=1)


def _category_not_on_sale_yet(world, category):
    category.sales_start = TEST_NOW + timedelta(days=1)


def _category_sales_ended(world, category):
    category.sales_end = TEST_NOW - timedelta(minutes=1)


def _event_full(world, category):
    world.event.capacity = 1
    make_registration(world.event, category, email="first@example.org", send_email=False)


def _category_full(world, category):
    category.capacity = 1
    make_registration(world.event, category, email="first@example.org", send_email=False)


def _required_question(world, category):
    make_question(world.event)


def _email_taken(world, category):
    make_registration(world.event, category, email="noor@example.org", send_email=False)


# situation, the public form's refusal (text on the page), organisers (page and token) allowed?, the API's refusal
SITUATIONS = [
    (_not_yet_open, "Registration opens on", True, None),
    (_closed, "Registration has closed.", True, None),
    (_category_not_on_sale_yet, "is not on sale yet.", True, None),
    (_category_sales_ended, "is no longer on sale.", True, None),
    (_event_full, None, False, (409, "sold_out")),
    (_category_full, None, False, (409, "sold_out")),
    (_required_question, "Answer this question.", False, (422, "validation_failed")),
    (_email_taken, None, False, (422, "validation_failed")),  # the form says so at its last step
]


def _public_form(client, event, category) -> str:
    """The public form's answer to one person (step "details": the choices and the details)."""
    response = client.post(f"/e/{event.slug}/register", data={
        "step": "details", f"quantity_{category.id}": "1", "form_token": "tok-rules",
        "attendees-0-first_name": "Noor", "attendees-0-last_name": "Haddad", "attendees-0-email": "noor@example.org"})
    return response.get_data(as_text=True)


@pytest.mark.parametrize("situation,public_refusal,organisers_may,api_refusal", SITUATIONS,
                         ids=[s[0].__name__.strip("_") for s in SITUATIONS])
def test_an_api_order_follows_the_organisers_rules(client, db, world, auth, login_as, situation, public_refusal,
                                                   organisers_may, api_refusal):
    category = make_category(world.event, name="Delegate")
    situation(world, category)
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Registration))

    public = _public_form(client, world.event, category)
    if public_refusal:
        assert public_refusal in public
    login_as(world.users[ORGANISER])
    page = client.post(f"/manage/{world.event.slug}/registrations/new", data={
        "category_id": category.id, "first_name": "Noor", "last_name": "Haddad", "email": "noor@example.org",
        "payment_method": "none"})
    assert (page.status_code == 302) is organisers_may, page.get_data(as_text=True)
    db.session.rollback()
    client.post("/account/logout")
    before = db.session.scalar(select(func.count()).select_from(Registration))

    # Where the page registered Noor, the API registers another person in the same situation.
    email = "amina@example.org" if organisers_may else "noor@example.org"
    answer = client.post(f"/api/v1/events/{world.event.slug}/orders", headers=auth, json={
        "attendees": [{"first_name": "Noor", "last_name": "Haddad", "email": email,
                       "category_id": category.id}], "send_email": False})
    if organisers_may:
        assert answer.status_code == 201, answer.json
    else:
        assert (answer.status_code, answer.json["code"]) == api_refusal, answer.json
        assert db.session.scalar(select(func.count()).select_from(Registration)) == before


def test_a_required_question_answered_through_the_api_is_kept(client, db, world, auth):
    category = make_category(world.event, name="Delegate")
    diet = make_question(world.event, kind=QuestionKind.SINGLE_CHOICE, options=["Vegetarian", "Vegan"])
    db.session.commit()
    url = f"/api/v1/events/{world.event.slug}/orders"
    person = {"first_name": "Noor", "email": "noor@example.org", "category_id": category.id}
    missing = client.post(url, headers=auth, json={"attendees": [person], "send_email": False})
    assert missing.status_code == 422 and missing.json["errors"] == {f"attendees-0-q_{diet.id}": "Answer this question."}
    wrong = client.post(url, headers=auth, json={"attendees": [{**person, "answers": {str(diet.id): "Fish"}}],
                                                 "send_email": False})
    assert wrong.status_code == 422 and wrong.json["errors"] == {f"attendees-0-q_{diet.id}": "Choose from the options given."}
    placed = client.post(url, headers=auth, json={"attendees": [{**person, "answers": {str(diet.id): "Vegan"}}],
                                                  "send_email": False})
    assert placed.status_code == 201
    registration = db.session.get(Registration, placed.json["registrations"][0]["id"])
    assert [(a.question_id, a.value) for a in registration.answers] == [(diet.id, "Vegan")]


def test_a_token_whose_creator_is_no_longer_an_organiser_places_nothing(client, db, world, auth):
    from confapp.accounts.models import EventRole, Role

    category = make_category(world.event, name="Delegate")
    role = db.session.scalar(select(EventRole).where(EventRole.user_id == world.users[ORGANISER].id,
                                                     EventRole.event_id == world.event.id))
    role.role = Role.CHECKIN_STAFF
    _closed(world, category)
    db.session.commit()
    answer = client.post(f"/api/v1/events/{world.event.slug}/orders", headers=auth, json={
        "attendees": [{"first_name": "Noor", "email": "noor@example.org", "category_id": category.id}]})
    assert answer.status_code == 403 and db.session.scalar(select(func.count()).select_from(Registration)) == 0
