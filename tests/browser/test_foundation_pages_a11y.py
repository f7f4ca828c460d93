"""Accessibility of the foundation's other pages in real Chromium: account forms (with their
error states), and the organiser's event form, team page and audit log."""
from tests.browser.conftest import login_in_browser
from tests.support.browser import assert_accessible, screenshot


def test_account_pages_are_accessible_including_errors(page):
    for path in ("/account/login", "/account/signup", "/account/password-reset"):
        page.goto(path)
        assert_accessible(page, path)
    page.goto("/account/login")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text("do not match an account").first.is_visible()
    assert_accessible(page, "login with an error")
    page.goto("/e/no-such-event/")
    assert_accessible(page, "404 page")


def test_organiser_pages_are_accessible(page, screenshots_dir):
    login_in_browser(page, "admin@confapp.example")
    slug = "phrge-institute-next"
    for path in (f"/manage/{slug}/", f"/manage/{slug}/edit", f"/manage/{slug}/copy", f"/manage/{slug}/audit",
                 "/manage/events/new", "/manage/series/new"):
        page.goto(path)
        assert_accessible(page, path)
    page.goto(f"/manage/{slug}/team")
    assert page.get_by_role("heading", name="Grant a role to an existing account").is_visible()
    assert_accessible(page, "team page")
    screenshot(page, screenshots_dir / "team-page.png")
    # Both forms on the page keep their own labels.
    page.get_by_label("Account email").fill("ghost@example.org")
    page.get_by_role("button", name="Grant role").click()
    assert page.get_by_text("No account uses that email").first.is_visible()
    assert_accessible(page, "team page with an error")



def test_check_in_management_page_is_accessible(page):
    """Its regions (lists, new list, volunteer links, badges) each have a name of their own (axe
    `landmark-unique`), also once a volunteer link exists and when a form comes back with errors."""
    login_in_browser(page, "admin@confapp.example")
    page.goto("/manage/phrge-institute-next/checkin/")
    assert page.get_by_role("region", name="Lists").is_visible()
    assert page.get_by_role("region", name="Volunteer links").is_visible()
    assert_accessible(page, "check-in management page")
    page.get_by_label("Door or person").fill("Door 3 volunteer")
    page.get_by_label("Works from").fill("2026-11-21T09:00")
    page.get_by_label("Works until").fill("2026-11-21T18:00")
    page.get_by_role("button", name="Create link").click()
    assert page.get_by_role("heading", name="Volunteer link created").is_visible()
    assert_accessible(page, "check-in management page with a new volunteer link")
    page.get_by_role("button", name="Create list").click()
    assert page.get_by_role("heading", name="Please check the form").is_visible()
    assert_accessible(page, "check-in management page with a form error")
