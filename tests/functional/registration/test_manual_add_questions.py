"""The organiser's "add a registration" page asks the event's questions with the public form's
widgets, checks the answers as the public form does (a required answer binds the organiser too)
and saves them through the same order service. For people who register by phone or on paper."""
from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import func, select

from confapp.registration.models import Answer, Question, Registration
from tests.factories import make_category
from tests.support.queries import count_queries

ES = {"Accept-Language": "es-MX,es;q=0.9"}


@pytest.fixture
def asked(db, event):
    """A required short answer and an optional single choice, both with Spanish texts."""
    event.languages = ["en", "es"]
    needs = Question(event_id=event.id, kind="short_text", label="Where did you hear about us?", required=True, position=1,
                     translations={"es": {"label": "¿Cómo supo de nosotros?"}})
    shirt = Question(event_id=event.id, kind="single_choice", label="T-shirt size", options=["S", "M", "L"], position=2,
                     translations={"es": {"label": "Talla de camiseta", "options": ["Ch", "M", "G"]}})
    db.session.add_all([needs, shirt])
    db.session.commit()
    return needs, shirt


@pytest.fixture
def category(db, event):
    category = make_category(event, name="Community member")
    db.session.commit()
    return category


def _post(client, event, category, **fields):
    data = {"category_id": category.id, "first_name": "Dolores", "last_name": "Canales", "email": "dolores@example.org",
            "payment_method": "none", **fields}
    return client.post(f"/manage/{event.slug}/registrations/new", data=data)


def _registrations(db, event) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(Registration.event_id == event.id))


def test_the_page_asks_the_questions_with_the_public_widgets(client, login_as, organiser, event, asked, category):
    needs, shirt = asked
    login_as(organiser)
    page = unescape(client.get(f"/manage/{event.slug}/registrations/new").get_data(as_text=True))
    assert f'name="attendees-0-q_{needs.id}"' in page
    assert "Where did you hear about us? <span class=\"required\">(required)</span>" in page
    assert page.count(f'type="radio" id="attendees_0_q_{shirt.id}-') == 3
    assert "T-shirt size <span class=\"required\">" not in page


def test_organiser_adds_a_registration_with_answers(client, db, login_as, organiser, event, asked, category):
    needs, shirt = asked
    login_as(organiser)
    response = _post(client, event, category, **{f"attendees-0-q_{needs.id}": "A flyer at the re-entry centre",
                                                 f"attendees-0-q_{shirt.id}": "M"})
    assert response.status_code == 302, response.get_data(as_text=True)
    registration = db.session.scalar(select(Registration).where(Registration.email == "dolores@example.org"))
    answers = {a.question_id: a.value for a in db.session.scalars(select(Answer).where(Answer.registration_id == registration.id))}
    assert answers == {needs.id: "A flyer at the re-entry centre", shirt.id: "M"}
    detail = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Where did you hear about us?" in detail and "A flyer at the re-entry centre" in detail
    assert "T-shirt size" in detail and "<dd>M</dd>" in detail


def test_a_missing_required_answer_shows_its_error_and_creates_nothing(client, db, login_as, organiser, event, asked, category):
    needs, shirt = asked
    login_as(organiser)
    response = _post(client, event, category, **{f"attendees-0-q_{shirt.id}": "L"})
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert f'<a href="#attendees_0_q_{needs.id}">Where did you hear about us?' in page
    assert f'id="attendees_0_q_{needs.id}-error"' in page and "Answer this question." in page
    assert f'value="L" checked' in page and 'value="Dolores"' in page  # what was typed stays
    assert _registrations(db, event) == 0


def test_an_unknown_choice_is_refused_as_on_the_public_form(client, db, login_as, organiser, event, asked, category):
    needs, shirt = asked
    login_as(organiser)
    response = _post(client, event, category, **{f"attendees-0-q_{needs.id}": "Radio", f"attendees-0-q_{shirt.id}": "XXL"})
    assert response.status_code == 422 and "Choose from the options given." in response.get_data(as_text=True)
    assert _registrations(db, event) == 0


