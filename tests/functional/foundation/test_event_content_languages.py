"""An event's own content in several languages (issue 13): organisers choose the languages and
the default on the event's form and write the title, subtitle, description and venue notes in
each; visitors see their language when the event has it, else the default, silently; organisers
see what is not yet translated; the cached public page varies by language."""
from __future__ import annotations

import re
from html import unescape

from confapp.events.models import Event
from tests.factories import make_event, make_user

SPANISH = {"Accept-Language": "es"}
ENGLISH = {"Accept-Language": "en"}
FORM = {"title": "Human Rights Cities Summit", "subtitle": "Rights at home", "description": "We meet in Chicago.",
        "venue_accessibility": "Step-free entrance on Main Street.", "timezone": "America/Chicago",
        "starts_at": "2026-12-14T09:00", "ends_at": "2026-12-15T17:00", "series_id": "0", "default_language": "en"}


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def _bilingual(**overrides):
    fields = dict(title="Human Rights Cities Summit", subtitle="Rights at home", description="We meet in Chicago.",
                  venue_accessibility="Step-free entrance on Main Street.", languages=("en", "es"),
                  translations={"es": {"title": "Cumbre de Ciudades de Derechos Humanos",
                                       "subtitle": "Derechos en casa"}})
    fields.update(overrides)
    return make_event(**fields)


def test_organiser_adds_spanish_and_the_form_offers_a_fieldset_for_it(client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser)
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/edit", data=dict(FORM, languages="es"))
    assert response.status_code == 302
    db.session.expire_all()
    assert event.languages == ["en", "es"] and event.default_language == "en"
    page = _page(client.get(f"/manage/{event.slug}/edit"))
    # One fieldset per language with a legend; each input labelled and marked with its language.
    assert "<legend>In Spanish</legend>" in page
    assert re.search(r'<label for="title__es">Title \(Spanish\)</label>', page)
    assert re.search(r'<input[^>]*id="title__es"[^>]*lang="es"|<input[^>]*lang="es"[^>]*id="title__es"', page)
    assert re.search(r'<input[^>]*id="title"[^>]*lang="en"|<input[^>]*lang="en"[^>]*id="title"', page)
    assert page.count("Not yet translated into Spanish.") == 4  # title, subtitle, description, venue notes


def test_organiser_saves_spanish_texts_and_only_the_missing_ones_are_flagged(client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser, languages=("es",))
    login_as(organiser)
    client.post(f"/manage/{event.slug}/edit", data=dict(
        FORM, languages="es", title__es="Cumbre de Ciudades de Derechos Humanos", description__es="Nos reunimos en Chicago."))
    db.session.expire_all()
    assert event.title == "Human Rights Cities Summit"  # the column keeps the default language's text
    assert event.translations == {"es": {"title": "Cumbre de Ciudades de Derechos Humanos",
                                         "description": "Nos reunimos en Chicago."}}
    page = _page(client.get(f"/manage/{event.slug}/edit"))
    assert 'value="Cumbre de Ciudades de Derechos Humanos"' in page
    assert page.count("Not yet translated into Spanish.") == 2  # subtitle and venue notes


def test_spanish_visitor_sees_the_spanish_content_and_english_visitor_the_english(client, db):
    event = _bilingual()
    spanish = _page(client.get(f"/e/{event.slug}/", headers=SPANISH))
    assert '<html lang="es">' in spanish
    assert "<h1>Cumbre de Ciudades de Derechos Humanos</h1>" in spanish
    assert '<p class="lead">Derechos en casa</p>' in spanish
    english = _page(client.get(f"/e/{event.slug}/", headers=ENGLISH))
    assert "<h1>Human Rights Cities Summit</h1>" in english and "Cumbre" not in english


def test_a_missing_translation_falls_back_silently_and_is_marked_english(client, db):
    event = _bilingual()
    page = _page(client.get(f"/e/{event.slug}/", headers=SPANISH))
    assert '<div class="prose" lang="en"><p>We meet in Chicago.</p>' in page
    assert '<dd lang="en">Step-free entrance on Main Street.</dd>' in page
    assert "translated" not in page.lower()


def test_an_event_without_the_visitors_language_shows_its_default_marked_with_its_language(client, db):
    event = make_event(title="Housing Justice Forum", translations={"es": {"title": "Foro (stale)"}}, languages=("en",))
    page = _page(client.get(f"/e/{event.slug}/", headers=SPANISH))
    assert '<html lang="es">' in page  # the interface speaks the visitor's language
    assert '<h1 lang="en">Housing Justice Forum</h1>' in page  # the content is English, and says so
    assert "Foro" not in page


