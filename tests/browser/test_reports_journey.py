"""Issue 7 in real Chromium: an organiser opens the dashboard, drafts the report, edits the
narrative and publishes; a visitor opens the public report; a participant opens the survey.
axe-core finds no violations on the dashboard, the editor, the public report and the survey."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import login_in_browser
from tests.support.browser import assert_accessible, screenshot

# The Jackson organiser's convening that ended last week (made by the fixture below): the demo's
# own past events are past their retention period, their figures frozen and their surveys closed.
SLUG = "hrc-alliance-jackson-follow-up"


@pytest.fixture(scope="module")
def participant_survey_path(live_app):
    """The SLUG convening with participants, checked in, and one participant's survey link."""
    from confapp.accounts.models import User
    from confapp.extensions import db
    from confapp.registration.models import Registration, RegistrationStatus
    from confapp.reports import feedback
    from confapp.types import utcnow
    from tests.factories import make_event
    from tests.reports_data import check_in_known, known_event

    with live_app.test_request_context():
        organiser = db.session.scalar(select(User).where(User.email == "jackson-organiser@confapp.example"))
        start = utcnow() - timedelta(days=8)
        event = make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=30),
                           title="Jackson follow-up meeting", slug=SLUG)
        check_in_known(known_event(event), organiser)
        confirmed = db.session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)).all()
        path = f"/e/{event.slug}/survey/{feedback.survey_token(confirmed[0])}"
        db.session.commit()
        db.session.remove()
    return path


def test_organiser_drafts_edits_and_publishes_and_a_visitor_reads_it(page, browser, live_server, screenshots_dir,
                                                                       participant_survey_path):
    page.on("dialog", lambda dialog: dialog.accept())
    login_in_browser(page, "jackson-organiser@confapp.example")
    page.goto(f"/manage/{SLUG}/")
    page.get_by_role("link", name="Report", exact=True).click()
    assert page.get_by_role("heading", level=1, name="Dashboard").is_visible()
    assert page.locator("svg.chart").count() == 4
    assert_accessible(page, "report dashboard")
    screenshot(page, screenshots_dir / "report-dashboard.png")
    assert page.get_by_text("Figures as of").is_visible()
    page.get_by_role("button", name="Refresh now").click()  # a real POST with its CSRF token
    assert page.get_by_text("Figures refreshed.").is_visible()
    assert page.get_by_role("heading", level=1, name="Dashboard").is_visible()

    page.get_by_role("link", name="Draft the report").click()
    page.get_by_role("button", name="Draft the report").click()
    assert page.get_by_text("Draft report started").is_visible()
    narrative = page.get_by_label("Narrative")
    assert "took part in" in narrative.input_value()
    assert_accessible(page, "report editor")
    narrative.fill("Delegates from across the South gathered in Jackson to build human rights cities together.")
    page.get_by_label("Outcomes").fill("- A regional network of human rights cities\n- A shared reporting calendar")
    page.get_by_label("Recommendations").fill("1. Adopt human rights budgeting\n2. Report every year")
    page.get_by_role("button", name="Save draft").click()
    assert page.get_by_text("Report saved.").is_visible()
    page.get_by_role("button", name="Publish report").click()
    assert page.get_by_text("Report published.").is_visible()
    public_url = page.get_by_role("link", name=f"/e/{SLUG}/report").first.get_attribute("href") \
        if page.get_by_role("link", name=f"/e/{SLUG}/report").count() else f"/e/{SLUG}/report"

    visitor = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    public = visitor.new_page()
    public.goto(public_url)
    assert public.get_by_text("Delegates from across the South gathered in Jackson").is_visible()
    assert public.get_by_role("heading", name="Recommendations").is_visible()
    assert public.get_by_role("link", name="PDF").is_visible()
    assert_accessible(public, "public report")
    screenshot(public, screenshots_dir / "report-public.png")

    public.goto(participant_survey_path)
    assert public.get_by_role("heading", level=1).is_visible()
    assert_accessible(public, "feedback survey")
    public.get_by_role("radio", name="5 – excellent").first.check()
    public.get_by_label("Anything else you want the organisers to know?").fill("Thank you for the captioning.")
    public.get_by_role("button", name="Send feedback").click()
    assert public.get_by_role("heading", name="Thank you").is_visible()
    visitor.close()


def test_report_pages_read_well_on_a_phone(phone_page, screenshots_dir, participant_survey_path):
    phone_page.goto("/e/phrge-institute-2016/report")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone_page, "public report on a phone")
    login_in_browser(phone_page, "organiser@confapp.example")
    phone_page.goto("/manage/phrge-institute-2016/dashboard")
    assert phone_page.locator("svg.chart").count() == 4
    wide = phone_page.evaluate("""Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 362)
        .slice(0, 3).map(e => e.outerHTML.slice(0, 160) + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360, wide
    assert_accessible(phone_page, "dashboard on a phone")
    screenshot(phone_page, screenshots_dir / "report-dashboard-phone.png", full_page=False)


def test_the_demo_phrge_2016_report_is_public(page, screenshots_dir):
    """The demo's published report (registration, programme and feedback demo data)."""
    page.goto("/e/phrge-institute-2016/report")
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_text("academics, advocates and activists").first.is_visible()
    assert page.get_by_text("affirmation of the recommendations").is_visible()
    assert_accessible(page, "demo public report")
    page.set_viewport_size({"width": 1100, "height": 1600})
    screenshot(page, screenshots_dir / "report-phrge-2016.png", full_page=False)  # the README's picture
    pdf = page.request.get("/e/phrge-institute-2016/report.pdf")
    assert pdf.ok and pdf.body()[:5] == b"%PDF-"
