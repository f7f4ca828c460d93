"""The organiser's CSV export words the event's own content in the organiser's content language
(issue 13), as its headings already follow the interface: a Spanish organiser of an English-and-
Spanish event reads the questions' Spanish labels as column headings and the categories' Spanish
names; an English organiser reads the English ones; an event without Spanish keeps its own."""
from __future__ import annotations

import csv
import io

from tests.factories import make_registration


def _export(client, event, language: str) -> list[list[str]]:
    client.set_cookie("confapp_language", language)
    response = client.get(f"/manage/{event.slug}/registrations/export.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _bilingual(db, event, free, questions, languages=("en", "es")):
    event.languages = list(languages)
    free.translations = {"es": {"name": "Miembro de la comunidad"}}
    questions[2].translations = {"es": {"label": "Organización"}}
    make_registration(event, free, answers={questions[0].id: "No", questions[2].id: "NESRI"})
    db.session.commit()


def test_a_spanish_organiser_exports_the_spanish_labels_and_names(client, db, organiser, event, free, questions, login_as):
    _bilingual(db, event, free, questions)
    login_as(organiser)
    heading, row = _export(client, event, "es")
    assert heading[-1] == "Organización" and "Organisation" not in heading
    assert "Miembro de la comunidad" in row and "Community member" not in row

    heading, row = _export(client, event, "en")
    assert heading[-1] == "Organisation" and "Community member" in row


def test_an_event_without_spanish_exports_its_own_words(client, db, organiser, event, free, questions, login_as):
    _bilingual(db, event, free, questions, languages=("en",))
    login_as(organiser)
    heading, row = _export(client, event, "es")
    assert heading[-1] == "Organisation" and "Community member" in row
