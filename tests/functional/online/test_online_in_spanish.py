"""Online attendance in Spanish (issue 13): an attendee whose registration speaks Spanish gets
the join section of a reminder and the recordings on their ticket page in Spanish, and the
organiser's follow-up page is Spanish for a Spanish browser. Needs the Spanish catalogue with
the online strings (/work/notes/es-online.json, merged by the lead)."""
from __future__ import annotations

from html import unescape

from confapp.online import follow_up
from confapp.registration.links import ticket_token
from tests.factories import make_registration

from .conftest import ACCESS_CODE

ES = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}


def test_the_reminder_and_the_ticket_page_speak_spanish(client, db, hybrid):
    attendee = make_registration(hybrid.event, hybrid.online, email="es@example.org", send_email=False)
    attendee.language = "es"
    follow_up.save_links(hybrid.event, follow_up.LinksData("https://video.example.org/r-es"), session=hybrid.soon,
                         actor=hybrid.organiser)
    db.session.commit()
    # A reminder's frame follows the version the reader gets (outreach/versions.py); the join
    # section is rendered inside it: here, as for a Spanish version.
    from confapp.i18n import in_language
    from confapp.online.emails import reminder_join_section
    from tests.support.clock import TEST_NOW

    with in_language("es"):
        text, html = reminder_join_section(hybrid.event, [attendee.id], TEST_NOW)[attendee.id]
    assert "Unirse en línea" in html
    assert "Unirse en línea" in text and "Su enlace personal para unirse" in text
    assert f"Código de acceso: {ACCESS_CODE}" in text and "aparecerá en su página de boleto" in text
    assert "Your personal join link" not in text and "will appear on your ticket page" not in text
    page = unescape(client.get(f"/e/{hybrid.event.slug}/ticket/{ticket_token(attendee)}", headers=ES).get_data(as_text=True))
    assert "Grabaciones y materiales" in page and "Grabación" in page and "Recordings and materials" not in page


def test_the_follow_up_page_is_spanish_for_a_spanish_browser(client, db, hybrid, login_as):
    follow_up.save_links(hybrid.event, follow_up.LinksData("https://video.example.org/r-es"), actor=hybrid.organiser)
    db.session.commit()
    login_as(hybrid.organiser)
    slug = hybrid.event.slug
    page = unescape(client.get(f"/manage/{slug}/online/follow-up", headers=ES).get_data(as_text=True))
    assert "Correo de seguimiento" in page and "Solo quienes asistieron, en persona o en línea" in page
    assert "Gracias por participar en {{ event_title }}" in page
    assert "Send the follow-up email" not in page and "Only those who attended" not in page
    join = unescape(client.get(f"/manage/{slug}/online/join/{hybrid.soon.id}", headers=ES).get_data(as_text=True))
    assert "Grabación y materiales" in join and "Quién ve estos enlaces" in join and "Who sees these links" not in join
