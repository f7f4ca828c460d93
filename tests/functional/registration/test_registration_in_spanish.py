"""The attendee's registration path in Spanish: every step, its errors, the ticket page, and the
emails, which speak the language the order was placed in whoever sends them later. English
visitors keep English throughout.

The Spanish tests need the Spanish catalogue with the registration strings (merged from
/work/notes/es-registration.json): until then they skip, saying so."""
import re
from urllib.parse import urlparse

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from confapp.registration.models import Order, Registration, WaitlistEntry
from tests.factories import make_category

ES = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.fixture
def spanish(app):
    with app.app_context(), force_locale("es"):
        merged = gettext("Choose your places") != "Choose your places"
    # The catalogue is committed and `make` compiles it: a missing translation fails, never skips.
    assert merged, "the Spanish catalogue is not compiled: run `make translations`"


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


def _details(category, questions, **extra):
    needs, which, org = questions
    data = {"step": "details", f"quantity_{category.id}": "1", "form_token": f"es-{category.id}",
            "attendees-0-first_name": "Cathy", "attendees-0-last_name": "Albisa", "attendees-0-email": "cathy@example.org",
            f"attendees-0-q_{needs.id}": "No", f"attendees-0-q_{org.id}": "NESRI"}
    data.update(extra)
    return data


def _register(client, event, category, questions, headers):
    """Choose, details, review, confirm: the order page's address."""
    url = f"/e/{event.slug}/register"
    client.post(url, data={"step": "choose", f"quantity_{category.id}": "1"}, headers=headers)
    review = client.post(url, data=_details(category, questions), headers=headers)
    done = client.post(url, data={**_hidden(review.get_data(as_text=True)), "step": "confirm"}, headers=headers)
    assert done.status_code == 302
    return done.headers["Location"]


def test_a_spanish_visitor_registers_for_free_entirely_in_spanish(spanish, client, db, event, free, questions, mail):
    url = f"/e/{event.slug}/register"
    choose = client.get(url, headers=ES).get_data(as_text=True)
    assert '<html lang="es"' in choose
    assert 'aria-label="Pasos de la inscripción"' in choose
    for word in ("Plazas", "Sus datos", "Revisión", "Listo", "Elija sus plazas", "Continuar", "Gratis", "Aplicar código"):
        assert word in choose, word
    assert "Choose your places" not in choose and ">Continue<" not in choose

    details = client.post(url, data={"step": "choose", f"quantity_{free.id}": "1"}, headers=ES).get_data(as_text=True)
    assert "Sus datos" in details and "Nombre" in details and "(obligatorio)" in details and ">Revisar<" in details and ">Revisión<" in details
    assert "First name" not in details and "(required)" not in details

    needs, _, _ = questions
    wrong = client.post(url, data=_details(free, questions, **{"attendees-0-email": "not-an-email",
                                                                 f"attendees-0-q_{needs.id}": ""}), headers=ES)
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422
    assert "Revise el formulario" in page and "Escriba una dirección de correo como nombre@ejemplo.org." in page
    assert "Responda esta pregunta." in page and "Error:" in page
    assert "Enter an email address" not in page and "Answer this question." not in page

    review = client.post(url, data=_details(free, questions), headers=ES).get_data(as_text=True)
    assert "Revise su inscripción" in review and "No hay nada que pagar." in review and "Confirmar la inscripción" in review
    done = client.post(url, data={**_hidden(review), "step": "confirm"}, headers=ES)
    order_page = client.get(done.headers["Location"], headers=ES).get_data(as_text=True)
    assert "Ya está inscrito/a" in order_page and "Gracias, Cathy Albisa." in order_page and "Entrada y respuestas" in order_page
    assert db.session.scalar(select(Order.language).where(Order.event_id == event.id)) == "es"

    [received] = mail.wait_for(1)
    assert received.subject == f"Su inscripción en {event.title}"
    assert "Hola, Cathy:" in received.text and f"Está inscrito/a en {event.title}." in received.text
    assert "Muestre el código QR adjunto" in received.text and "Código de la entrada:" in received.text
    assert '<html lang="es">' in received.html and "Muestre este código QR" in received.html
    for english in ("Hello", "You are registered", "Ticket code", "Sent by confapp"):
        assert english not in received.text and english not in received.html, english

    ticket_url = next(u for u in re.findall(r"https?://\S+", received.text) if "/ticket/" in u)
    ticket = client.get(urlparse(ticket_url).path, headers=ES).get_data(as_text=True)
    for word in ("Su entrada", "Código de la entrada:", "Guardar mis respuestas", "Cancelar su inscripción",
                 "Sí, cancelar mi inscripción", "Agregar a su calendario (.ics)"):
        assert word in ticket, word
    assert "Your ticket" not in ticket and "Save my answers" not in ticket


def test_an_english_visitors_pages_and_email_stay_english(client, db, event, free, questions, mail):
    order_url = _register(client, event, free, questions, EN)
    assert "You are registered" in client.get(order_url, headers=EN).get_data(as_text=True)
    assert db.session.scalar(select(Order.language).where(Order.event_id == event.id)) == "en"
    [received] = mail.wait_for(1)
    assert received.subject == f"Your registration for {event.title}"
    assert received.text.startswith("Hello Cathy,\n\nYou are registered for ")
    assert '<html lang="en">' in received.html and "Show this QR code (also attached) at the registration desk." in received.html


