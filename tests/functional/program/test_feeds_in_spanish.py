"""Calendar feeds and the personal agenda's flashes word the sessions in the reader's content
language (issue 13), as the event feed's name already is: a Spanish reader of an English-and-
Spanish event gets the sessions' Spanish titles, descriptions and track names; an English reader
(or a calendar app, which sends no language) the English ones."""
from __future__ import annotations

from html import unescape

from icalendar import Calendar

from confapp.i18n import LANGUAGE_COOKIE
from confapp.program.tokens import attendee_token

ES = {"Accept-Language": "es-MX,es;q=0.9"}


def _bilingual(db, programme):
    programme.event.languages = ["en", "es"]
    programme.event.translations = {"es": {"title": "Encuentro en español"}}
    programme.panel.description = "A panel."
    programme.panel.translations = {"es": {"title": "Perspectivas del gobierno federal", "description": "Un panel."}}
    programme.track.translations = {"es": {"name": "Ciudades"}}
    db.session.commit()


def _feed(client, url, headers=None):
    response = client.get(url, headers=headers or {})
    assert response.status_code == 200
    return Calendar.from_ical(response.data)


def test_a_spanish_reader_gets_the_sessions_in_spanish_in_the_feeds(client, db, programme):
    _bilingual(db, programme)
    one = _feed(client, f"/e/{programme.event.slug}/agenda/sessions/{programme.panel.uid}.ics", ES)
    assert str(one["X-WR-CALNAME"]) == "Perspectivas del gobierno federal"
    [panel] = one.walk("VEVENT")
    assert str(panel["SUMMARY"]) == "Perspectivas del gobierno federal"
    assert "Un panel." in str(panel["DESCRIPTION"]) and "A panel." not in str(panel["DESCRIPTION"])
    assert "Ciudades" in panel["CATEGORIES"].to_ical().decode()

    every = _feed(client, f"/e/{programme.event.slug}/agenda.ics", ES)
    assert "Perspectivas del gobierno federal" in {str(e["SUMMARY"]) for e in every.walk("VEVENT")}

    english = _feed(client, f"/e/{programme.event.slug}/agenda/sessions/{programme.panel.uid}.ics")
    [panel] = english.walk("VEVENT")
    assert str(panel["SUMMARY"]) == "Federal Government Perspectives" and "A panel." in str(panel["DESCRIPTION"])


def test_an_event_without_spanish_keeps_its_session_titles(client, db, programme):
    _bilingual(db, programme)
    programme.event.languages = ["en"]
    db.session.commit()
    one = _feed(client, f"/e/{programme.event.slug}/agenda/sessions/{programme.panel.uid}.ics", ES)
    assert str(one.walk("VEVENT")[0]["SUMMARY"]) == "Federal Government Perspectives"


def test_starring_a_session_confirms_it_with_its_spanish_title(client, db, programme):
    _bilingual(db, programme)
    client.set_cookie(LANGUAGE_COOKIE, "es")
    agenda = f"/e/{programme.event.slug}/my-agenda/{attendee_token(programme.registration)}"
    page = client.post(f"{agenda}/sessions/{programme.panel.uid}", data={"action": "star"}, follow_redirects=True)
    text = unescape(page.get_data(as_text=True))
    assert "(Perspectivas del gobierno federal)" in text and "(Federal Government Perspectives)" not in text
