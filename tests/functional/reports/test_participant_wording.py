"""Organisers write the certificate's wording and the survey's texts in the event's languages
(issue 13): each participant's certificate (PDF), survey page and survey invitation use their
own language; a missing translation falls back to the default language (visibly to the
organiser, silently to the participant); empty texts keep the catalogue's wording; the
certificate's merge fields are checked."""
from __future__ import annotations

import io
from datetime import timedelta
from html import unescape

import pytest
from pypdf import PdfReader

from confapp.registration import links
from confapp.registration import services as registration_services
from confapp.reports import certificates, feedback, services
from confapp.reports.wording import wording_for
from confapp.types import utcnow
from tests.factories import make_event, make_user
from tests.reports_data import check_in_known, known_event

EN = {"Accept-Language": "en"}

ENGLISH = {
    "certificate_text": "{{ full_name }} has taken part in {{ event_title }} ({{ event_dates }}), {{ attendance_mode }}.",
    "survey_intro": "Your words shape next year's Institute.",
    "survey_overall": "How useful was the Institute for your work?",
    "survey_comment": "What should we change next year?",
}
SPANISH = {
    "certificate_text__es": "{{ full_name }} participó en {{ event_title }} ({{ event_dates }}), {{ attendance_mode }}.",
    "survey_intro__es": "Sus palabras dan forma al Instituto del próximo año.",
    "survey_overall__es": "¿Qué tan útil fue el Instituto para su trabajo?",
    "survey_comment__es": "¿Qué deberíamos cambiar el próximo año?",
}


@pytest.fixture
def world(db):
    organiser = make_user()
    start = utcnow() - timedelta(days=2)
    event = make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=30), title="Rights Institute",
                       languages=("en", "es"), translations={"es": {"title": "Instituto de Derechos"}})
    builder = known_event(event)
    check_in_known(builder, organiser)
    people = {r.email: r for r in builder.registrations if r.status == "confirmed" and r.email}
    registration_services.set_language(people["alice@example.org"], "es", now=utcnow())
    db.session.commit()
    return event, organiser, people


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _pdf_text(client, event, registration) -> str:
    certificates.issue_certificate(registration, actor=None, now=utcnow())
    client.application.extensions["sqlalchemy"].session.commit()
    pdf = client.get(f"/e/{event.slug}/ticket/{links.ticket_token(registration)}/certificate.pdf")
    assert pdf.status_code == 200
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.data)).pages)


def _survey(client, event, registration, headers=None) -> str:
    page = client.get(f"/e/{event.slug}/survey/{feedback.survey_token(registration)}", headers=headers or {})
    assert page.status_code == 200
    return _text(page)


def test_organiser_writes_english_and_spanish_and_each_participant_gets_their_own(client, world, mail, login_as):
    event, organiser, people = world
    alice, carol = people["alice@example.org"], people["carol@example.org"]  # Spanish, English
    login_as(organiser)
    url = f"/manage/{event.slug}/feedback/wording"
    form = _text(client.get(url, headers=EN))
    assert "<legend>In Spanish</legend>" in form and 'id="certificate_text__es"' in form and "{{ full_name }}" in form
    saved = client.post(url, headers=EN, data={**ENGLISH, **SPANISH}, follow_redirects=True)
    assert saved.status_code == 200 and "Wording saved." in _text(saved)
    assert "Not yet translated into Spanish" not in _text(client.get(url, headers=EN))
    client.post("/account/logout")

    spanish, english = _pdf_text(client, event, alice), _pdf_text(client, event, carol)
    assert "Alice Adeyemi participó en Instituto de Derechos (" in spanish and "), de forma presencial." in spanish
    assert "has taken part" not in spanish
    assert "Carol Castillo has taken part in Rights Institute (" in english and "), in person." in english
    assert "participó" not in english and "This certifies that" not in english  # the wording replaces the standard text

    # The survey: the participant's language, even from a browser that asks for another one.
    page = _survey(client, event, alice, headers=EN)
    assert all(text in page for text in (SPANISH["survey_intro__es"], SPANISH["survey_overall__es"], SPANISH["survey_comment__es"]))
    assert ENGLISH["survey_overall"] not in page and "Overall, how was the event?" not in page and 'lang="es"' in page
    page = _survey(client, event, carol)
    assert all(text in page for text in ENGLISH.values() if "{{" not in text) and SPANISH["survey_overall__es"] not in page

    login_as(organiser)
    client.post(f"/manage/{event.slug}/feedback/send", headers=EN)
    received = mail.wait_for(7)
    alice_mail = next(m for m in received if "alice@example.org" in m.envelope_to)
    carol_mail = next(m for m in received if "carol@example.org" in m.envelope_to)
    assert SPANISH["survey_intro__es"] in alice_mail.text and SPANISH["survey_intro__es"] in unescape(alice_mail.html)
    assert ENGLISH["survey_intro"] not in alice_mail.text
    assert ENGLISH["survey_intro"] in carol_mail.text and SPANISH["survey_intro__es"] not in carol_mail.text


