"""A staff invitation names the event in the reader's language (issue 13): the email's subject
and body, the invitation page and the flash after accepting show the Spanish title to a Spanish
reader of an English-and-Spanish event, the English one to an English reader, and the default
title when the event does not offer the reader's language."""
from __future__ import annotations

import re
from html import unescape

from tests.conftest import login
from tests.factories import make_event, make_user

ES = {"Accept-Language": "es-MX,es;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


def _bilingual(db, organiser, languages=("en", "es")):
    event = make_event(organiser=organiser, title="Global Justice Goes Local")
    event.languages = list(languages)
    event.translations = {"es": {"title": "La justicia global se hace local"}}
    db.session.commit()
    return event


def _invite(client, event, email, headers):
    response = client.post(f"/manage/{event.slug}/team", data={"email": email, "role": "checkin_staff"}, headers=headers)
    assert response.status_code == 302


def test_a_spanish_reader_gets_the_invitation_and_the_welcome_with_the_spanish_title(client, db, mail):
    organiser = make_user()
    event = _bilingual(db, organiser)
    login(client, organiser)
    _invite(client, event, "colega@example.org", ES)
    [message] = mail.wait_for(1)
    assert message.subject == "Le invitan a colaborar en la organización de La justicia global se hace local"
    assert "La justicia global se hace local" in message.text and "Global Justice" not in message.text
    assert "La justicia global se hace local" in unescape(message.html)
    path = re.search(r"https?://[^/\s]+(/account/invitations/\S+)", message.text).group(1)

    client.post("/account/logout")
    login(client, make_user(email="colega@example.org"))
    page = unescape(client.get(path, headers=ES).get_data(as_text=True))
    assert "Únase al equipo de La justicia global se hace local" in page
    welcome = unescape(client.post(path, headers=ES, follow_redirects=True).get_data(as_text=True))
    assert "de La justicia global se hace local." in welcome


def test_an_english_reader_gets_the_english_title(client, db, mail):
    organiser = make_user()
    event = _bilingual(db, organiser)
    login(client, organiser)
    _invite(client, event, "colleague@example.org", EN)
    [message] = mail.wait_for(1)
    assert message.subject == "You are invited to help run Global Justice Goes Local"
    path = re.search(r"https?://[^/\s]+(/account/invitations/\S+)", message.text).group(1)

    client.post("/account/logout")
    login(client, make_user(email="colleague@example.org"))
    assert "Join the team for Global Justice Goes Local" in unescape(client.get(path, headers=EN).get_data(as_text=True))
    welcome = unescape(client.post(path, headers=EN, follow_redirects=True).get_data(as_text=True))
    assert "for Global Justice Goes Local." in welcome


def test_an_event_without_spanish_keeps_its_title_for_a_spanish_reader(client, db, mail):
    organiser = make_user()
    event = _bilingual(db, organiser, languages=("en",))  # a stale Spanish title stays unused
    login(client, organiser)
    _invite(client, event, "colega@example.org", ES)
    [message] = mail.wait_for(1)
    assert message.subject == "Le invitan a colaborar en la organización de Global Justice Goes Local"


def test_a_colleague_whose_account_reads_spanish_gets_the_invitation_in_spanish(client, db, mail):
    """The invitee's account chose Spanish: the email is theirs to read, whatever the organiser reads."""
    from confapp.accounts.services import set_preferred_language

    organiser = make_user()
    event = _bilingual(db, organiser)
    set_preferred_language(make_user(email="colega@example.org"), "es")
    db.session.commit()
    login(client, organiser)
    _invite(client, event, "Colega@example.org", EN)
    [message] = mail.wait_for(1)
    assert message.subject == "Le invitan a colaborar en la organización de La justicia global se hace local"
    assert message.text.startswith("Hola")