def test_the_event_list_shows_each_event_in_the_visitors_language(client, db):
    _bilingual()
    page = _page(client.get("/", headers=SPANISH))
    assert ">Cumbre de Ciudades de Derechos Humanos</a>" in page


def test_the_events_default_language_is_the_last_choice_of_interface_language(client, db):
    event = _bilingual(default_language="es", title="Cumbre de Ciudades de Derechos Humanos", subtitle="",
                       description="", venue_accessibility="", translations={"en": {"title": "Human Rights Cities Summit"}})
    assert '<html lang="es">' in _page(client.get(f"/e/{event.slug}/"))  # no Accept-Language, no cookie
    assert '<html lang="en">' in _page(client.get(f"/e/{event.slug}/", headers=ENGLISH))
    other = make_event()
    assert '<html lang="en">' in _page(client.get(f"/e/{other.slug}/"))


def test_the_cached_page_varies_by_language_and_a_change_shows_at_once(client, db, login_as):
    organiser = make_user()
    event = _bilingual(organiser=organiser)
    spanish, english = client.get(f"/e/{event.slug}/", headers=SPANISH), client.get(f"/e/{event.slug}/", headers=ENGLISH)
    assert spanish.headers["ETag"] != english.headers["ETag"]
    assert "Accept-Language" in spanish.headers["Vary"]
    # The Spanish tag does not answer 304 for English, and vice versa.
    assert client.get(f"/e/{event.slug}/", headers={**ENGLISH, "If-None-Match": spanish.headers["ETag"]}).status_code == 200
    assert client.get(f"/e/{event.slug}/", headers={**SPANISH, "If-None-Match": spanish.headers["ETag"]}).status_code == 304
    login_as(organiser)
    client.post(f"/manage/{event.slug}/edit", data=dict(FORM, languages="es", title__es="Cumbre renovada"))
    client.post("/account/logout")
    again = client.get(f"/e/{event.slug}/", headers={**SPANISH, "If-None-Match": spanish.headers["ETag"]})
    assert again.status_code == 200 and "<h1>Cumbre renovada</h1>" in _page(again)


def test_changing_the_default_language_moves_the_texts(client, db, login_as):
    organiser = make_user()
    event = _bilingual(organiser=organiser)
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/edit", data=dict(
        FORM, default_language="es", languages="en", title__es="Cumbre de Ciudades de Derechos Humanos",
        subtitle__es="Derechos en casa"))
    assert response.status_code == 302
    db.session.expire_all()
    assert event.default_language == "es" and event.languages == ["es", "en"]
    assert event.title == "Cumbre de Ciudades de Derechos Humanos" and event.subtitle == "Derechos en casa"
    assert event.translations["en"]["title"] == "Human Rights Cities Summit"
    # The untranslated description stays where every visitor reads it.
    assert event.description == "We meet in Chicago." and "description" not in event.translations.get("en", {})
    page = _page(client.get(f"/manage/{event.slug}/edit", headers=ENGLISH))
    assert "<legend>In English</legend>" in page and 'value="Human Rights Cities Summit"' in page


def test_an_unknown_language_is_refused(client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser)
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/edit", data=dict(FORM, default_language="xx"))
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Event, event.id).default_language == "en"


def test_a_new_edition_keeps_the_languages_and_translations_but_not_the_old_title(db):
    from confapp.events.services import copy_event
    from tests.factories import make_admin

    event = _bilingual(translations={"es": {"title": "Cumbre 2026", "subtitle": "Derechos en casa"}})
    copy = copy_event(event, title="Summit 2027", starts_at=event.starts_at.replace(year=2027), actor=make_admin())
    assert copy.languages == ["en", "es"] and copy.translations == {"es": {"subtitle": "Derechos en casa"}}


def test_the_overview_names_the_languages_and_what_is_not_yet_translated(client, db, login_as):
    organiser = make_user()
    event = _bilingual(organiser=organiser)
    login_as(organiser)
    page = _page(client.get(f"/manage/{event.slug}/", headers=ENGLISH))
    assert "<dd>English (default), Spanish" in page
    assert "Not yet translated into Spanish" in page  # description and venue notes
    event.translations = {"es": {"title": "Cumbre", "subtitle": "Derechos", "description": "Nos reunimos.",
                                 "venue_accessibility": "Entrada sin escalones."}}
    db.session.commit()
    assert "Not yet translated" not in _page(client.get(f"/manage/{event.slug}/", headers=ENGLISH))
