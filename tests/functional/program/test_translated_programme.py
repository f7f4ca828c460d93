"""Session titles and descriptions and track names in the event's languages (issue 13): written
per language on the organiser's forms, shown in the visitor's language on the agenda and the
session page, falling back silently (and marked with lang) to the default language."""
from __future__ import annotations

import re
from html import unescape

import pytest

from confapp.program.models import ProgramSession, Track
from tests.functional.program.test_manage_pages import base, logged_in  # noqa: F401 (logged_in is a fixture)

ES = {"Accept-Language": "es"}
EN = {"Accept-Language": "en"}


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def bilingual(db, programme):
    programme.event.languages = ["en", "es"]
    programme.panel.description = "Officials describe the federal role."
    programme.panel.translations = {"es": {"title": "Perspectivas del gobierno federal"}}
    programme.track.translations = {"es": {"name": "Ciudades"}}
    db.session.commit()
    return programme


def test_organiser_gives_a_session_its_spanish_title_and_description(logged_in, bilingual, db):
    panel = bilingual.panel
    url = base(bilingual) + f"/sessions/{panel.id}"
    form = _page(logged_in.get(url, headers=EN))
    assert "<legend>In Spanish</legend>" in form and 'value="Perspectivas del gobierno federal"' in form
    assert re.search(r'<textarea[^>]*id="description__es"[^>]*lang="es"', form)
    assert "Not yet translated into Spanish." in form  # the description
    response = logged_in.post(url, headers=EN, data={
        "title": panel.title, "kind": "panel", "day": "2026-12-05", "starts": "10:00", "ends": "11:00",
        "room_id": str(bilingual.rooms[0].id), "track_id": str(bilingual.track.id), "language": "English",
        "description": panel.description, "title__es": "Perspectivas federales", "description__es": "Funcionarios explican."})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(ProgramSession, panel.id)
    assert saved.title == "Federal Government Perspectives"
    assert saved.translations == {"es": {"title": "Perspectivas federales", "description": "Funcionarios explican."}}


def test_organiser_names_a_track_in_spanish(logged_in, bilingual, db):
    url = base(bilingual) + f"/tracks/{bilingual.track.id}"
    form = _page(logged_in.get(url, headers=EN))
    assert 'for="name__es">Track name (Spanish)<' in form
    response = logged_in.post(url, headers=EN, data={"name": "Cities", "colour": "#ffcc00", "name__es": "Ciudades DDHH"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Track, bilingual.track.id).translations == {"es": {"name": "Ciudades DDHH"}}


def test_the_agenda_shows_sessions_and_tracks_in_the_visitors_language(client, bilingual):
    url = f"/e/{bilingual.event.slug}/agenda/"
    spanish = _page(client.get(url, headers=ES))
    assert '<html lang="es">' in spanish
    assert re.search(r'<a href="[^"]+">Perspectivas del gobierno federal</a>', spanish)
    assert f'<span class="track-label track-{bilingual.track.id}">Ciudades</span>' in spanish
    # Untranslated sessions fall back to English, marked as English.
    assert re.search(r'<a href="[^"]+" lang="en">Human rights impact assessment</a>', spanish)
    english = _page(client.get(url, headers=EN))
    assert "Perspectivas" not in english and "Federal Government Perspectives" in english
    assert not re.search(r'<a href="[^"]+" lang="en">', english)  # English content in an English page needs no mark


def test_the_agenda_validator_changes_with_a_translation(client, db, bilingual):
    url = f"/e/{bilingual.event.slug}/agenda/"
    first = client.get(url, headers=ES)
    assert client.get(url, headers={**EN, "If-None-Match": first.headers["ETag"]}).status_code == 200
    bilingual.panel.translations = {"es": {"title": "Perspectivas renovadas"}}
    db.session.commit()
    again = client.get(url, headers={**ES, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and "Perspectivas renovadas" in _page(again)


def test_the_session_page_in_spanish_falls_back_for_the_description(client, bilingual):
    page = _page(client.get(f"/e/{bilingual.event.slug}/agenda/sessions/{bilingual.panel.uid}", headers=ES))
    assert "<h1>Perspectivas del gobierno federal</h1>" in page
    assert '<div class="prose" lang="en"><p>Officials describe the federal role.</p>' in page
    assert ">Ciudades</span>" in page
