"""A message's audience in words (issue 13): saved with the names its segment refers to in each
of the event's languages, so the history, the message page and the API describe it in the
reader's language, whoever saved it and in whatever language, and with the names as they were
when it was saved."""
from __future__ import annotations

from html import unescape

from confapp.outreach import audience
from confapp.outreach.models import Message, MessageStatus
from confapp.outreach.services import MessageDraft, create_message
from tests.conftest import TEST_NOW


def _message(db, people):
    event = people.event
    event.languages = ["en", "es"]
    people.student.translations = {"es": {"name": "Estudiante"}}
    db.session.commit()
    segment = {"and": [{"category": [people.student.id]}, {"not": {"checked_in": True}}]}
    message = create_message(event, MessageDraft("Welcome", "Hello {{ first_name }}", segment),
                             actor=people.organiser, now=TEST_NOW)
    db.session.commit()
    return message


def test_the_saved_names_describe_the_audience_in_each_language(app, db, people):
    from flask_babel import force_locale

    message = _message(db, people)
    assert message.segment_names == {"category": {str(people.student.id): {"en": "Student", "es": "Estudiante"}}}
    with app.test_request_context():
        with force_locale("es"):
            assert audience.label_of(message, people.event) == "(Categoría: Estudiante AND NOT Entrada registrada)"
        with force_locale("en"):
            assert audience.label_of(message, people.event) == "(Category: Student AND NOT Checked in)"


def test_the_history_and_a_sent_message_speak_the_readers_language(db, people, organiser):
    message = _message(db, people)
    # Sent (the send path is tested elsewhere): its page shows the saved audience, not a live one.
    message.status = MessageStatus.SENT
    people.student.name, people.student.translations = "Learner", {"es": {"name": "Aprendiz"}}
    db.session.commit()
    slug = people.event.slug
    for url in (f"/manage/{slug}/emails/", f"/manage/{slug}/emails/{message.id}"):
        organiser.set_cookie("confapp_language", "es")
        spanish = unescape(organiser.get(url).get_data(as_text=True))
        assert "Categoría: Estudiante" in spanish and "Category: Student" not in spanish, url
        assert "Aprendiz" not in spanish, url  # the names as they were when it was saved
        organiser.set_cookie("confapp_language", "en")
        english = unescape(organiser.get(url).get_data(as_text=True))
        assert "Category: Student" in english and "Estudiante" not in english, url


def test_a_message_saved_before_the_names_were_kept_shows_its_label(db, people, organiser):
    message = _message(db, people)
    message.segment_names, message.segment_label = None, "Category: Student (saved long ago)"
    message.status = MessageStatus.SENT
    db.session.commit()
    organiser.set_cookie("confapp_language", "es")
    page = unescape(organiser.get(f"/manage/{people.event.slug}/emails/").get_data(as_text=True))
    assert "Category: Student (saved long ago)" in page
    assert db.session.get(Message, message.id).segment_names is None


def test_the_api_describes_the_audience_in_the_requests_language(client, db, people):
    from tests.functional.api.conftest import bearer, make_token

    message = _message(db, people)
    _, secret = make_token(people.event, people.organiser, scopes=["outreach:read"])
    db.session.commit()
    url = f"/api/v1/events/{people.event.slug}/messages/{message.id}"
    spanish = client.get(url, headers={**bearer(secret), "Accept-Language": "es"}).json
    assert spanish["segment_label"] == "(Categoría: Estudiante AND NOT Entrada registrada)"
    english = client.get(url, headers=bearer(secret)).json
    assert english["segment_label"] == "(Category: Student AND NOT Checked in)"


def test_the_composer_offers_the_events_names_in_the_pages_language(db, people, organiser):
    event = people.event
    event.languages = ["en", "es"]
    people.student.translations = {"es": {"name": "Estudiante"}}
    people.interpretation.translations = {"es": {"label": "Idioma de interpretación"}}
    db.session.commit()
    organiser.set_cookie("confapp_language", "es")
    page = unescape(organiser.get(f"/manage/{event.slug}/emails/new").get_data(as_text=True))
    assert f'value="category:{people.student.id}">Estudiante</option>' in page
    assert f'value="answer:{people.interpretation.id}">Idioma de interpretación</option>' in page
    assert ">Student</option>" not in page
    organiser.set_cookie("confapp_language", "en")
    page = unescape(organiser.get(f"/manage/{event.slug}/emails/new").get_data(as_text=True))
    assert f'value="category:{people.student.id}">Student</option>' in page
