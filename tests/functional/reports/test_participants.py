"""Participants: the survey (once, anonymous by default, results in the report), certificates
(issue, download, verify, bulk send through real SMTP), own-data download and deletion."""
import io
import json
import re
import subprocess

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from confapp.registration import links
from confapp.reports import certificates, feedback, services
from confapp.reports.models import Certificate, SurveyResponse
from confapp.reports.queries import compute_figures
from confapp.types import utcnow
from tests.reports_data import ended_two_days_ago, known_world


@pytest.fixture
def world(db):
    organiser, event, builder = known_world(**ended_two_days_ago())
    people = {r.email: r for r in builder.registrations if r.status == "confirmed" and r.email}
    return event, organiser, people, builder.sessions


def test_survey_once_anonymous_by_default_and_in_the_report(client, world):
    event, organiser, people, sessions = world
    alice = people["alice@example.org"]
    url = f"/e/{event.slug}/survey/{feedback.survey_token(alice)}"
    page = client.get(url)
    assert page.status_code == 200 and b"Opening plenary" in page.data  # she was checked in to it
    assert b"Coffee" not in page.data and b"Unpublished idea" not in page.data
    plenary = sessions["plenary"].id
    response = client.post(url, data={"overall": "5", f"session_{plenary}": "4", "comment": "Moving and useful.",
                                      "named": "anonymous"})
    assert response.status_code == 200 and b"Thank you" in response.data
    again = client.post(url, data={"overall": "1", "named": "anonymous"})
    assert b"already" in again.data
    stored = client.application.extensions["sqlalchemy"].session.scalars(select(SurveyResponse)).all()
    assert len(stored) == 1 and stored[0].registration_id is None and alice.id not in (stored[0].registration_id,)
    figures = compute_figures(event)
    assert figures["feedback"]["responses"] == 1 and figures["feedback"]["overall_average"] == 5
    assert {row["title"]: row["rating"] for row in figures["sessions"]}["Opening plenary"] == 4
    assert client.get(f"/e/{event.slug}/survey/forged-token").status_code == 404


def test_survey_rejects_out_of_range_and_foreign_sessions(client, world):
    event, organiser, people, sessions = world
    url = f"/e/{event.slug}/survey/{feedback.survey_token(people['alice@example.org'])}"
    bad = client.post(url, data={"overall": "9", "named": "anonymous"})
    assert bad.status_code == 422
    empty = client.post(url, data={"named": "anonymous"})
    assert empty.status_code == 422 and b"Give a rating or write a comment" in empty.data


def test_survey_invitations_go_through_outreach_to_real_smtp(client, world, mail, login_as):
    event, organiser, people, _ = world
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/feedback/send", follow_redirects=True)
    assert b"Survey links queued for 7 participants" in response.data  # those who came, with an address
    received = mail.wait_for(7)
    alice_mail = next(m for m in received if "alice@example.org" in m.envelope_to)
    link = re.search(r"http\S+/survey/\S+", alice_mail.text).group(0)
    from urllib.parse import urlsplit
    assert client.get(urlsplit(link).path).status_code == 200