def test_a_field_error_and_an_answer_error_show_together(client, db, login_as, organiser, event, asked, category):
    needs, _shirt = asked
    login_as(organiser)
    page = unescape(_post(client, event, category, email="").get_data(as_text=True))
    assert f'id="attendees_0_q_{needs.id}-error"' in page and 'id="email-error"' in page
    assert _registrations(db, event) == 0


def test_the_page_in_spanish_shows_the_spanish_questions(client, login_as, organiser, event, asked, category):
    needs, shirt = asked
    login_as(organiser)
    page = unescape(client.get(f"/manage/{event.slug}/registrations/new", headers=ES).get_data(as_text=True))
    assert "¿Cómo supo de nosotros?" in page and "Talla de camiseta" in page and "(obligatorio)" in page
    assert ">Ch</label>" in page and 'value="S"' in page  # the stored option is the default language's
    assert "Where did you hear about us?" not in page and "T-shirt size" not in page
    assert "Respuestas a las preguntas de inscripción" in page
    assert "Answers to the registration questions" not in page


def test_the_page_sends_a_fixed_number_of_queries_whatever_the_questions(client, db, login_as, organiser, event, asked, category):
    login_as(organiser)
    db.session.commit()
    url = f"/manage/{event.slug}/registrations/new"
    with count_queries(db.engine, ignore=("BEGIN", "ROLLBACK", "COMMIT")) as small:
        assert client.get(url).status_code == 200
    for i in range(10):
        db.session.add(Question(event_id=event.id, kind="country" if i % 2 else "multiple_choice", label=f"More {i}?",
                                options=["a", "b"], position=10 + i))
    for i in range(5):
        make_category(event, name=f"Other {i}")
    db.session.commit()
    with count_queries(db.engine, ignore=("BEGIN", "ROLLBACK", "COMMIT")) as large:
        assert client.get(url).status_code == 200
    # 6 on this suite's SQLite: the user, the event, its organisations, the organiser's role, the
    # categories and the questions (one query for all of them); the country list needs none.
    assert large.count == small.count <= 6, large.statements


def test_a_hidden_conditional_question_is_not_required_and_a_shown_one_is(client, db, login_as, organiser, event, questions,
                                                                           category):
    needs, which, _org = questions
    login_as(organiser)
    page = client.get(f"/manage/{event.slug}/registrations/new").get_data(as_text=True)
    assert f'data-condition-name="attendees-0-q_{needs.id}" data-condition-value="Yes"' in page
    shown = _post(client, event, category, **{f"attendees-0-q_{needs.id}": "Yes"})
    assert shown.status_code == 422 and f'id="attendees_0_q_{which.id}-error"' in shown.get_data(as_text=True)
    assert _registrations(db, event) == 0
    hidden = _post(client, event, category, **{f"attendees-0-q_{needs.id}": "No", f"attendees-0-q_{which.id}": "ASL"})
    assert hidden.status_code == 302
    registration = db.session.scalar(select(Registration).where(Registration.event_id == event.id))
    answers = {a.question_id: a.value for a in db.session.scalars(select(Answer).where(Answer.registration_id == registration.id))}
    assert answers == {needs.id: "No"}  # the hidden question's answer is not kept, as on the public form


def test_a_multiple_choice_answer_keeps_every_option_ticked(client, db, login_as, organiser, event, category):
    pick = Question(event_id=event.id, kind="multiple_choice", label="Sessions you want", options=["Housing", "Jobs", "Voting"],
                    required=True, position=1)
    db.session.add(pick)
    db.session.commit()
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/registrations/new", data={
        "category_id": category.id, "first_name": "Dolores", "email": "dolores@example.org", "payment_method": "none",
        f"attendees-0-q_{pick.id}": ["Voting", "Housing"]})
    assert response.status_code == 302, response.get_data(as_text=True)
    answer = db.session.scalar(select(Answer).where(Answer.question_id == pick.id))
    assert answer.value == "Housing\nVoting"
