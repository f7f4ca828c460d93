"""A choice answer in a message's merge fields is worded as the reader's language words the
question's options (issue 13): Ana answered "Spanish" (the stored, default-language option), and a
reader of the Spanish version reads "Español"; the English version, and an event that dropped
Spanish, keep the stored words."""
from __future__ import annotations

import pytest

from confapp.events.content_languages import content_of
from confapp.i18n import in_language
from confapp.outreach import merge, segments
from tests.support.outreach import build_people


@pytest.fixture
def people(db):
    people = build_people()
    people.event.languages = ["en", "es"]
    people.interpretation.translations = {"es": {"options": ["Español", "Francés"]}}
    db.session.flush()
    return people


def _answer(people, language: str) -> str:
    recipient = next(r for r in segments.resolve(people.event.id, None) if r.address == "ana@example.org")
    with in_language(language), content_of(people.event):
        return merge.recipient_contexts(people.event, [recipient])["ana@example.org"]["answers"]["interpretation"]


def test_a_choice_answer_reads_in_the_readers_language(app, people):
    with app.test_request_context():
        assert _answer(people, "es") == "Español"
        assert _answer(people, "en") == "Spanish"
        people.event.languages = ["en"]
        assert _answer(people, "es") == "Spanish"


def test_the_placeholders_of_a_preview_with_nobody_to_show_read_in_the_versions_language(app, people):
    # What the composer's preview shows for a version no recipient reads yet (and validation renders).
    people.interpretation.translations = {"es": {"label": "Interpretación", "options": ["Español", "Francés"]}}
    with app.test_request_context():
        with in_language("es"):
            spanish = merge.sample_context(people.event)
        with in_language("en"):
            english = merge.sample_context(people.event)
    assert spanish["answers"]["interpretation"] == "[Interpretación]"
    assert english["answers"]["interpretation"] == f"[{people.interpretation.label}]"
    assert spanish["first_name"] != english["first_name"] and spanish["first_name"].startswith("[")
