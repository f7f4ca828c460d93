"""The programme in Spanish (issue 13): the public agenda, a session page and a speaker page for
visitors, and the organiser's timetable, session form, rooms and speakers pages, chosen with the
language cookie. Names and session titles are the organisers' content and stay as written; the
interface around them is Spanish, with no English labels left."""
from __future__ import annotations

from html import unescape

import pytest
from flask_babel import force_locale, gettext

from confapp.i18n import LANGUAGE_COOKIE
from tests.functional.program.test_manage_pages import base, logged_in  # noqa: F401 (logged_in is a fixture)


@pytest.fixture
def spanish(app, client):
    with app.app_context(), force_locale("es"):
        merged = gettext("Rooms and tracks") != "Rooms and tracks"
    # The catalogue is committed and `make` compiles it: a missing translation fails, never skips.
    assert merged, "the Spanish catalogue is not compiled with the programme strings: run `make translations`"
    client.set_cookie(LANGUAGE_COOKIE, "es")
    return client


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return unescape(response.get_data(as_text=True))


def _has_all(page: str, words) -> None:
    for word in words:
        assert word in page, word


def _has_none(page: str, words) -> None:
    for word in words:
        assert word not in page, word


def test_the_public_agenda_in_spanish(spanish, programme):
    page = _page(spanish, f"/e/{programme.event.slug}/agenda/")
    assert '<html lang="es"' in page
    _has_all(page, ["Programa", "Ponentes", "Eje temático", "Todos los ejes", "Filtrar", "Taller", "Pausa",
                    "(Moderación)", "Quedan 2 de 2 plazas.", "Añadir todo el programa a su calendario (.ics)",
                    "sábado", "diciembre"])
    assert "Federal Government Perspectives" in page  # the organiser's title, as written
    _has_none(page, [">Speakers<", ">Track<", "All tracks", ">Filter<", ">Workshop<", "(Moderator)", "places left",
                     "Add the whole agenda", "Saturday", "December"])


def test_a_session_page_in_spanish(spanish, programme):
    page = _page(spanish, f"/e/{programme.event.slug}/agenda/sessions/{programme.workshop.uid}")
    assert '<html lang="es"' in page
    _has_all(page, ["<dt>Cuándo</dt>", "<dt>Tipo</dt>", "<dt>Sala</dt>", "<dt>Plazas</dt>", "Taller", "sábado 5",
                    "Apúntese desde el enlace de su programa personal.", "Añadir esta sesión a su calendario (.ics)"])
    _has_none(page, ["<dt>When</dt>", "<dt>Type</dt>", "<dt>Room</dt>", "<dt>Places</dt>", "Sign up from",
                     "Add this session to your calendar", "Saturday"])
    panel = _page(spanish, f"/e/{programme.event.slug}/agenda/sessions/{programme.panel.uid}")
    _has_all(panel, ["<h2>Ponentes</h2>", "Moderación", "Panelista", "<dt>Eje temático</dt>"])
    _has_none(panel, ["<h2>Speakers</h2>", "Moderator", ", Panelist<", "<dt>Track</dt>"])


def test_a_speaker_page_in_spanish(spanish, programme):
    page = _page(spanish, f"/e/{programme.event.slug}/speakers/{programme.speaker.id}")
    assert '<html lang="es"' in page
    _has_all(page, ["<h2>Sesiones</h2>", "sáb 5 dic", "(Moderación)",
                    "Añadir las sesiones de JoAnn Kamuf Ward a su calendario (.ics)"])
    _has_none(page, ["<h2>Sessions</h2>", "Sat 5 Dec", "(Moderator)", "to your calendar"])
    listing = _page(spanish, f"/e/{programme.event.slug}/speakers/")
    _has_all(listing, ["<h1>Ponentes</h1>", "Ver el programa"])
    _has_none(listing, ["<h1>Speakers</h1>", "See the agenda"])


def test_the_organisers_sessions_list_in_spanish(spanish, login_as, programme):
    login_as(programme.organiser)
    page = _page(spanish, base(programme) + "/")
    assert '<html lang="es"' in page
    _has_all(page, ["<h1>Programa</h1>", "Añadir una sesión", "Salas y ejes temáticos", "Programa público",
                    "Publicar el programa", "1 sesión programada en borrador aparecerá en el programa público",
                    "Publicar 1 borrador", ">Hora<", "Horario del sábado 5 de diciembre", "Añadir una sesión en Hall a las 09:00",
                    "Borrador", "Publicado"])
    _has_none(page, ["<h1>Programme</h1>", "Add a session", "Rooms and tracks", "Public agenda", "Publish the programme",
                     "scheduled draft session", ">Time<", "rows are quarter hours", "Saturday", ">Draft<"])


