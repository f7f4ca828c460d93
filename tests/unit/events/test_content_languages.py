"""The content-language helpers on plain objects: which language a page shows, fallback, what
is missing, saving and moving translations when the default language changes."""
from __future__ import annotations

from types import SimpleNamespace

from confapp.events.content_languages import (
    content_language, event_languages, localized, missing_languages, set_translations, swap_default,
)


def _event(**fields):
    base = dict(languages=["en", "es"], default_language="en", title="Summit", description="",
                translations={"es": {"title": "Cumbre"}})
    base.update(fields)
    return SimpleNamespace(**base)


def test_the_page_shows_the_visitors_language_if_the_event_has_it_else_its_default():
    assert content_language(_event(), "es") == "es"
    assert content_language(_event(languages=["en"]), "es") == "en"
    assert content_language(_event(default_language="es", languages=["es"]), "en") == "es"


def test_the_default_language_comes_first_whatever_the_stored_order():
    assert event_languages(_event(languages=["es", "en"])) == ["en", "es"]
    assert event_languages(_event(languages=None)) == ["en"]
    assert event_languages(_event(default_language="xx", languages=["es"])) == ["en", "es"]


def test_localized_falls_back_to_the_column_and_says_which_language_it_is():
    event = _event()
    spanish = localized(event, "title", "es", "en")
    assert spanish == "Cumbre" and spanish.lang == "es"
    fallback = localized(_event(translations={}), "title", "es", "en")
    assert fallback == "Summit" and fallback.lang == "en"


def test_missing_languages_ignores_empty_texts_and_checks_every_option():
    event = _event()
    assert missing_languages(event, "title", event) == []
    assert missing_languages(event, "description", event) == []  # nothing to translate
    assert missing_languages(_event(translations={}), "title", event) == ["es"]
    question = SimpleNamespace(options=["Yes", "No"], translations={"es": {"options": ["Sí", ""]}})
    assert missing_languages(question, "options", event) == ["es"]
    question.translations = {"es": {"options": ["Sí", "No"]}}
    assert missing_languages(question, "options", event) == []


def test_set_translations_keeps_other_fields_and_drops_empty_texts():
    row = SimpleNamespace(translations={"es": {"title": "Viejo", "name": "Otro"}})
    assert set_translations(row, {"es": {"title": "", "description": "Nuevo"}}, ("title", "description"))
    assert row.translations == {"es": {"name": "Otro", "description": "Nuevo"}}
    assert not set_translations(row, {"es": {"description": "Nuevo"}}, ("title", "description"))


def test_swapping_the_default_moves_translated_texts_and_keeps_untranslated_ones():
    row = SimpleNamespace(title="Summit", description="English only", translations={"es": {"title": "Cumbre"}})
    swap_default(row, ("title", "description"), "en", "es")
    assert row.title == "Cumbre" and row.description == "English only"
    assert row.translations == {"en": {"title": "Summit"}}
