"""The ticket's calendar file labels the open session's join link with the session's title in the
attendee's language (issue 13), as the rest of the file is: the Spanish title for an attendee who
reads Spanish at an English-and-Spanish event, the English one for an English reader."""
from __future__ import annotations

from icalendar import Calendar

from confapp.registration.links import ticket_token
from tests.factories import make_registration


def _label(client, hybrid, registration) -> str:
    answer = client.get(f"/e/{hybrid.event.slug}/ticket/{ticket_token(registration)}/event.ics")
    assert answer.status_code == 200
    (whole,) = Calendar.from_ical(answer.get_data()).walk("VEVENT")
    found = whole.get("conference", [])
    return (found if isinstance(found, list) else [found])[0].params["LABEL"]


def test_the_join_links_label_is_the_sessions_title_in_the_attendees_language(client, db, hybrid):
    hybrid.event.languages = ["en", "es"]
    hybrid.soon.translations = {"es": {"title": "Asamblea de apertura"}}
    spanish = make_registration(hybrid.event, hybrid.online, send_email=False, language="es")
    english = make_registration(hybrid.event, hybrid.online, send_email=False, language="en")
    db.session.commit()
    assert _label(client, hybrid, spanish) == "Asamblea de apertura"
    assert _label(client, hybrid, english) == "Opening town hall"
