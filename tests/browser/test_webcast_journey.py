"""Issue 15 in real Chromium: an attendee registers online for a webcast whose join details are
revealed already (it starts 10 minutes after the suite's fixed clock, the link shows 30 minutes
before), gets the confirmation email over the real SMTP server, opens the ticket page from it,
follows the personal join link and lands on the meeting URL (a page served by this test on
127.0.0.1); the organiser's live figures then show one online attendee. axe-core on each page."""
from __future__ import annotations

import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import login_in_browser
from tests.support.browser import assert_accessible, screenshot

TITLE = "UPR Tele-Town Hall: Reporting Back from Geneva"
MEETING_PAGE = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Meeting room</title></head>
<body><main><h1>Town hall meeting room</h1><p>You are in the meeting.</p></main></body></html>"""


@pytest.fixture(scope="module")
def meeting_server():
    """The meeting platform: one local page at /room/<id>, recording what was asked for."""
    visits = []

    class Room(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            visits.append(self.path)
            self.send_response(200 if self.path.startswith("/room/") else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(MEETING_PAGE)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Room)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.visits = visits
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def webcast(live_app, meeting_server):
    """An online event by the demo organiser with an online category and join details, built
    through the services; it starts 10 minutes after confapp's clock (the suite's fixed instant)."""
    from sqlalchemy import select

    from confapp.accounts.models import Role, User
    from confapp.events.models import AttendanceMode
    from confapp.events.services import EventData, create_event, publish_event
    from confapp.extensions import db
    from confapp.online import services as online
    from confapp.registration import catalogue
    from confapp.registration.models import PlaceKind
    from confapp.types import utcnow
    from tests.factories import grant

    with live_app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@confapp.example"))
        organiser = db.session.scalar(select(User).where(User.email == "organiser@confapp.example"))
        now = utcnow()
        event = create_event(EventData(title=TITLE, slug="upr-town-hall-webcast", starts_at=now + timedelta(minutes=10),
                                       ends_at=now + timedelta(minutes=70), timezone="America/New_York",
                                       description="A monthly webcast on the Universal Periodic Review."), actor=admin)
        grant(event, organiser, Role.ORGANISER)
        online.set_attendance_modes(event, AttendanceMode.ONLINE, categories={}, sessions={}, actor=organiser)
        catalogue.save_category(event, catalogue.CategoryData(name="Online", price_kind="free", attendance_mode=PlaceKind.ONLINE),
                                actor=organiser)
        meeting_url = f"{meeting_server.url}/room/upr-7391?pwd=q8Zsecret"
        online.save_join_details(event, online.JoinDetailsData(
            meeting_url=meeting_url, dial_in_numbers="+1 646 555 0100 (New York)", access_code="739 104 8812#",
            instructions="Captions are on.", reveal_minutes=30), actor=organiser)
        publish_event(event, actor=organiser)
        db.session.commit()
        data = {"slug": event.slug, "meeting_url": meeting_url, "reveal_at": event.starts_at - timedelta(minutes=30)}
        assert data["reveal_at"] < utcnow()  # the join details are revealed per the app's clock
        db.session.remove()
    return data


def test_an_attendee_registers_for_a_webcast_joins_and_is_counted_online(page, browser, live_server, webcast,
                                                                         meeting_server, smtp_server, screenshots_dir):
    slug = webcast["slug"]
    smtp_server.clear()
    page.goto(f"/e/{slug}/")
    assert page.get_by_role("heading", name=TITLE).is_visible()
    assert webcast["meeting_url"] not in page.content()  # never on a public page
    assert_accessible(page, "webcast: event page")

    page.get_by_role("link", name="Register").first.click()
    page.wait_for_url(f"**/e/{slug}/register")
    assert page.get_by_role("heading", name="Choose your places").is_visible()
    assert_accessible(page, "webcast register: choose places")
    page.locator("select[name^=quantity_]").select_option("1")
    page.get_by_role("button", name="Continue").click()

    assert page.get_by_role("heading", name="Your details").is_visible()
    page.get_by_label("First name (required)").fill("Amara")
    page.get_by_label("Last name", exact=True).fill("Okafor")
    page.get_by_label("Email (required)").fill("amara.okafor@example.org")
    assert_accessible(page, "webcast register: details")
    page.get_by_role("button", name="Review").click()

    assert page.get_by_role("heading", name="Review your registration").is_visible()
    assert_accessible(page, "webcast register: review")
    page.get_by_role("button", name="Confirm registration").click()
    page.wait_for_url(re.compile(rf"/e/{slug}/orders/"))
    assert page.get_by_role("heading", name="You are registered").is_visible()
    assert_accessible(page, "webcast register: done")

    # The confirmation email, over the real SMTP server, links to the ticket page.
    [received] = smtp_server.wait_for(1, timeout=15)
    assert received.envelope_to == ["amara.okafor@example.org"]
    assert TITLE in received.subject
    ticket_url = next(u for u in re.findall(r"https?://\S+", received.text) if "/ticket/" in u)
    assert ticket_url.startswith(live_server.url)

    # A fresh browser (the attendee opens the email elsewhere): the ticket page shows the join link.
    context = browser.new_context(base_url=live_server.url)
    attendee = context.new_page()
    attendee.set_default_timeout(10_000)
    try:
        attendee.goto(ticket_url)
        assert attendee.get_by_role("heading", name="Your ticket").is_visible()
        join = attendee.get_by_role("region", name="Join online")
        assert join.get_by_text("739 104 8812#").is_visible()
        assert webcast["meeting_url"] not in attendee.content()  # only the personal link, never the meeting's
        assert_accessible(attendee, "webcast ticket page")
        screenshot(attendee, screenshots_dir / "webcast-ticket.png")
        link = join.get_by_role("link", name="Join online")
        assert re.fullmatch(r"/j/[\w.-]+", link.get_attribute("href"))
        link.click()

        attendee.wait_for_url(re.compile(r"/j/"))
        assert attendee.get_by_role("heading", name="Join online").is_visible()
        assert attendee.get_by_text("it belongs to Amara Okafor").is_visible()
        assert_accessible(attendee, "webcast join confirmation page")
        attendee.get_by_role("button", name="Join as Amara Okafor").click()
        attendee.wait_for_url(webcast["meeting_url"])
        assert attendee.get_by_role("heading", name="Town hall meeting room").is_visible()
        room = urlparse(webcast["meeting_url"])
        assert [v for v in meeting_server.visits if v.startswith("/room/")] == [f"{room.path}?{room.query}"]
    finally:
        context.close()

    # The organiser's live figures: one online attendee.
    login_in_browser(page, "organiser@confapp.example")
    page.goto(f"/manage/{slug}/checkin/dashboard")
    online = page.get_by_role("region", name="Online")
    assert online.get_by_text("1 of 1 online attendees joined").is_visible()
    assert_accessible(page, "organiser live counts")
    page.goto(f"/manage/{slug}/dashboard")
    attended = page.locator("dt", has_text=re.compile(r"^Attended online$")).locator("xpath=following-sibling::dd[1]")
    assert attended.inner_text().strip() == "1"
    assert_accessible(page, "organiser live figures (dashboard)")
    screenshot(page, screenshots_dir / "webcast-organiser-figures.png", full_page=False)
