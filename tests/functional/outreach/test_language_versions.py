"""One version of an announcement per event language: the composer's fieldset per language, the
recipients counted by the language they read, the preview of each version, the refusal to send
while a recipient's language has no version (unless the organiser chose the fallback), and each
person receiving their own language's version through real SMTP."""
from sqlalchemy import select

from confapp.extensions import db as database
from confapp.outreach.models import Delivery, Message, MessageStatus

SPANISH = {"subject__es": "Interpretación para {{ first_name }}", "body__es": "Hola {{ first_name }}, nos vemos pronto."}


def _bilingual(people):
    """The event in English and Spanish; Ana booked in Spanish, Cai chose Spanish on her ticket page."""
    people.event.languages = ["en", "es"]
    people.event.default_language = "en"
    people.registrations["ana"].order.language = "es"
    people.registrations["cai"].language = "es"
    database.session.commit()


def _compose(client, slug, **fields):
    data = {"subject": "Interpretation for {{ first_name }}", "body": "Hello {{ first_name }}, see you soon.",
            "match": "all", "action": "save", "cond-0-choice": "status:confirmed", **fields}
    return client.post(f"/manage/{slug}/emails/new", data=data)


def test_the_composer_has_a_version_per_language_and_counts_who_reads_which(client, people, login_as):
    _bilingual(people)
    login_as(people.organiser)
    page = client.get(f"/manage/{people.event.slug}/emails/new").get_data(as_text=True)
    assert "Version in Spanish" in page and 'name="subject__es"' in page and 'lang="es"' in page
    assert "Recipients by language" in page
    assert "Spanish: 2 people" in page  # Ana and Cai, among everyone connected to the event
    half = _compose(client, people.event.slug, **{"subject__es": "Solo el asunto"})
    assert half.status_code == 200
    assert "Write the Spanish message, or leave its subject empty too." in half.get_data(as_text=True)
    assert database.session.scalar(select(Message.id)) is None
    unknown = _compose(client, people.event.slug, **{"subject__es": "Hola {{ apodo }}", "body__es": "Texto"})
    assert "Unknown merge field: apodo." in unknown.get_data(as_text=True)


def test_a_missing_version_stops_the_send_until_written_and_each_reader_gets_their_own(client, people, login_as, mail):
    _bilingual(people)
    login_as(people.organiser)
    slug = people.event.slug
    assert _compose(client, slug).status_code == 302
    message = database.session.scalars(select(Message)).one()
    page = client.get(f"/manage/{slug}/emails/{message.id}").get_data(as_text=True)
    assert "no version yet: the email will not be sent until there is one" in page
    refused = client.post(f"/manage/{slug}/emails/{message.id}/send", follow_redirects=True).get_data(as_text=True)
    assert ("2 people read Spanish, and this email has no version in it. Write one, or choose to send them the "
            "English version.") in refused
    database.session.refresh(message)
    assert message.status == MessageStatus.DRAFT and database.session.scalar(select(Delivery.id)) is None

    edit = client.post(f"/manage/{slug}/emails/{message.id}/edit", data={
        "subject": "Interpretation for {{ first_name }}", "body": "Hello {{ first_name }}, see you soon.", "match": "all",
        "action": "save", "cond-0-choice": "status:confirmed", **SPANISH})
    assert edit.status_code == 302
    preview = client.get(f"/manage/{slug}/emails/{message.id}/preview?language=es").get_data(as_text=True)
    assert "Interpretación para Ana" in preview and "The Spanish version." in preview
    as_ben = client.get(f"/manage/{slug}/emails/{message.id}/preview?address=ben@example.org").get_data(as_text=True)
    assert "Interpretation for Ben" in as_ben
    assert client.post(f"/manage/{slug}/emails/{message.id}/send").status_code == 302
    received = {m.envelope_to[0].split("@")[0]: m for m in mail.wait_for(5)}
    assert sorted(received) == ["ana", "ben", "cai", "gus", "hal"]
    for name in ("ana", "cai"):
        assert received[name].subject == f"Interpretación para {name.title()}"
        assert f"Hola {name.title()}, nos vemos pronto." in received[name].text
        assert "Recibe este correo como participante de" in received[name].text
    for name in ("ben", "gus", "hal"):
        assert received[name].subject == f"Interpretation for {name.title()}"
        assert "You receive this as a participant of" in received[name].text
    languages = dict(database.session.execute(select(Delivery.address, Delivery.language)).all())
    assert languages["ana@example.org"] == "es" and languages["ben@example.org"] == "en"


def test_the_organiser_may_send_the_default_version_to_readers_without_their_own(client, people, login_as, mail):
    _bilingual(people)
    login_as(people.organiser)
    slug = people.event.slug
    assert _compose(client, slug, untranslated_fallback="y").status_code == 302
    message = database.session.scalars(select(Message)).one()
    page = client.get(f"/manage/{slug}/emails/{message.id}").get_data(as_text=True)
    assert "no version yet: they get the English one" in page
    assert client.post(f"/manage/{slug}/emails/{message.id}/send").status_code == 302
    received = {m.envelope_to[0].split("@")[0]: m for m in mail.wait_for(5)}
    assert received["ana"].subject == "Interpretation for Ana"


def test_an_event_in_one_language_sends_as_before(client, people, login_as, mail):
    """Someone who registered in Spanish for an English-only event reads the event's language."""
    people.registrations["ana"].order.language = "es"
    database.session.commit()
    login_as(people.organiser)
    slug = people.event.slug
    page = client.get(f"/manage/{slug}/emails/new").get_data(as_text=True)
    assert "Version in" not in page and "Recipients by language" not in page
    assert _compose(client, slug).status_code == 302
    message = database.session.scalars(select(Message)).one()
    assert client.post(f"/manage/{slug}/emails/{message.id}/send").status_code == 302
    received = {m.envelope_to[0].split("@")[0]: m for m in mail.wait_for(5)}
    assert received["ana"].subject == "Interpretation for Ana"
