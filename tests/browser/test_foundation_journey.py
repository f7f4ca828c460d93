"""Issue 2: an organiser creates and publishes an event and finds it on the public list."""
from tests.browser.conftest import login_in_browser
from tests.support.browser import assert_accessible, screenshot


def test_organiser_creates_and_publishes_an_event(page, screenshots_dir):
    page.goto("/")
    assert_accessible(page, "public event list")
    screenshot(page, screenshots_dir / "public-events.png")

    login_in_browser(page, "organiser@confapp.example")
    assert page.get_by_role("heading", name="My events").is_visible()
    assert_accessible(page, "organiser dashboard")
    screenshot(page, screenshots_dir / "organiser-dashboard.png")

    page.get_by_role("link", name="Create an event").first.click()
    page.get_by_label("Title", exact=True).fill("Human Rights Cities Regional Gathering")
    page.get_by_label("Subtitle or theme").fill("Local power, global standards")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_label("Starts").fill("2027-05-14T09:00")
    page.get_by_label("Ends", exact=True).fill("2027-05-15T17:00")
    page.get_by_label("Venue", exact=True).fill("Jackson Convention Complex")
    page.get_by_label("City", exact=True).fill("Jackson")
    page.get_by_label("Organising organisations").fill("US Human Rights Cities Alliance")
    page.get_by_role("button", name="Create event").click()
    page.wait_for_url("**/manage/human-rights-cities-regional-gathering/")
    assert page.get_by_text("Event created as a draft").is_visible()

    page.get_by_role("button", name="Publish event").click()
    assert page.get_by_text("The event is published").is_visible()

    page.goto("/")
    page.get_by_role("link", name="Human Rights Cities Regional Gathering").click()
    assert page.get_by_role("heading", level=1, name="Human Rights Cities Regional Gathering").is_visible()
    assert page.get_by_text("14–15 May 2027").first.is_visible()
    assert_accessible(page, "public event page")


def test_demo_event_page_is_accessible_on_a_phone(phone_page, screenshots_dir):
    phone_page.goto("/e/phrge-institute-2016/")
    assert phone_page.get_by_role("heading", level=1).is_visible()
    assert_accessible(phone_page, "event page on a phone")
    screenshot(phone_page, screenshots_dir / "event-page-phone.png")
    # When and where come before the long description on a phone.
    when = phone_page.locator("dt", has_text="When").bounding_box()
    about = phone_page.get_by_role("heading", name="About").bounding_box()
    assert when["y"] < about["y"]
    # Nothing wider than the phone's screen: no sideways scrolling.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
