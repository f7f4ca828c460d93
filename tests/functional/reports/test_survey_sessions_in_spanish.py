"""The survey lists the sessions to rate by their titles in the participant's language (issue 13):
a participant who reads Spanish at an English-and-Spanish event rates "Plenaria de apertura", one
who reads English "Opening plenary"; an event without Spanish keeps its own titles."""
from __future__ import annotations

from html import unescape

import pytest

from confapp.i18n import LANGUAGE_COOKIE
from confapp.reports import feedback
from tests.reports_data import ended_two_days_ago, known_world


@pytest.fixture
def world(db):
    _organiser, event, builder = known_world(**ended_two_days_ago())
    event.languages = ["en", "es"]
    builder.sessions["plenary"].translations = {"es": {"title": "Plenaria de apertura"}}
    db.session.commit()
    alice = next(r for r in builder.registrations if r.email == "alice@example.org")
    return event, alice


def _survey(client, event, registration, language: str) -> str:
    client.set_cookie(LANGUAGE_COOKIE, language)
    page = client.get(f"/e/{event.slug}/survey/{feedback.survey_token(registration)}")
    assert page.status_code == 200
    return unescape(page.get_data(as_text=True))


def test_the_survey_names_the_sessions_in_the_participants_language(client, db, world):
    event, alice = world
    spanish = _survey(client, event, alice, "es")
    assert "Plenaria de apertura" in spanish and "Opening plenary" not in spanish
    assert "Opening plenary" in _survey(client, event, alice, "en")


def test_an_event_without_spanish_keeps_its_session_titles(client, db, world):
    event, alice = world
    event.languages = ["en"]
    db.session.commit()
    assert "Opening plenary" in _survey(client, event, alice, "es")
