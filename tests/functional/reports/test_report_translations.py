"""The summary report's texts in the event's languages (issue 13): organisers write the
narrative, outcomes, recommendations and acknowledgements per language; the published report
(page and PDF) shows a Spanish visitor the Spanish text as published, falling back silently and
marked with lang where a text is not translated."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape

from pypdf import PdfReader

from confapp.reports import services
from confapp.types import utcnow
from tests.factories import make_category, make_event, make_session, make_user

ES = {"Accept-Language": "es"}
EN = {"Accept-Language": "en"}


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def _event(organiser):
    start = utcnow() - timedelta(days=3)
    return make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=30), languages=("en", "es"),
                      translations={"es": {"title": "Cumbre de Ciudades"}})


def test_organiser_writes_the_report_in_spanish_and_the_published_report_shows_it(client, db, login_as):
    organiser = make_user()
    event = _event(organiser)
    services.start_report(event, actor=organiser)
    db.session.commit()
    login_as(organiser)
    url = f"/manage/{event.slug}/report"
    form = _page(client.get(url, headers=EN))
    assert "<legend>In Spanish</legend>" in form
    assert re.search(r'<textarea[^>]*id="outcomes_md__es"[^>]*lang="es"', form)
    response = client.post(url, headers=EN, data={
        "narrative": "Forty people met.", "outcomes_md": "An **affirmation** of the recommendations.",
        "narrative__es": "Se reunieron cuarenta personas.", "outcomes_md__es": "Una **afirmación** de las recomendaciones."})
    assert response.status_code == 302
    assert client.post(f"/manage/{event.slug}/report/publish", headers=EN).status_code == 302
    # A later draft edit does not change the published Spanish text.
    client.post(url, headers=EN, data={"narrative": "Forty people met.", "narrative__es": "Borrador nuevo."})
    client.post("/account/logout")

    spanish = _page(client.get(f"/e/{event.slug}/report", headers=ES))
    assert "Se reunieron cuarenta personas." in spanish and "Borrador nuevo" not in spanish
    assert "<strong>afirmación</strong>" in spanish
    assert ">Cumbre de Ciudades</h1>" in spanish
    english = _page(client.get(f"/e/{event.slug}/report", headers=EN))
    assert "Forty people met." in english and "Se reunieron" not in english
    pdf = client.get(f"/e/{event.slug}/report.pdf", headers=ES)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Se reunieron cuarenta personas." in text


def test_an_untranslated_report_text_falls_back_marked_in_its_language(client, db):
    organiser = make_user()
    event = _event(organiser)
    report = services.start_report(event, actor=organiser)
    report.narrative = "Forty people met."
    report.acknowledgements_md = "Thanks to our hosts."
    report.translations = {"es": {"narrative": "Se reunieron cuarenta personas."}}
    services.publish_report(report, actor=organiser, now=utcnow())
    db.session.commit()
    page = _page(client.get(f"/e/{event.slug}/report", headers=ES))
    assert '<p class="report__narrative">Se reunieron cuarenta personas.</p>' in page
    assert '<div lang="en"><p>Thanks to our hosts.</p>' in page


def test_session_titles_and_category_names_follow_the_readers_language(client, db):
    """The figures are computed once for every language (and frozen so at publishing): each reader
    gets the session titles and category names the organiser translated, in the page, the CSV and
    the organiser's dashboard, and the default text where there is no translation."""
    organiser = make_user()
    event = _event(organiser)
    plenary = make_session(event, title="Opening plenary", publish=True, actor=organiser)
    plenary.translations = {"es": {"title": "Plenaria de apertura"}}
    make_session(event, title="Housing workshop", publish=True, actor=organiser)
    make_category(event, name="Delegate", translations={"es": {"name": "Delegada o delegado"}})
    report = services.start_report(event, actor=organiser)
    services.publish_report(report, actor=organiser, now=utcnow())
    db.session.commit()

    spanish = _page(client.get(f"/e/{event.slug}/report", headers=ES))
    assert "Plenaria de apertura" in spanish and "Opening plenary" not in spanish
    assert "Delegada o delegado" in spanish and "Delegate<" not in spanish
    assert "Housing workshop" in spanish  # not translated: the default text, silently
    english = _page(client.get(f"/e/{event.slug}/report", headers=EN))
    assert "Opening plenary" in english and "Plenaria" not in english and "Delegada" not in english
    csv_text = client.get(f"/e/{event.slug}/report.csv", headers=ES).get_data(as_text=True)
    assert "Plenaria de apertura" in csv_text and "Opening plenary" not in csv_text
