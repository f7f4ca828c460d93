"""Report pages through the Flask test client: access per route x role, publishing, the public
version's suppression in HTML, PDF and CSV, and the purge leaving the public page byte-identical."""
import io
from datetime import timedelta

from pypdf import PdfReader

from confapp.events.services import create_series
from confapp.registration import links
from confapp.reports import certificates, feedback, services
from confapp.reports.services import report_for
from confapp.types import utcnow
from tests.factories import make_event, make_user
from tests.reports_data import PERSONAL_STRINGS, check_in_known, known_event
from tests.support.access import LOGIN_REDIRECT, access_world, assert_access, everyone, expect, organisers_only


def past_event(**kw):
    start = utcnow() - timedelta(days=3)
    return make_event(starts_at=start, ends_at=start + timedelta(hours=30), **kw)


def published_event(db, organiser):
    event = past_event(organiser=organiser)
    check_in_known(known_event(event), organiser)
    report = services.start_report(event, actor=organiser)
    report.outcomes_md = "The Institute concluded with an **affirmation** of the recommendations."
    services.publish_report(report, actor=organiser, now=utcnow())
    db.session.commit()
    return event


def test_access_per_route_and_role(client, db):
    world = access_world(event=past_event())
    slug = world.event.slug
    organiser = world.users["organiser"]
    builder = known_event(world.event)
    check_in_known(builder, organiser)
    services.publish_report(services.start_report(world.event, actor=organiser), actor=organiser, now=utcnow())
    unpublished = past_event()
    alice = next(r for r in builder.registrations if r.email == "alice@example.org" and r.status == "confirmed")
    certificate = certificates.issue_certificate(alice, actor=None, now=utcnow())
    ticket, survey = links.ticket_token(alice), feedback.survey_token(alice)
    assert_access(client, db, world, [
        ("GET", f"/manage/{slug}/dashboard", organisers_only(200)),
        ("GET", f"/manage/{slug}/report", organisers_only(200)),
        ("POST", f"/manage/{slug}/report", organisers_only(302), {"narrative": "New text"}),
        ("POST", f"/manage/{slug}/report/start", organisers_only(302)),
        ("POST", f"/manage/{slug}/report/redraft", organisers_only(302)),
        ("POST", f"/manage/{slug}/report/publish", organisers_only(302)),
        ("POST", f"/manage/{slug}/report/unpublish", organisers_only(302)),
        ("GET", f"/manage/{slug}/report/full", organisers_only(200)),
        ("GET", f"/manage/{slug}/report/full.pdf", organisers_only(200)),
        ("GET", f"/manage/{slug}/report/full.csv", organisers_only(200)),
        ("GET", f"/manage/{slug}/report/full.xlsx", organisers_only(200)),
        ("GET", f"/manage/{slug}/data", organisers_only(200)),
        ("POST", f"/manage/{slug}/data", organisers_only(302), {"retention_days": "30"}),
        ("POST", f"/manage/{slug}/data/purge", organisers_only(302), {"confirm_slug": slug}),
        ("GET", f"/e/{slug}/report", everyone(200)),
        ("GET", f"/e/{slug}/report.pdf", everyone(200)),
        ("GET", f"/e/{slug}/report.csv", everyone(200)),
        ("GET", f"/e/{slug}/report.xlsx", everyone(200)),
        ("GET", f"/e/{unpublished.slug}/report", everyone(404)),
        ("GET", "/manage/no-such-event/dashboard", expect(LOGIN_REDIRECT, 404, 404, 404, 404, 404)),
        ("GET", f"/manage/{slug}/feedback", organisers_only(200)),
        ("POST", f"/manage/{slug}/feedback/send", organisers_only(302)),
        ("GET", f"/manage/{slug}/feedback/wording", organisers_only(200)),
        ("POST", f"/manage/{slug}/feedback/wording", organisers_only(302), {"survey_intro": "Thank you for coming."}),
        ("POST", f"/manage/{slug}/certificates/send", organisers_only(302)),
        # Participants' pages open with their signed link, whoever is logged in.
        ("GET", f"/e/{slug}/survey/{survey}", everyone(200)),
        ("GET", f"/e/{slug}/survey/{survey}x", everyone(404)),
        ("GET", f"/certificates/{certificate.code}", everyone(200)),
        ("GET", f"/e/{slug}/ticket/{ticket}/certificate.pdf", everyone(200)),
        ("GET", f"/e/{slug}/ticket/{ticket}/my-data.json", everyone(200)),
        ("GET", f"/e/{slug}/ticket/{ticket}x/my-data.json", everyone(404)),
        ("POST", f"/e/{slug}/ticket/{ticket}/certificate", everyone(302)),
        ("POST", f"/e/{slug}/ticket/{ticket}/forget", everyone(302), {"confirm": "y"}),
    ])
    series = create_series("Access Series", actor=world.users["admin"])
    world.event.series_id = series.id
    assert_access(client, db, world, [("GET", f"/manage/series/{series.slug}/report", organisers_only(200))])