def test_certificates_issue_verify_and_bulk_send(client, world, mail, login_as, artifacts_dir):
    event, organiser, people, _ = world
    jo = people["jo@example.org"]  # a no-show
    token = links.ticket_token(people["alice@example.org"])
    assert client.post(f"/e/{event.slug}/ticket/{links.ticket_token(jo)}/certificate").status_code == 302
    assert certificates.certificate_for(jo) is None
    issued = client.post(f"/e/{event.slug}/ticket/{token}/certificate")
    assert issued.status_code == 302 and issued.headers["Location"].endswith("/certificate.pdf")
    pdf = client.get(f"/e/{event.slug}/ticket/{token}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    certificate = certificates.certificate_for(people["alice@example.org"])
    assert "Alice Adeyemi" in text and certificate.code in text.replace("\n", "")
    verify = client.get(f"/certificates/{certificate.code}")
    assert verify.status_code == 200 and b"Alice Adeyemi" in verify.data and b"genuine" in verify.data
    assert client.get("/certificates/not-a-real-code").status_code == 404
    login_as(organiser)
    sent = client.post(f"/manage/{event.slug}/certificates/send", follow_redirects=True)
    assert b"Certificates sent to 7 participants" in sent.data
    assert len(mail.wait_for(7)) == 7
    assert len(client.application.extensions["sqlalchemy"].session.scalars(
        select(Certificate).where(Certificate.event_id == event.id)).all()) == 7


def test_own_data_download_and_deletion(client, world):
    event, organiser, people, _ = world
    bob_like = people["jo@example.org"]
    token = links.ticket_token(bob_like)
    data = client.get(f"/e/{event.slug}/ticket/{token}/my-data.json")
    assert data.status_code == 200 and data.headers["Cache-Control"] == "no-store"
    exported = json.loads(data.data)
    assert exported["registration"]["email"] == "jo@example.org"
    assert any(a["answer"] == "Boston" for a in exported["answers"])
    refused = client.post(f"/e/{event.slug}/ticket/{token}/forget", data={})
    assert refused.status_code == 302 and bob_like.purged_at is None
    done = client.post(f"/e/{event.slug}/ticket/{token}/forget", data={"confirm": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/e/{event.slug}/forgotten")
    assert client.get(f"/e/{event.slug}/ticket/{token}/my-data.json").status_code == 404
    assert compute_figures(event)["headline"]["registered"] == 10  # still counted


def test_the_self_service_page_offers_certificate_data_and_deletion(client, world):
    event, organiser, people, _ = world
    token = links.ticket_token(people["alice@example.org"])
    page = client.get(f"/e/{event.slug}/ticket/{token}").get_data(as_text=True)
    assert f"/e/{event.slug}/ticket/{token}/certificate" in page  # she came: she can get one
    assert f"/e/{event.slug}/ticket/{token}/my-data.json" in page and f"/e/{event.slug}/ticket/{token}/forget" in page
    no_show = links.ticket_token(people["jo@example.org"])
    assert f"/ticket/{no_show}/certificate" not in client.get(f"/e/{event.slug}/ticket/{no_show}").get_data(as_text=True)


def test_survey_invitations_and_certificates_speak_each_participants_language(client, world, mail, login_as):
    """Alice registered in English and chose Spanish on her ticket page; the others stay English:
    her survey link and her certificate come in Spanish, theirs in English, whoever sends them."""
    from confapp.registration import services as registration_services

    event, organiser, people, _ = world
    registration_services.set_language(people["alice@example.org"], "es", now=utcnow())
    client.application.extensions["sqlalchemy"].session.commit()
    login_as(organiser)
    client.post(f"/manage/{event.slug}/feedback/send")
    received = mail.wait_for(7)
    alice = next(m for m in received if "alice@example.org" in m.envelope_to)
    others = [m for m in received if "alice@example.org" not in m.envelope_to]
    assert alice.subject == f"¿Qué tal {event.title}? Dos minutos para contarnos"
    assert alice.text.startswith("Hola, Alice:") and "El enlace es personal" in alice.text and '<html lang="es">' in alice.html
    assert all(m.subject == f"How was {event.title}? Two minutes of feedback" and m.text.startswith("Hello ") for m in others)
    mail.clear()
    client.post(f"/manage/{event.slug}/certificates/send")
    received = mail.wait_for(7)
    alice = next(m for m in received if "alice@example.org" in m.envelope_to)
    assert alice.subject == f"Su certificado de asistencia: {event.title}"
    assert "Su certificado de asistencia está listo para descargar" in alice.text
    assert "Descargar su certificado (PDF)" in alice.html
    assert all(m.subject.startswith("Your certificate of attendance:") for m in received if m is not alice)