def test_mail_sent_later_speaks_the_orders_language_not_the_senders(spanish, client, db, event, free, questions, mail):
    """The attendee registered in Spanish, then cancels from an English browser: the page answers in
    English, the cancellation email still comes in Spanish."""
    _register(client, event, free, questions, ES)
    [confirmation] = mail.wait_for(1)
    ticket_path = urlparse(next(u for u in re.findall(r"https?://\S+", confirmation.text) if "/ticket/" in u)).path
    mail.clear()
    page = client.post(f"{ticket_path}/cancel", data={"confirm": "y"}, headers=EN, follow_redirects=True)
    assert "Your registration is cancelled." in page.get_data(as_text=True)
    [cancelled] = mail.wait_for(1)
    assert cancelled.subject == f"Su inscripción en {event.title} está cancelada"
    assert "Hola, Cathy:" in cancelled.text and "Hello" not in cancelled.text


def test_a_spanish_waitlist_entry_gets_its_mail_in_spanish(spanish, client, db, event, mail):
    full = make_category(event, name="Workshop", capacity=0)  # the waitlist is on by default
    db.session.commit()
    page = client.get(f"/e/{event.slug}/register", headers=ES).get_data(as_text=True)
    assert "Anotarse en la lista de espera" in page
    response = client.post(f"/e/{event.slug}/waitlist", headers=ES, data={
        "waitlist-name": "Rosa Diallo", "waitlist-email": "rosa@example.org", "waitlist-category_id": str(full.id),
        })
    assert response.status_code == 200 and "Está en la lista de espera" in response.get_data(as_text=True)
    assert db.session.scalar(select(WaitlistEntry.language).where(WaitlistEntry.email == "rosa@example.org")) == "es"
    [received] = mail.wait_for(1)
    assert received.subject == f"Está en la lista de espera de {event.title}"
    assert received.text.startswith("Hola, Rosa Diallo:")


@pytest.mark.parametrize("capacity, english, spanish_words", [
    (1, "1 place left", "Queda 1 plaza"),
    (3, "3 places left", "Quedan 3 plazas"),
])
def test_places_left_count_in_both_languages(spanish, client, db, event, capacity, english, spanish_words):
    make_category(event, name="Workshop", capacity=capacity)
    db.session.commit()
    url = f"/e/{event.slug}/register"
    assert english in client.get(url, headers=EN).get_data(as_text=True)
    page = client.get(url, headers=ES).get_data(as_text=True)
    assert spanish_words in page and english not in page


@pytest.mark.parametrize("capacity, english", [(1, "1 place left"), (3, "3 places left")])
def test_places_left_count_in_english_is_unchanged(client, db, event, capacity, english):
    make_category(event, name="Workshop", capacity=capacity)
    db.session.commit()
    page = client.get(f"/e/{event.slug}/register", headers=EN).get_data(as_text=True)
    assert f'<p class="meta">{english}</p>' in page


def test_the_registration_steps_of_an_english_visitor_have_no_spanish(client, db, event, free):
    page = client.get(f"/e/{event.slug}/register", headers=EN).get_data(as_text=True)
    assert 'aria-label="Registration steps"' in page and ">Continue<" in page and "Continuar" not in page
    assert db.session.scalar(select(Registration.id).where(Registration.event_id == event.id)) is None


def _ticket_path(confirmation) -> str:
    return urlparse(next(u for u in re.findall(r"https?://\S+", confirmation.text) if "/ticket/" in u)).path


def test_an_attendee_changes_their_language_on_the_ticket_page_and_later_mail_follows(
        spanish, client, db, event, free, questions, mail):
    """Registered in English; they choose Spanish on their ticket page: the page switches, the
    choice is theirs alone (the order keeps its language), and the next email comes in Spanish."""
    _register(client, event, free, questions, EN)
    [confirmation] = mail.wait_for(1)
    ticket_path = _ticket_path(confirmation)
    mail.clear()
    page = client.get(ticket_path, headers=EN).get_data(as_text=True)
    assert "Your language" in page and "Language for your emails" in page
    assert '<option selected value="en">English</option>' in page
    saved = client.post(f"{ticket_path}/language", data={"language": "es"}, headers=EN,
                        follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert "Guardado: le escribiremos en español." in text and '<html lang="es"' in text
    assert '<option selected value="es">Español</option>' in text
    registration = db.session.scalar(select(Registration).where(Registration.event_id == event.id))
    assert (registration.language, registration.order.language, registration.spoken_language) == ("es", "en", "es")

    client.post(f"{ticket_path}/cancel", data={"confirm": "y"}, headers=EN)
    [cancelled] = mail.wait_for(1)
    assert cancelled.subject == f"Su inscripción en {event.title} está cancelada"


def test_a_language_the_site_does_not_offer_is_refused_and_changes_nothing(spanish, client, db, event, free, questions, mail):
    _register(client, event, free, questions, EN)
    ticket_path = _ticket_path(mail.wait_for(1)[0])
    for wrong in ("fr", "", "ES"):
        refused = client.post(f"{ticket_path}/language", data={"language": wrong}, headers=EN, follow_redirects=True)
        assert "Choose one of the languages offered." in refused.get_data(as_text=True), wrong
        assert db.session.scalar(select(Registration.language).where(Registration.event_id == event.id)) is None