def test_a_missing_spanish_text_falls_back_to_english_and_the_organiser_is_told(client, world, login_as):
    event, organiser, people = world
    login_as(organiser)
    url = f"/manage/{event.slug}/feedback/wording"
    client.post(url, headers=EN, data={**ENGLISH, "survey_comment__es": SPANISH["survey_comment__es"]})
    form = _text(client.get(url, headers=EN))
    assert form.count("Not yet translated into Spanish.") == 3  # every text but the comment prompt
    client.post("/account/logout")

    alice = people["alice@example.org"]
    page = _survey(client, event, alice)
    assert ENGLISH["survey_intro"] in page and ENGLISH["survey_overall"] in page and SPANISH["survey_comment__es"] in page
    assert "Not yet translated" not in page
    certificate = _pdf_text(client, event, alice)
    assert "Alice Adeyemi has taken part in Instituto de Derechos (" in certificate and "de forma presencial" in certificate


def test_empty_texts_keep_the_catalogue_wording(client, world, login_as):
    event, organiser, people = world
    carol = people["carol@example.org"]
    login_as(organiser)
    client.post(f"/manage/{event.slug}/feedback/wording", headers=EN, data={"survey_intro__es": "Solo en español."})
    client.post("/account/logout")
    certificate = _pdf_text(client, event, carol)
    assert "This certifies that" in certificate and "Carol Castillo" in certificate and "took part in" in certificate
    page = _survey(client, event, carol)
    assert "Overall, how was the event?" in page and "Anything else you want the organisers to know?" in page
    assert "Every question is optional." in page and "Solo en español" not in page


def test_unknown_merge_fields_are_refused_with_the_list_of_known_ones(client, world, login_as):
    event, organiser, _ = world
    login_as(organiser)
    url = f"/manage/{event.slug}/feedback/wording"
    for data in ({"certificate_text": "Issued to {{ email }}."},
                 {"certificate_text": "Issued to {{ full_name }}.", "certificate_text__es": "Para {{ nombre }}."},
                 {"certificate_text": "Issued to {{ full_name }."}):
        refused = client.post(url, headers=EN, data=data)
        page = _text(refused)
        assert refused.status_code == 422 and "Unknown merge field" in page and "{{ attendance_mode }}" in page
        assert wording_for(event) is None
    assert "Unknown merge field {{ nombre }}" in _text(client.post(url, headers=EN, data={
        "certificate_text": "{{ full_name }}", "certificate_text__es": "Para {{ nombre }}."}))


def test_the_purge_keeps_the_wording_and_the_certificate_names_no_one(client, world, login_as):
    event, organiser, people = world
    alice = people["alice@example.org"]
    certificate = certificates.issue_certificate(alice, actor=None, now=utcnow())
    login_as(organiser)
    client.post(f"/manage/{event.slug}/feedback/wording", headers=EN, data=ENGLISH)
    services.purge_event(event, actor=organiser, now=utcnow())
    client.application.extensions["sqlalchemy"].session.commit()
    assert wording_for(event).certificate_text == ENGLISH["certificate_text"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(certificates.certificate_pdf(certificate))).pages)
    assert "Adeyemi" not in text and "A participant has taken part in" in " ".join(text.split())


def test_the_next_edition_keeps_the_wording(client, world, login_as):
    from confapp.events.services import copy_event

    event, organiser, _ = world
    login_as(organiser)
    client.post(f"/manage/{event.slug}/feedback/wording", headers=EN, data={**ENGLISH, **SPANISH})
    copy = copy_event(event, title="Rights Institute 2027", starts_at=event.starts_at + timedelta(days=365), actor=organiser)
    wording = wording_for(copy)
    assert wording.certificate_text == ENGLISH["certificate_text"]
    assert wording.translations["es"]["survey_overall"] == SPANISH["survey_overall__es"]
