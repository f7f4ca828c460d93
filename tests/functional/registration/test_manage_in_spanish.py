"""The organiser's registration pages in Spanish: the list of registrations (filters, statuses,
counts), a category's form (labels, choices, descriptions) and the registration settings. The
language comes from the visitor's cookie (the organiser has not chosen one in their profile).

Needs the Spanish catalogue with these strings (/work/notes/es-reg.json, merged and compiled)."""
import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from confapp.i18n import LANGUAGE_COOKIE
from confapp.registration.models import Question
from tests.conftest import login
from tests.factories import make_category, make_registration


@pytest.fixture
def spanish(app):
    with app.app_context(), force_locale("es"):
        merged = gettext("Registration settings") != "Registration settings"
    assert merged, "the Spanish catalogue is not compiled: run `make translations`"


@pytest.fixture
def organiser_in_spanish(client, organiser, spanish):
    login(client, organiser)
    client.set_cookie(LANGUAGE_COOKIE, "es")
    return client


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_registrations_list_speaks_spanish(organiser_in_spanish, db, event, free):
    registration = make_registration(event, free, first_name="Cathy", last_name="Albisa", email="cathy@example.org")
    db.session.commit()
    page = _page(organiser_in_spanish, f"/manage/{event.slug}/registrations")
    assert '<html lang="es"' in page
    for spanish in ("Inscripciones", "Añadir una inscripción", "Exportar CSV", "Buscar", "Categoría", "Estado",
                    "Entrada registrada", "Todavía no", "Filtrar", "Borrar filtros",
                    "1 inscripción.", "Tabla de inscripciones", "Confirmada", "Configuración", "Lista de espera",
                    "Nombre, correo, organización, boleto", "Cathy Albisa"):
        assert spanish in page, spanish
    for english in ("Add a registration", "Export CSV", ">Search<", ">Status<", "Checked in", "Not yet",
                    "1 registration.", ">Confirmed<", ">Settings<", ">Waitlist<", "Registrations table"):
        assert english not in page, english

    filtered = _page(organiser_in_spanish, f"/manage/{event.slug}/registrations?q=nobody")
    assert "0 inscripciones coinciden." in filtered and "Ninguna inscripción coincide con estos filtros." in filtered
    assert "registrations match" not in filtered and "No registrations" not in filtered

    detail = _page(organiser_in_spanish, f"/manage/{event.slug}/registrations/{registration.id}")
    for spanish in ("Código del boleto", "Historial", "Pedido realizado</strong>: Confirmada", "Cancelar esta inscripción", "Editar"):
        assert spanish in detail, spanish
    for english in ("Ticket code", ">History<", "Placed", ": Confirmed", "Cancel this registration"):
        assert english not in detail, english

    export = organiser_in_spanish.get(f"/manage/{event.slug}/registrations/export.csv").get_data(as_text=True)
    heading, row = export.splitlines()[:2]
    assert heading.startswith("Código del boleto,Pedido,Nombre,Apellido,Correo electrónico,Categoría,Estado")
    assert "Fecha de inscripción (UTC)" in heading and "Ticket code" not in heading
    assert "Cathy" in row and "Confirmada" in row


def test_a_category_form_speaks_spanish(organiser_in_spanish, db, event):
    category = make_category(event, name="Community member", price_kind="fixed", price_minor=2500)
    db.session.commit()
    listing = _page(organiser_in_spanish, f"/manage/{event.slug}/registration/categories")
    for spanish in ("Categorías de inscripción", "Nueva categoría", "Visibilidad", "Reglas", "Pública", "Sin límite propio"):
        assert spanish in listing, spanish
    for english in ("Registration categories", "New category", ">Visibility<", ">Public<", "No own limit"):
        assert english not in listing, english

    form = _page(organiser_in_spanish, f"/manage/{event.slug}/registration/categories/{category.id}")
    assert '<html lang="es"' in form
    for spanish in ("Editar categoría", "Nombre", "Descripción", "Cuota fija", "Pague lo que pueda", "Cuota (USD)",
                    "Mínimo (USD)", "Plazas (opcional)", "Oculta: requiere un código de acceso", "A la venta",
                    "Para una cuota fija, por ejemplo 150.00", "Guardar", "Volver"):
        assert spanish in form, spanish
    for english in ("Edit category", "Fixed fee", "Fee (USD)", "Places (optional)", "Hidden: needs an access code",
                    "On sale", "For a fixed fee", ">Save<", ">Back<"):
        assert english not in form, english


def test_the_registration_settings_speak_spanish(organiser_in_spanish, db, event):
    page = _page(organiser_in_spanish, f"/manage/{event.slug}/registration/settings")
    assert '<html lang="es"' in page
    for spanish in ("Configuración de la inscripción", "Minutos que un pago con tarjeta reserva las plazas",
                    "Máximo de personas en un pedido", "Moneda", "Reembolso cuando una persona inscrita cancela",
                    "Reembolso total hasta una fecha", "Sin reembolsos", "Ofrecer una lista de espera cuando no haya plazas",
                    "Pago con tarjeta en línea", "Factura / transferencia bancaria", "Guardar",
                    '<option selected value="USD">Dólar estadounidense</option>', "Franco suizo"):
        assert spanish in page, spanish
    for english in ("Registration settings", "Minutes a card payment holds the places", "Most people in one order",
                    "Refund when an attendee cancels", "Full refund until a date", "No refunds", "Card payment online",
                    "Invoice / bank transfer", ">Save<", "US dollar", "Swiss franc"):
        assert english not in page, english

    # The flash after saving speaks Spanish too.
    saved = organiser_in_spanish.post(f"/manage/{event.slug}/registration/settings", data={
        "hold_minutes": "30", "max_per_order": "10", "currency": "USD", "refund_policy": "full", "offer_hours": "48",
        "card_enabled": "y"}, follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert "Configuración guardada." in text and "Settings saved." not in text


def test_built_in_questions_in_spanish_for_the_organiser_and_for_a_bilingual_event(organiser_in_spanish, db, event):
    event.languages = ["en", "es"]
    db.session.commit()
    url = f"/manage/{event.slug}/registration/questions"
    page = _page(organiser_in_spanish, url)
    for spanish in ("Preguntas de la inscripción", "Preguntas predefinidas", "Idioma de interpretación",
                    "Necesidades alimentarias", "Activar"):
        assert spanish in page, spanish
    for english in ("Registration questions", "Built-in questions", "Interpretation language", "Dietary needs", ">Switch on<"):
        assert english not in page, english

    response = organiser_in_spanish.post(f"{url}/builtin/interpretation", data={"enabled": "1"}, follow_redirects=True)
    assert "Preguntas actualizadas." in response.get_data(as_text=True)
    question = db.session.scalar(select(Question).where(Question.event_id == event.id, Question.builtin_key == "interpretation"))
    # The column keeps the event's default language (English); Spanish comes with it, for attendees.
    assert question.label == "Interpretation language" and question.options[1] == "Spanish"
    assert question.translations["es"]["label"] == "Idioma de interpretación"
    assert question.translations["es"]["options"][:2] == ["No la necesito", "Español"]
    listed = _page(organiser_in_spanish, url)
    assert "Idioma de interpretación" in listed and "(activada)" in listed and "opción única" in listed
