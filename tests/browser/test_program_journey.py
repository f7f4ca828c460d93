"""Issue 3 in real Chromium: an organiser schedules a session, sees a room conflict and fixes
it; an attendee stars a session on a 360 px phone; axe-core finds nothing on the timetable
editor, the agenda and a speaker page."""
import re

from tests.browser.conftest import login_in_browser
from tests.support.browser import assert_accessible, screenshot

NEXT = "phrge-institute-next"


def test_organiser_schedules_a_session_sees_a_room_conflict_and_fixes_it(page, screenshots_dir):
    login_in_browser(page, "organiser@confapp.example")
    page.goto(f"/manage/{NEXT}/")
    page.get_by_role("navigation", name="Event management").get_by_role("link", name="Programme").click()
    assert page.get_by_role("heading", level=1, name="Programme").is_visible()
    assert_accessible(page, "timetable editor")
    screenshot(page, screenshots_dir / "program-timetable.png")

    page.get_by_role("link", name="Add a session").first.click()
    page.get_by_label("Title", exact=True).fill("Community listening session")
    page.get_by_label("Type").select_option("roundtable")
    page.get_by_label("Day").select_option(index=1)
    page.get_by_label("Starts").fill("11:00")
    page.get_by_label("Ends").fill("12:00")
    page.get_by_label("Room").select_option(label="Dockser Hall")
    page.get_by_role("button", name="Add session").click()
    assert page.get_by_text("is added as a draft").is_visible()
    warning = page.get_by_text(re.compile(r"Dockser Hall is double-booked: “Community listening session” overlaps"))
    assert warning.first.is_visible()
    assert_accessible(page, "session form with a conflict warning")
    screenshot(page, screenshots_dir / "program-conflict-warning.png")

    page.get_by_label("Room").select_option(label="Knowles 530")
    page.get_by_role("button", name="Save changes").click()
    assert page.get_by_text("Changes saved").is_visible()
    assert page.get_by_text("double-booked").count() == 0, page.locator("main").inner_text()
    page.get_by_role("button", name="Publish this session").click()
    assert page.get_by_text("is published in the agenda").is_visible()

    page.goto(f"/e/{NEXT}/agenda/")
    assert page.get_by_role("link", name="Community listening session").is_visible()


def _attendee_token(live_app) -> str:
    from sqlalchemy import select

    from confapp.events.queries import event_by_slug
    from confapp.extensions import db
    from confapp.program.tokens import attendee_token
    from confapp.registration.models import ACTIVE_STATUSES, Registration

    with live_app.app_context():
        event = event_by_slug(NEXT)
        registration = db.session.scalar(select(Registration).where(
            Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES)).order_by(Registration.id.desc()))
        if registration is None:
            from tests.factories import make_registration

            registration = make_registration(event, first_name="Amara", last_name="Nwosu",
                                             email="amara.nwosu@example.org", send_email=False)
            db.session.commit()
        token = attendee_token(registration)
        db.session.remove()
    return token


def test_attendee_stars_a_session_on_a_phone(phone_page, live_app, screenshots_dir):
    token = _attendee_token(live_app)
    phone_page.goto(f"/e/{NEXT}/my-agenda/{token}/")
    assert phone_page.get_by_role("heading", level=1, name=re.compile("My agenda")).is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone_page, "personal agenda on a phone")
    star = phone_page.get_by_role("button", name=re.compile(r"Add to my agenda\W*Federal Government Perspectives"))
    star.click()
    assert phone_page.get_by_text("Added to your agenda. (Federal Government Perspectives)").is_visible()
    starred = phone_page.get_by_role("button", name=re.compile(r"In my agenda\W*Federal Government Perspectives"))
    assert starred.get_attribute("aria-pressed") == "true"
    screenshot(phone_page, screenshots_dir / "program-agenda-phone.png", full_page=False)
    feed = phone_page.request.get(f"/e/{NEXT}/my-agenda/{token}.ics")
    assert "SUMMARY:Federal Government Perspectives" in feed.text()


def test_public_agenda_and_speaker_page_are_accessible(page, phone_page, screenshots_dir):
    phone_page.goto("/e/phrge-institute-2016/agenda/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(phone_page, "public agenda on a phone")
    page.goto("/e/phrge-institute-2016/agenda/?kind=panel")
    assert page.get_by_role("link", name="Federal Government Perspectives").is_visible()
    assert_accessible(page, "filtered agenda")
    screenshot(page, screenshots_dir / "program-agenda.png")
    page.get_by_role("link", name="Priya Raman").first.click()
    assert page.get_by_role("heading", level=1, name=re.compile("Priya Raman")).is_visible()
    assert_accessible(page, "speaker page")
    screenshot(page, screenshots_dir / "program-speaker.png")
    page.emulate_media(media="print")
    assert page.locator(".agenda-filters").count() == 0 or not page.locator(".agenda-filters").is_visible()