def test_organiser_drafts_edits_and_publishes(client, db, login_as):
    organiser = make_user()
    event = past_event(organiser=organiser)
    check_in_known(known_event(event), organiser)
    db.session.commit()
    login_as(organiser)
    page = client.get(f"/manage/{event.slug}/report")
    assert b"Draft the report" in page.data
    assert client.post(f"/manage/{event.slug}/report/start").status_code == 302
    report = report_for(event)
    # Seven attended, but with three no-shows (fewer than 5) beside ten registered the public
    # version hides the attendance, so the narrative, printed publicly, counts the registered.
    assert report.narrative.startswith("10 participants from three cities")
    response = client.post(f"/manage/{event.slug}/report", data={
        "audience_phrase": "advocates", "narrative": "Edited narrative.", "outcomes_md": "- One\n- Two",
        "recommendations_md": "", "acknowledgements_md": ""})
    assert response.status_code == 302
    assert client.post(f"/manage/{event.slug}/report/publish").status_code == 302
    public = client.get(f"/e/{event.slug}/report")
    assert public.status_code == 200 and b"Edited narrative." in public.data and b"<li>One</li>" in public.data
    # Edits after publishing stay private until published again.
    client.post(f"/manage/{event.slug}/report", data={"narrative": "Later draft.", "audience_phrase": "",
                                                     "outcomes_md": "", "recommendations_md": "", "acknowledgements_md": ""})
    assert b"Later draft." not in client.get(f"/e/{event.slug}/report").data


def test_public_report_pdf_and_csv_reveal_no_small_city_and_no_unconsenting_person(client, db, artifacts_dir, login_as):
    organiser = make_user()
    event = past_event(organiser=organiser, title="Small Cities Convening")
    builder = known_event(event)
    # Cities of 1, 2, 3 and 4 participants beside Boston's 7 (+5 here).
    for city, count in (("Springfield", 1), ("Worcester", 2), ("Lowell", 3), ("Quincy", 4), ("Boston", 5)):
        for i in range(count):
            builder.order([{"name": f"Zed{city}{i} Person", "email": f"z{city}{i}@example.org", "city": city,
                            "organisation": f"{city} Org", "country": "US"}], category="Student")
    check_in_known(builder, organiser)
    services.publish_report(services.start_report(event, actor=organiser), actor=organiser, now=utcnow())
    db.session.commit()
    small = ["Springfield", "Worcester", "Lowell", "Quincy", "Chicago", "Baltimore", "Canada"]
    never_named = PERSONAL_STRINGS + ["Columbia University", "Secret Org", "Springfield Org", "Quincy Org"]

    html = client.get(f"/e/{event.slug}/report").get_data(as_text=True)
    pdf = client.get(f"/e/{event.slug}/report.pdf").data
    (artifacts_dir / "report-public-small-cities.pdf").write_bytes(pdf)
    pdf_text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    csv_text = client.get(f"/e/{event.slug}/report.csv").get_data(as_text=True)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(f"/e/{event.slug}/report.xlsx").data))
    xlsx_text = "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    assert "Finances" not in book.sheetnames
    for text in (html, pdf_text, csv_text, xlsx_text):
        assert "Boston" in text
        for word in small + never_named:
            assert word not in text, word
    assert "fewer than 5" in html and "fewer than 5" in csv_text and "fewer than 5" in pdf_text
    # The organisers' version has them all, but still names no one who did not consent.
    login_as(organiser)
    private = client.get(f"/manage/{event.slug}/report/full").get_data(as_text=True)
    assert "Worcester" in private and "Springfield" in private
    for word in never_named:
        assert word not in private, word


