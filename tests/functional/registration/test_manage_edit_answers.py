"""The organiser's edit page for a registration's answers draws the public form's question widgets
(a country question has its list of countries) and names the question an error belongs to."""
from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from confapp.registration.models import Answer, Question
from tests.factories import make_category, make_registration


@pytest.fixture
def country_and_required(db, event):
    country = Question(event_id=event.id, kind="country", label="Country", builtin_key="country", position=1)
    needs = Question(event_id=event.id, kind="short_text", label="Where did you hear about us?", required=True, position=2)
    db.session.add_all([country, needs])
    db.session.commit()
    return country, needs


@pytest.fixture
def registration(db, event, country_and_required):
    country, needs = country_and_required
    registration = make_registration(event, make_category(event), email="ana@example.org",
                                     answers={country.id: "MX", needs.id: "Radio"})
    db.session.commit()
    return registration


def test_the_edit_page_lists_the_countries_with_the_answer_chosen(client, login_as, organiser, event, registration,
                                                                   country_and_required):
    country, _needs = country_and_required
    login_as(organiser)
    page = unescape(client.get(f"/manage/{event.slug}/registrations/{registration.id}/edit").get_data(as_text=True))
    assert f'<select id="q_{country.id}" name="q_{country.id}"' in page
    assert '<option value="MX" selected>Mexico</option>' in page and '<option value="CA">Canada</option>' in page


def test_the_edit_page_saves_a_changed_country(client, db, login_as, organiser, event, registration, country_and_required):
    country, needs = country_and_required
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/registrations/{registration.id}/edit", data={
        "first_name": registration.first_name, "email": registration.email, f"q_{country.id}": "CA", f"q_{needs.id}": "Radio"})
    assert response.status_code == 302, response.get_data(as_text=True)
    values = {a.question_id: a.value for a in db.session.scalars(select(Answer).where(Answer.registration_id == registration.id))}
    assert values[country.id] == "CA"


def test_an_emptied_required_answer_is_named_in_the_summary(client, login_as, organiser, event, registration, country_and_required):
    country, needs = country_and_required
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/registrations/{registration.id}/edit", data={
        "first_name": registration.first_name, "email": registration.email, f"q_{country.id}": "MX"})
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert f'<a href="#q_{needs.id}">Where did you hear about us? Answer this question.</a>' in page
    assert "js/registration.js" in page  # conditional questions behave as on the public form
