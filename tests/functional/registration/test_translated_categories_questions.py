"""Categories and custom questions in the event's languages (issue 13): organisers write the
name, description, label, help text and options per language; a Spanish visitor sees them in
Spanish on the registration form, and the answers are stored as the default language's option
texts whatever language the form was shown in."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from confapp.registration.models import Answer, Question, RegistrationCategory

ES = {"Accept-Language": "es-MX,es;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def bilingual(db, event):
    event.languages = ["en", "es"]
    db.session.commit()
    return event


@pytest.fixture
def translated(db, bilingual, questions, free):
    needs, which, org = questions
    free.description = "For members of host communities."
    free.translations = {"es": {"name": "Miembro de la comunidad", "description": "Para miembros de las comunidades anfitrionas."}}
    needs.help_text = "We arrange it for you."
    needs.translations = {"es": {"label": "¿Necesita interpretación?", "help_text": "La organizamos para usted.",
                                 "options": ["Sí", "No"]}}
    db.session.commit()
    return free, questions


def test_organiser_writes_a_category_in_spanish_and_sees_what_is_missing(client, db, login_as, organiser, bilingual, free):
    login_as(organiser)
    url = f"/manage/{bilingual.slug}/registration/categories/{free.id}"
    form = _page(client.get(url, headers=EN))
    assert "<legend>In Spanish</legend>" in form
    assert re.search(r'<input[^>]*id="name__es"[^>]*lang="es"', form) and 'for="name__es">Name (Spanish)<' in form
    assert "Not yet translated into Spanish" in _page(client.get(f"/manage/{bilingual.slug}/registration/categories", headers=EN))
    response = client.post(url, data={"name": "Community member", "price_kind": "free", "visibility": "public",
                                      "is_active": "y", "name__es": "Miembro de la comunidad"}, headers=EN)
    assert response.status_code == 302
    db.session.expire_all()
    category = db.session.get(RegistrationCategory, free.id)
    assert category.name == "Community member" and category.translations == {"es": {"name": "Miembro de la comunidad"}}
    listing = _page(client.get(f"/manage/{bilingual.slug}/registration/categories", headers=EN))
    assert "Not yet translated into Spanish" not in listing  # no description to translate


def test_question_options_translate_line_by_line(client, db, login_as, organiser, bilingual, questions):
    needs, _which, _org = questions
    login_as(organiser)
    url = f"/manage/{bilingual.slug}/registration/questions/{needs.id}"
    base = {"label": "Do you need interpretation?", "kind": "single_choice", "options": "Yes\nNo", "required": "y",
            "condition_question_id": "0", "label__es": "¿Necesita interpretación?"}
    refused = client.post(url, data={**base, "options__es": "Sí"}, headers=EN)
    assert refused.status_code == 422
    assert "Give one line for each of the 2 lines above, in the same order." in _page(refused)
    assert client.post(url, data={**base, "options__es": "Sí\nNo"}, headers=EN).status_code == 302
    db.session.expire_all()
    question = db.session.get(Question, needs.id)
    assert question.options == ["Yes", "No"]
    assert question.translations == {"es": {"label": "¿Necesita interpretación?", "options": ["Sí", "No"]}}


def test_spanish_visitor_sees_categories_in_spanish(client, db, translated):
    free, _questions = translated
    url = f"/e/{free.event.slug}/register"
    spanish = _page(client.get(url, headers=ES))
    assert f'<h3 class="category__name" id="cat-{free.id}">Miembro de la comunidad</h3>' in spanish
    assert "Para miembros de las comunidades anfitrionas." in spanish
    english = _page(client.get(url, headers=EN))
    assert f'<h3 class="category__name" id="cat-{free.id}">Community member</h3>' in english
    assert "Miembro" not in english


def test_spanish_visitor_answers_translated_questions_and_the_answer_is_stored_as_the_option(client, db, translated):
    free, (needs, which, org) = translated
    url = f"/e/{free.event.slug}/register"
    details = _page(client.post(url, data={"step": "choose", f"quantity_{free.id}": "1"}, headers=ES))
    assert "<legend>¿Necesita interpretación?" in details and "La organizamos para usted." in details
    # Shown in Spanish, submitted as the stored option.
    assert re.search(r'value="Yes"[^>]*>\s*<label[^>]*>Sí</label>', details)
    # An untranslated question falls back to English, marked as English for screen readers.
    assert re.search(r'<legend lang="en">Which language\?', details)
    data = {"step": "details", f"quantity_{free.id}": "1", "form_token": "tr-1",
            "attendees-0-first_name": "Ana", "attendees-0-last_name": "Pérez", "attendees-0-email": "ana@example.org",
            f"attendees-0-q_{needs.id}": "No", f"attendees-0-q_{org.id}": "NESRI"}
    review = client.post(url, data=data, headers=ES)
    page = _page(review)
    assert "<dt>¿Necesita interpretación?</dt><dd>No</dd>" in page
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', review.get_data(as_text=True)))
    assert client.post(url, data={**hidden, "step": "confirm"}, headers=ES).status_code == 302
    assert db.session.scalar(select(Answer.value).where(Answer.question_id == needs.id)) == "No"


def test_a_translated_option_answer_is_shown_in_spanish_on_review(client, db, translated):
    free, (needs, which, org) = translated
    url = f"/e/{free.event.slug}/register"
    data = {"step": "details", f"quantity_{free.id}": "1", "form_token": "tr-2",
            "attendees-0-first_name": "Ana", "attendees-0-last_name": "Pérez", "attendees-0-email": "ana2@example.org",
            f"attendees-0-q_{needs.id}": "Yes", f"attendees-0-q_{which.id}": "ASL", f"attendees-0-q_{org.id}": "NESRI"}
    page = _page(client.post(url, data=data, headers=ES))
    assert "<dt>¿Necesita interpretación?</dt><dd>Sí</dd>" in page
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    assert hidden[f"attendees-0-q_{needs.id}"] == "Yes"


def test_an_event_without_spanish_shows_its_categories_in_english(client, db, event, free):
    free.translations = {"es": {"name": "Miembro (stale)"}}
    db.session.commit()
    page = _page(client.get(f"/e/{event.slug}/register", headers=ES))
    assert f'<h3 class="category__name" id="cat-{free.id}" lang="en">Community member</h3>' in page
    assert "stale" not in page


def test_organiser_sees_the_answers_under_the_questions_in_the_page_language(client, db, login_as, organiser, translated):
    """The manage page of a registration words its questions, their chosen options and the
    category as the registration form does in the page's language; English stays English."""
    from tests.factories import make_registration

    free, (needs, which, org) = translated
    which.translations = {"es": {"label": "¿Qué idioma?", "options": ["Español", "Lengua de señas americana"]}}
    registration = make_registration(free.event, free, first_name="Ana", last_name="Pérez",
                                     answers={needs.id: "Yes", which.id: "ASL", org.id: "Comité"})
    db.session.commit()
    login_as(organiser)
    url = f"/manage/{free.event.slug}/registrations/{registration.id}"
    spanish = _page(client.get(url, headers=ES))
    for text in ("<dt>¿Necesita interpretación?</dt><dd>Sí</dd>", "<dt>¿Qué idioma?</dt><dd>Lengua de señas americana</dd>",
                 "<dd>Miembro de la comunidad</dd>", "<dd>Comité</dd>"):
        assert text in spanish, text
    for english in ("Do you need interpretation?", "Which language?", "<dd>ASL</dd>", "<dd>Community member</dd>"):
        assert english not in spanish, english
    english = _page(client.get(url, headers=EN))
    assert "<dt>Do you need interpretation?</dt><dd>Yes</dd>" in english and "<dt>Which language?</dt><dd>ASL</dd>" in english
    assert "<dd>Community member</dd>" in english and "¿Qué idioma?" not in english


def test_the_attendee_sees_the_category_in_spanish_on_the_ticket_and_order_pages(client, db, translated):
    from confapp.registration import links
    from tests.factories import make_registration

    free, (needs, which, org) = translated
    registration = make_registration(free.event, free, answers={needs.id: "No"})
    db.session.commit()
    slug = free.event.slug
    for url in (f"/e/{slug}/ticket/{links.ticket_token(registration)}", f"/e/{slug}/orders/{links.order_token(registration.order)}"):
        spanish = _page(client.get(url, headers=ES))
        assert "<span>Miembro de la comunidad</span> ·" in spanish and "Community member" not in spanish, url
        assert "<span>Community member</span> ·" in _page(client.get(url, headers=EN)), url