def visitor_get(client, url: str) -> bytes:
    """A fresh anonymous visitor. The test's app context is shared by requests, so Flask-Login's
    cached user on `g` must go too."""
    from flask import g

    g.pop("_login_user", None)
    return client.application.test_client().get(url).data


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_purge_leaves_the_public_page_byte_for_byte_and_the_dashboard_figures(client, db, login_as):
    organiser = make_user()
    event = published_event(db, organiser)
    before = visitor_get(client, f"/e/{event.slug}/report")
    before_pdf_text = pdf_text(visitor_get(client, f"/e/{event.slug}/report.pdf"))
    before_csv = visitor_get(client, f"/e/{event.slug}/report.csv")
    login_as(organiser)
    dashboard_before = client.get(f"/manage/{event.slug}/dashboard").get_data(as_text=True)
    wrong = client.post(f"/manage/{event.slug}/data/purge", data={"confirm_slug": "nope"}, follow_redirects=True)
    assert b"Nothing was deleted" in wrong.data and services.retention_for(event).purged_at is None
    assert client.post(f"/manage/{event.slug}/data/purge", data={"confirm_slug": event.slug}, follow_redirects=True).status_code == 200
    db.session.expire_all()
    assert services.retention_for(event).purged_at is not None
    assert visitor_get(client, f"/e/{event.slug}/report") == before
    assert visitor_get(client, f"/e/{event.slug}/report.csv") == before_csv
    assert pdf_text(visitor_get(client, f"/e/{event.slug}/report.pdf")) == before_pdf_text
    assert "Alice" not in before.decode() and "Boston" in before.decode()
    login_as(organiser)
    dashboard_after = client.get(f"/manage/{event.slug}/dashboard").get_data(as_text=True)
    assert "Personal data was deleted" in dashboard_after
    strip = lambda page: page.split('<dl class="headline">', 1)[1]  # noqa: E731  (after the "as of" time)
    assert strip(dashboard_after) == strip(dashboard_before)


def test_withdrawn_reports_disappear_and_future_events_cannot_publish(client, db, login_as):
    organiser = make_user()
    event = published_event(db, organiser)
    login_as(organiser)
    assert client.get(f"/e/{event.slug}/report").status_code == 200
    client.post(f"/manage/{event.slug}/report/unpublish")
    assert client.get(f"/e/{event.slug}/report").status_code == 404
    assert client.get(f"/e/{event.slug}/report.csv").status_code == 404
    upcoming = make_event(organiser=organiser)  # starts in December
    db.session.commit()
    client.post(f"/manage/{upcoming.slug}/report/start")
    refused = client.post(f"/manage/{upcoming.slug}/report/publish", follow_redirects=True)
    assert b"once the event has started" in refused.data
    assert client.get(f"/e/{upcoming.slug}/report").status_code == 404


def test_the_dashboard_and_the_report_count_by_language_once_there_are_two(client, db, login_as):
    from confapp.registration.models import Registration

    organiser = make_user()
    event = past_event(organiser=organiser)
    builder = known_event(event)
    check_in_known(builder, organiser)
    db.session.commit()
    login_as(organiser)
    assert "By language" not in client.get(f"/manage/{event.slug}/dashboard").get_data(as_text=True)
    for i in range(5):
        builder.order([{"name": f"Sofia{i} Ruiz", "email": f"sofia{i}@example.org", "city": "Boston", "country": "US"}],
                      category="Student")
    for registration in db.session.query(Registration).filter(Registration.first_name.like("Sofia%")):
        registration.order.language = "es"
    db.session.commit()
    client.post(f"/manage/{event.slug}/dashboard/refresh")  # the figures cached a minute are older than these orders
    dashboard = client.get(f"/manage/{event.slug}/dashboard").get_data(as_text=True)
    assert "By language" in dashboard and "Spanish" in dashboard
    services.publish_report(services.start_report(event, actor=organiser), actor=organiser, now=utcnow())
    db.session.commit()
    public = visitor_get(client, f"/e/{event.slug}/report").decode()
    assert "Registrations by language" in public or "Attendance by language" in public
    assert "Spanish" in public
    csv_text = visitor_get(client, f"/e/{event.slug}/report.csv").decode()
    assert "Attendance by language" in csv_text and "Spanish" in csv_text
