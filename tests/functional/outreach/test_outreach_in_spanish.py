"""The organiser's email pages and the event management pages in Spanish (the language cookie),
and the mail a participant who reads Spanish receives: subject and body in Spanish over the real
SMTP server. English stays the default, so the other tests keep reading English.

Needs the Spanish catalogue with the outreach and events strings (merged from
/work/notes/es-out.json) compiled: a missing translation fails, never skips."""
import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from confapp.extensions import db as database
from confapp.outreach import reminders, unsubscribe
from confapp.outreach.models import Message
from confapp.registration import emails
from confapp.types import utcnow


@pytest.fixture
def spanish(app, client):
    with app.app_context(), force_locale("es"):
        merged = gettext("Write an email") != "Write an email"
    assert merged, "the Spanish catalogue is not compiled: run `make translations`"
    client.set_cookie("confapp_language", "es")
    return client


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.get_data(as_text=True)
    assert '<html lang="es"' in page, url
    return page


def _has(page: str, spanish: tuple[str, ...], english: tuple[str, ...]) -> None:
    for text in spanish:
        assert text in page, text
    for text in english:
        assert text not in page, text


def test_the_email_pages_speak_spanish(organiser, spanish, people):
    slug = people.event.slug
    composer = _page(organiser, f"/manage/{slug}/emails/new")
    _has(composer, ("Escribir un correo", "Destinatarios", "Cumplir todas las condiciones", "Asunto", "Mensaje",
                    "Campos de combinación que puede usar", "Guardar y ver la vista previa", "Cancelar",
                    "Estado de la inscripción", "Confirmada", "Actualizar el recuento", "destinatarios: Todas las personas"),
         ("Write an email", "Match all conditions", "Merge fields you can use", "Save and preview", ">Cancel<",
          "Registration status", "Update the count", ">Subject<", ">Message<", "recipients:"))

    assert organiser.post(f"/manage/{slug}/emails/new", data={
        "subject": "Nos vemos pronto", "body": "Hola {{ first_name }}.", "match": "all", "action": "save",
        "cond-0-choice": "status:confirmed"}).status_code == 302
    message = database.session.scalars(select(Message)).one()
    assert message.segment_label == "Estado: Confirmada"

    listing = _page(organiser, f"/manage/{slug}/emails/")
    _has(listing, ("Correos", "Escribir un correo", "Recordatorios", "Anuncios", "Correos automáticos", "borrador",
                   "Asunto", "Omitidos", "Nos vemos pronto"),
         ("Write an email", ">Reminders<", "Announcements", "Automatic emails", ">draft<", ">Subject<", ">Skipped<"))

    sheet = _page(organiser, f"/manage/{slug}/emails/{message.id}")
    _has(sheet, ("Anuncio para Estado: Confirmada", "Enviar", "cumplen ahora las condiciones: Estado: Confirmada", "Vista previa como destinatario", "Enviarme una prueba",
                 "Enviar ahora a", "personas", "Programar", "El mensaje"),
         ("match now", "Preview as a recipient", "Send a test to me", "Send now to", ">Schedule<", "The message"))

    # The live count and the progress bar (static/js/outreach.js) get their words from the server.
    count = organiser.get(f"/manage/{slug}/emails/count?cond-0-choice=status:confirmed").get_json()
    assert count["label"] == "destinatarios: Estado: Confirmada" and count["sample_text"].startswith("Por ejemplo: ")
    progress = organiser.get(f"/manage/{slug}/emails/{message.id}/progress.json").get_json()
    assert progress["texts"] == {"handled": "0 de 0 procesados", "of": "0 de 0", "done": "Terminado.",
                                 "refresh": "Mostrar el estado de cada destinatario"}

    preview = _page(organiser, f"/manage/{slug}/emails/{message.id}/preview")
    _has(preview, ("Vista previa", "Volver al correo", "Parte en texto simple"), ("Back to the email", "Plain-text part"))

    reminders.create_rule(people.event, reminders.ReminderData("Víspera", "start", -2, "09:00", "Mañana", "Hasta mañana.",
                                                               {"all": True}), actor=people.organiser, now=utcnow())
    database.session.commit()
    rules = _page(organiser, f"/manage/{slug}/emails/reminders")
    _has(rules, ("Recordatorios", "Nuevo recordatorio", "2 días antes del inicio a las 09:00, hora del evento",
                 "Con respecto a", "el inicio del evento", "Guardar el recordatorio"),
         ("New reminder", "days before start", "Relative to", "the start of the event", "Save reminder"))


def test_the_event_management_pages_speak_spanish(organiser, spanish, people):
    slug = people.event.slug
    dashboard = _page(organiser, "/manage/")
    _has(dashboard, ("Mis eventos", "Próximos y en curso", "Fechas"), ("My events", "Upcoming and running", ">Dates<"))

    overview = _page(organiser, f"/manage/{slug}/")
    _has(overview, ("Fechas", "Lugar", "Aforo", "Página pública", "Resumen", "Equipo", "Correos"),
         (">Dates<", ">Venue<", ">Capacity<", "Public page", ">Overview<", ">Team<", ">Emails<"))

    details = _page(organiser, f"/manage/{slug}/edit")
    _has(details, ("Datos del evento", "Título", "Zona horaria", "Aforo", "Déjelo vacío si no hay límite.",
                   "Guardar los cambios", "Qué", "Dónde", "Quién"),
         ("Event details", "Time zone", "Leave empty for no limit.", "Save changes", ">What<", ">Where<", ">Who<"))

    team = _page(organiser, f"/manage/{slug}/team")
    _has(team, ("Equipo", "Personas con un rol en este evento", "Invitar a una persona colaboradora",
                "Enviar la invitación", "Rol"),
         ("Invite a colleague", "Send invitation", "People with a role on this event"))

    copy = _page(organiser, f"/manage/{slug}/copy")
    _has(copy, ("Crear la próxima edición", "Título de la nueva edición", "Crear la nueva edición"),
         ("Create the next edition", "Title of the new edition"))


def test_a_participant_who_reads_spanish_gets_the_confirmation_in_spanish(organiser, spanish, people, mail):
    ana = people.registrations["ana"]
    ana.order.language = "es"
    database.session.commit()
    emails.send_confirmation(ana.order)
    database.session.commit()
    received = mail.wait_for(1)[0]
    assert received.envelope_to == ["ana@example.org"]
    assert received.subject == f"Su inscripción en {people.event.title}"
    for text in ("Hola, Ana:", "Está inscrito/a en", "Cuándo:", "Categoría: General"):
        assert text in received.text, text
    for text in ("Hello Ana", "You are registered for", "When:", "Category:"):
        assert text not in received.text, text
    automatic = _page(organiser, f"/manage/{people.event.slug}/emails/?kind=transactional")
    _has(automatic, ("Correos automáticos", "confirmación de inscripción", f"Su inscripción en {people.event.title}"),
         ("registration confirmation", "Automatic emails"))


def test_the_unsubscribe_page_speaks_spanish(spanish, people):
    token = unsubscribe.make_token("ana@example.org", people.event.id)
    page = _page(spanish, f"/unsubscribe/{token}")
    _has(page, ("Darse de baja", "¿Dejar de recibir anuncios sobre", "Solo este evento", "Todos los eventos de este sitio"),
         ("Stop receiving", "This event only", "Every event on this site"))
    done = spanish.post(f"/unsubscribe/{token}", data={"scope": "event"}).get_data(as_text=True)
    assert "Listo: ya no recibirá anuncios sobre este evento." in done and "Done:" not in done
