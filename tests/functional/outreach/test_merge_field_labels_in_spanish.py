"""The composer's list of merge fields names each question in the composer's content language
(issue 13): "Respuesta: Necesidades alimentarias" for a Spanish organiser of an English-and-
Spanish event, the English label for an English one, while the field's name (what the message
holds) stays the same; the list costs one query for the questions."""
from __future__ import annotations

from html import unescape

from confapp.extensions import db as database
from confapp.i18n import in_language
from confapp.outreach import merge
from tests.support.queries import count_queries


def _bilingual(people):
    people.event.languages = ["en", "es"]
    people.dietary.translations = {"es": {"label": "Necesidades alimentarias"}}
    database.session.commit()


def test_the_composer_names_the_questions_in_spanish_for_a_spanish_organiser(organiser, people):
    _bilingual(people)
    organiser.set_cookie("confapp_language", "es")
    page = unescape(organiser.get(f"/manage/{people.event.slug}/emails/new").get_data(as_text=True))
    assert "Respuesta: Necesidades alimentarias" in page and "Dietary needs" not in page
    reminders = unescape(organiser.get(f"/manage/{people.event.slug}/emails/reminders").get_data(as_text=True))
    assert "Respuesta: Necesidades alimentarias" in reminders


def test_the_field_labels_follow_the_language_and_keep_their_names(app, people):
    _bilingual(people)
    key = f"answers.q{people.dietary.id}"
    assert people.event.languages == ["en", "es"]  # loaded, as the composer's page has it
    with app.test_request_context():
        with in_language("es"):
            with count_queries(database.session.get_bind()) as queries:
                spanish = {f.name: f.label for f in merge.field_help(people.event)}
            assert spanish[key] == "Respuesta: Necesidades alimentarias"
            assert len(queries) == 1, list(queries)
        with in_language("en"):
            assert {f.name: f.label for f in merge.field_help(people.event)}[key] == "Answer: Dietary needs"
        people.event.languages = ["en"]  # Spanish dropped: its stale label is not used
        with in_language("es"):
            assert {f.name: f.label for f in merge.field_help(people.event)}[key] == "Respuesta: Dietary needs"
