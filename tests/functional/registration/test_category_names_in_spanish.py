"""A category's name is the event's own content (issue 13): wherever a Spanish participant reads
it, in the confirmation email (over the real SMTP server), the waitlist form, the errors of the
registration form and the ticket page, it is the Spanish name the organiser wrote, and the
event's title too. An event that does not offer Spanish keeps its English names, even if a
Spanish translation was left behind."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlparse

import pytest
from flask_babel import force_locale

from confapp.i18n import in_language
from tests.factories import make_category, make_registration

ES = {"Accept-Language": "es-MX,es;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


@pytest.fixture
def bilingual(db, event, free):
    event.languages = ["en", "es"]
    event.translations = {"es": {"title": "Encuentro de prueba"}}
    free.translations = {"es": {"name": "Miembro de la comunidad"}}
    db.session.commit()
    return event


def _register(client, event, category, questions, headers, email="ana@example.org"):
    needs, _which, org = questions
    url = f"/e/{event.slug}/register"
    client.post(url, data={"step": "choose", f"quantity_{category.id}": "1"}, headers=headers)
    review = client.post(url, headers=headers, data={
        "step": "details", f"quantity_{category.id}": "1", "form_token": f"cat-{email}",
        "attendees-0-first_name": "Ana", "attendees-0-last_name": "Pérez", "attendees-0-email": email,
        f"attendees-0-q_{needs.id}": "No", f"attendees-0-q_{org.id}": "NESRI"})
    done = client.post(url, data={**_hidden(review.get_data(as_text=True)), "step": "confirm"}, headers=headers)
    assert done.status_code == 302, review.get_data(as_text=True)[:2000]


def test_the_confirmation_email_names_the_category_in_spanish(client, db, bilingual, free, questions, mail):
    _register(client, bilingual, free, questions, ES)
    [received] = mail.wait_for(1)
    assert received.subject == "Su inscripción en Encuentro de prueba"
    assert "Categoría: Miembro de la comunidad" in received.text
    assert "Miembro de la comunidad" in unescape(received.html)
    assert "Community member" not in received.text and "Community member" not in received.html

    # The ticket page it links to: the event and the category in Spanish.
    ticket_url = next(u for u in re.findall(r"https?://\S+", received.text) if "/ticket/" in u)
    ticket = _page(client.get(urlparse(ticket_url).path, headers=ES))
    assert "<span>Miembro de la comunidad</span>" in ticket and "Encuentro de prueba" in ticket
    assert "Community member" not in ticket and bilingual.title not in ticket


def test_an_english_participant_reads_the_english_names(client, db, bilingual, free, questions, mail):
    _register(client, bilingual, free, questions, EN)
    [received] = mail.wait_for(1)
    assert "Category: Community member" in received.text
    assert "Miembro" not in received.text and "Encuentro" not in received.subject


def test_mail_rendered_outside_a_request_uses_the_participants_language_and_the_events_languages(app, db, bilingual, free, event):
    """The outbox job renders mail with no page event: the category still follows the reader's
    language, and a translation into a language the event dropped is not used."""
    from confapp.mail import render_email
    from confapp.outreach.event_mail import content_of

    registration = make_registration(event, free, first_name="Ana")
    db.session.commit()
    context = dict(registration=registration, order=registration.order, qr_data_uri="", self_service_url="https://x/",
                   receipt_url=None, message="", note="")
    with app.app_context(), in_language("es"), content_of(event):
        text, _html = render_email("registration_confirmation", subject="", event=event, **context)
    assert "Categoría: Miembro de la comunidad" in text
    event.languages = ["en"]
    db.session.commit()
    with app.app_context(), in_language("es"), content_of(event):
        text, _html = render_email("registration_confirmation", subject="", event=event, **context)
    assert "Categoría: Community member" in text and "Miembro" not in text


def test_the_waitlist_form_names_full_categories_in_spanish(client, db, bilingual):
    full = make_category(bilingual, name="Workshop", capacity=0, translations={"es": {"name": "Taller"}})
    db.session.commit()
    page = _page(client.get(f"/e/{bilingual.slug}/register", headers=ES))
    assert "Anotarse en la lista de espera de Taller" in page and "Workshop" not in page
    other = make_category(bilingual, name="Dinner", capacity=0, translations={"es": {"name": "Cena"}})
    db.session.commit()
    page = _page(client.get(f"/e/{bilingual.slug}/register", headers=ES))
    assert re.search(rf'<option[^>]*value="{full.id}"[^>]*>Taller</option>', page)
    assert re.search(rf'<option[^>]*value="{other.id}"[^>]*>Cena</option>', page)
    assert "Workshop" not in page and "Dinner" not in page


def test_a_sales_problem_names_the_category_in_spanish(app, db, bilingual, free, now):
    from datetime import timedelta

    from confapp.registration.pricing import sales_problem

    free.sales_start = now + timedelta(days=1)
    db.session.commit()
    with app.test_request_context(), force_locale("es"):
        from confapp.events.content_languages import use_event_language

        use_event_language(bilingual)
        with force_locale("es"):
            assert sales_problem(free, now=now) == "Miembro de la comunidad todavía no está a la venta."
