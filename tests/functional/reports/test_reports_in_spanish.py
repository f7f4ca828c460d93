"""The reports in Spanish (issue 13): the organiser's dashboard, report editor and full report,
the published summary, its printable document (the PDF's HTML) and the certificate, for a
visitor or organiser whose language cookie says Spanish. Headings, table captions, figures'
labels and the suppression markers are Spanish, no English heading is left, and the standalone
print documents (not base.html) carry lang="es". English pages are unchanged."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape

import pytest
from flask import g
from flask_babel import force_locale, gettext
from pypdf import PdfReader

from confapp.i18n import LANGUAGE_COOKIE
from confapp.registration import links
from confapp.reports import certificates, exports, feedback, services
from confapp.types import utcnow
from tests.factories import make_event, make_user
from tests.reports_data import check_in_known, known_event

ENGLISH_HEADINGS = ("Summary report", "Attendance", "Where participants came from", "In figures", "Registered",
                    "Participants by city", "No data yet")


@pytest.fixture
def spanish(app):
    with app.app_context(), force_locale("es"):
        merged = gettext("Where participants came from") != "Where participants came from"
    # The catalogue is committed and `make` compiles it: a missing translation fails, never skips.
    assert merged, "the Spanish catalogue is not compiled: run `make translations`"


@pytest.fixture
def world(db):
    organiser = make_user()
    start = utcnow() - timedelta(days=3)
    event = make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=30))
    builder = known_event(event)
    check_in_known(builder, organiser)
    report = services.start_report(event, actor=organiser)
    services.publish_report(report, actor=organiser, now=utcnow())
    alice = next(r for r in builder.registrations if r.email == "alice@example.org" and r.status == "confirmed")
    db.session.commit()
    return event, organiser, alice


def _visitor(client, language: str | None = "es"):
    """A fresh anonymous visitor (the app context is shared by requests: Flask-Login's user on
    `g` must go too), with the language cookie set."""
    g.pop("_login_user", None)
    visitor = client.application.test_client()
    if language:
        visitor.set_cookie(LANGUAGE_COOKIE, language)
    return visitor


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return unescape(response.get_data(as_text=True))


def _no_english(page: str) -> None:
    for english in ENGLISH_HEADINGS:
        assert f">{english}<" not in page, english
    assert "(the table gives the same figures)" not in page and "(table)" not in page


@pytest.fixture
def printed(monkeypatch):
    """The HTML each PDF is made from (the report print and the certificate print)."""
    documents: list[str] = []
    real = exports.render_pdf

    def capture(html: str, landscape: bool = False) -> bytes:
        documents.append(html)
        return real(html, landscape=landscape)

    monkeypatch.setattr(exports, "render_pdf", capture)
    return documents


def test_the_organisers_report_pages_are_in_spanish(spanish, client, db, login_as, world):
    event, organiser, _ = world
    login_as(organiser)
    client.set_cookie(LANGUAGE_COOKIE, "es")
    dashboard = _text(client.get(f"/manage/{event.slug}/dashboard"))
    assert '<html lang="es"' in dashboard
    for words in (">Panel</h1>", "Inscripciones a lo largo del tiempo", "Participantes por ciudad", "Personas inscritas",
                  "Acreditación el día del evento", "Cifras de las ", "Actualizar ahora", "Ruta de navegación", "Informe"):
        assert words in dashboard, words
    assert ">Dashboard</h1>" not in dashboard and "Registrations over time" not in dashboard
    editor = _text(client.get(f"/manage/{event.slug}/report"))
    for words in (">Informe resumido</h1>", "Cifras actuales", "Publicar de nuevo", "Narración", "Guardar borrador",
                  "Retirar el informe público"):
        assert words in editor, words
    assert "Figures now" not in editor and ">Save draft<" not in editor
    full = _text(client.get(f"/manage/{event.slug}/report/full"))
    for words in ("Informe resumido", "De dónde vinieron las personas participantes", "Asistencia", "Finanzas",
                  "Cuotas cobradas", "La versión de la organización"):
        assert words in full, words
    _no_english(full)
    assert ">Finances<" not in full
    audit = _text(client.get(f"/manage/{event.slug}/audit"))
    assert ">Registro de auditoría</h1>" in audit and "Cada cambio en este evento" in audit and ">Audit log<" not in audit
    assert 'Informe publicado <code class="meta">report.published</code>' in audit and "Report published" not in audit
    # The entry's target is explained the same way; its details stay the record as stored.
    assert re.search(r'Informe <code class="meta">Report \d+</code>', audit)


def test_the_published_summary_and_its_print_are_in_spanish(spanish, client, world, printed):
    event, _, _ = world
    public = _text(_visitor(client).get(f"/e/{event.slug}/report"))
    assert '<html lang="es"' in public
    for words in ("Informe resumido", "En cifras", "De dónde vinieron las personas participantes", "Asistencia",
                  "Participantes por ciudad (la tabla da las mismas cifras)", "Ciudad", "Cifras en CSV",
                  "Para proteger la privacidad", "menos de 5"):
        assert words in public, words
    _no_english(public)
    assert "fewer than 5" not in public and "Finanzas" not in public

    pdf = _visitor(client).get(f"/e/{event.slug}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    (document,) = printed
    assert '<html lang="es">' in document and "<title>Informe resumido: " in document
    assert "Versión pública:" in document
    _no_english(unescape(document))
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "informe resumido" in text.lower() and "summary report" not in text.lower()
    assert "Página 1 de " in text and "Page 1 of" not in text

    csv_text = _visitor(client).get(f"/e/{event.slug}/report.csv").get_data(as_text=True)
    assert csv_text.startswith("sección,Cifra,Valor") and "Cifras principales,Personas inscritas," in csv_text
    assert "menos de 5" in csv_text and "Headline figures" not in csv_text and "fewer than 5" not in csv_text
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(_visitor(client).get(f"/e/{event.slug}/report.xlsx").data))
    assert book.sheetnames[0] == "Cifras principales" and "Inscripciones a lo largo del ti" in book.sheetnames


def test_the_certificate_and_its_check_page_are_in_spanish(spanish, client, db, world, printed):
    event, _, alice = world
    certificate = certificates.issue_certificate(alice, actor=None, now=utcnow())
    db.session.commit()
    token = links.ticket_token(alice)
    response = _visitor(client).get(f"/e/{event.slug}/ticket/{token}/certificate.pdf")
    assert response.status_code == 200
    (document,) = printed
    assert '<html lang="es">' in document
    for words in ("Certificado de asistencia", "Se certifica que", "participó en", "Verifique este certificado en",
                  "Emitido el ", " de 20"):
        assert words in document, words
    assert "Certificate of attendance" not in document and "This certifies that" not in document
    check = _text(_visitor(client).get(f"/certificates/{certificate.code}"))
    assert '<html lang="es"' in check
    assert "Verificación del certificado" in check and "Emitido a" in check and "Certificate check" not in check


def test_english_report_pages_are_unchanged(client, world, printed):
    event, _, _ = world
    public = _text(_visitor(client, None).get(f"/e/{event.slug}/report"))
    assert '<html lang="en"' in public
    for words in ("Summary report", "Where participants came from", "Attendance", "fewer than 5",
                  "Participants by city (the table gives the same figures)"):
        assert words in public, words
    assert "Informe resumido" not in public
    _visitor(client, None).get(f"/e/{event.slug}/report.pdf")
    assert '<html lang="en">' in printed[0] and "<title>Summary report: " in printed[0]


def test_a_bilingual_events_report_is_drafted_in_each_of_its_languages(spanish, client, db):
    organiser = make_user()
    start = utcnow() - timedelta(days=3)
    event = make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=30), languages=("en", "es"),
                       translations={"es": {"title": "Cumbre de Ciudades"}})
    check_in_known(known_event(event), organiser)
    report = services.start_report(event, actor=organiser)
    assert report.narrative.startswith("10 participants from ") and " took part in " in report.narrative
    spanish_draft = report.translations["es"]["narrative"]
    assert spanish_draft.startswith("10 participantes de ") and " participaron en Cumbre de Ciudades" in spanish_draft
    assert " de noviembre de " in spanish_draft or " de diciembre de " in spanish_draft or " de 20" in spanish_draft
    services.publish_report(report, actor=organiser, now=utcnow())
    db.session.commit()
    page = _text(_visitor(client).get(f"/e/{event.slug}/report"))
    assert spanish_draft in page and "took part in" not in page
    english = _text(_visitor(client, "en").get(f"/e/{event.slug}/report"))
    assert report.narrative in english and "participaron" not in english


def test_the_feedback_survey_is_in_spanish(spanish, client, world):
    event, _, alice = world
    url = f"/e/{event.slug}/survey/{feedback.survey_token(alice)}"
    page = _text(_visitor(client).get(url))
    assert '<html lang="es"' in page
    for words in ("¿Qué le pareció ", "Todas las preguntas son opcionales", "En general, ¿qué le pareció el evento?",
                  "5 – excelente", "1 – muy malo", "¿Responder de forma anónima?", "Sí, de forma anónima", "Enviar opinión"):
        assert words in page, words
    assert "How was" not in page and "excellent" not in page
    refused = _visitor(client).post(url, data={"named": "anonymous"})
    assert refused.status_code == 422 and "Dé una calificación o escriba un comentario." in unescape(refused.get_data(as_text=True))
    thanks = _text(_visitor(client).post(url, data={"overall": "5", "named": "anonymous"}))
    assert ">Gracias</h1>" in thanks and "quedó registrada" in thanks