def test_the_organisers_session_form_in_spanish(spanish, login_as, programme):
    login_as(programme.organiser)
    new = _page(spanish, base(programme) + "/sessions/new")
    _has_all(new, ["<h1>Nueva sesión</h1>", "<legend>Sesión</legend>", "<legend>Cuándo y dónde</legend>",
                   "<legend>Idioma y accesibilidad</legend>", "Título", "Día", "Empieza", "Termina", "Sin sala",
                   "Sin eje temático", "Todavía sin programar", "Notas de accesibilidad", "Plenaria", "Mesa redonda",
                   "Hora local del evento, formato de 24 horas.", "sábado 5 de diciembre de 2026", "Añadir la sesión"])
    _has_none(new, ["New session", "When and where", "Language and access", ">Title", ">Day", ">Starts", "No room",
                    "No track", "Not scheduled yet", "Accessibility notes", ">Plenary<", ">Roundtable<", "24-hour clock",
                    "Saturday", "Add session"])
    edit = _page(spanish, base(programme) + f"/sessions/{programme.panel.id}")
    _has_all(edit, ["<h2 id=\"status-heading\">Estado</h2>", "Cancelar esta sesión", "Guardar los cambios",
                    "<h2 id=\"speakers-heading\">Ponentes</h2>", ">Rol<", ">Respuesta<", "Pendiente",
                    "Añadir ponente a la sesión", "Añadir otra persona ponente al evento",
                    "¿Quitar a esta persona ponente de la sesión?"])
    _has_none(edit, [">Status<", "Cancel this session", "Save changes", ">Speakers<", ">Role<", ">Answer<", ">Pending<",
                     "Add speaker to session", "Add a new speaker", "Remove this speaker"])


def test_the_organisers_rooms_and_speakers_in_spanish_and_a_spanish_flash(spanish, login_as, programme):
    login_as(programme.organiser)
    rooms = _page(spanish, base(programme) + "/rooms")
    _has_all(rooms, ["<h1>Salas y ejes temáticos</h1>", "Añadir una sala", "Nombre de la sala", "Durante todo el evento",
                     "Orden en la lista", "Añadir el eje temático", "Nombre del eje temático"])
    _has_none(rooms, ["Rooms and tracks", "Add a room", "Room name", "Whenever the event runs", ">Order", "Track name"])
    speakers = _page(spanish, base(programme) + "/speakers")
    _has_all(speakers, ["<h1>Ponentes</h1>", "Sesiones y respuestas", "Invitación", "No enviada", "Enviar la invitación"])
    _has_none(speakers, ["Sessions and answers", ">Invitation<", "Not sent", "Send invitation"])
    response = spanish.post(base(programme) + "/rooms", data={"which": "track", "track-name": "Vivienda",
                                                               "track-colour": "#1d4e89", "track-position": "0"},
                            follow_redirects=True)
    assert "Eje temático añadido." in unescape(response.get_data(as_text=True))


def test_conflict_warnings_in_spanish(spanish, login_as, programme, db):
    login_as(programme.organiser)
    programme.draft.room_id = programme.panel.room_id
    programme.draft.starts_at, programme.draft.ends_at = programme.panel.starts_at, programme.panel.ends_at
    db.session.commit()
    page = _page(spanish, base(programme) + f"/sessions/{programme.draft.id}")
    _has_all(page, ["Avisos del horario", "Hall tiene una doble reserva: «Secret draft session» coincide con "
                    "«Federal Government Perspectives» (10:00–11:00)."])
    _has_none(page, ["Timetable warnings", "is double-booked", "overlaps"])


def test_the_speakers_own_page_in_spanish(spanish, programme):
    from confapp.program.tokens import speaker_token

    page = _page(spanish, f"/e/{programme.event.slug}/speaker/{speaker_token(programme.speaker)}/")
    _has_all(page, ["<h1>Su página de ponente</h1>", "Sus sesiones", "Su rol: <strong>Moderación</strong>. "
                    "Su respuesta: <strong>Pendiente</strong>", "Confirmo", "No puedo participar", "Guardar mi perfil",
                    "Biografía breve", "sábado 5"])
    _has_none(page, ["Your speaker page", "Your sessions", "Your role", "I confirm", "I cannot take part",
                     "Save my profile", "Short bio", "Saturday"])
