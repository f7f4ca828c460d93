"""Registering on a phone in real Chromium (360 px): a free place with a conditional question
up to the self-service ticket page, and joining the waitlist of a full event. axe-core on each step."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import assert_accessible, screenshot


def test_free_registration_with_conditional_question_on_a_phone(phone_page, screenshots_dir):
    page = phone_page
    page.goto("/e/phrge-institute-next/")
    page.get_by_role("link", name="Register").click()
    page.wait_for_url("**/e/phrge-institute-next/register")
    assert page.get_by_role("heading", name="Register").is_visible()
    assert_accessible(page, "register: choose places")
    screenshot(page, screenshots_dir / "registration-choose-phone.png")

    page.get_by_label("How many people in Community member").select_option("1")
    # The demo event is hybrid: its online category has a pay-what-you-can amount too.
    community = page.locator("li.category").filter(has=page.get_by_label("How many people in Community member"))
    community.get_by_label("Amount per person (USD)").fill("0")
    page.get_by_role("button", name="Continue").click()

    assert page.get_by_role("heading", name="Your details").is_visible()
    ages = page.get_by_label("How many children, and their ages?")
    # Conditional: hidden until childcare is asked for. Shown without JavaScript; the page's
    # deferred script hides it, which on a busy machine can come after the heading is drawn.
    expect(ages).to_be_hidden()
    page.get_by_label("First name").fill("Imani")
    page.get_by_label("Last name").fill("Walker")
    page.get_by_label("Email (required)").fill("imani.walker@example.org")
    page.get_by_role("textbox", name="Organisation").fill("Mississippi Center for Justice")
    page.get_by_label("Country").select_option("US")
    page.locator("fieldset", has_text="Do you need childcare").get_by_label("Yes", exact=True).check()
    assert ages.is_visible()
    assert_accessible(page, "register: details")
    screenshot(page, screenshots_dir / "registration-details-phone.png")

    # Required once shown: leaving it empty re-renders with the message and keeps what was typed.
    page.get_by_role("button", name="Review").click()
    assert page.get_by_role("alert").get_by_text("Answer this question.").is_visible()
    assert page.get_by_label("First name").input_value() == "Imani"
    assert_accessible(page, "register: details with errors")
    page.get_by_label("How many children, and their ages?").fill("One, age 4")
    page.get_by_role("button", name="Review").click()

    assert page.get_by_role("heading", name="Review your registration").is_visible()
    assert page.get_by_text("One, age 4").is_visible()
    assert_accessible(page, "register: review")
    page.get_by_role("button", name="Confirm registration").click()

    page.wait_for_url(re.compile(r"/e/phrge-institute-next/orders/"))
    assert page.get_by_role("heading", name="You are registered").is_visible()
    assert_accessible(page, "register: done")
    screenshot(page, screenshots_dir / "registration-done-phone.png")

    page.get_by_role("link", name=re.compile("Ticket and answers")).click()
    assert page.get_by_role("heading", name="Your ticket").is_visible()
    assert page.get_by_role("img", name=re.compile("QR code for ticket")).is_visible()
    assert_accessible(page, "self-service ticket page")
    screenshot(page, screenshots_dir / "registration-ticket-phone.png")
    page.get_by_role("textbox", name="Organisation").fill("Cooperation Jackson")
    page.get_by_role("button", name="Save my answers").click()
    assert page.get_by_text("Your answers are saved.").is_visible()
    assert page.get_by_role("textbox", name="Organisation").input_value() == "Cooperation Jackson"


@pytest.fixture
def full_event_slug(live_app):
    from sqlalchemy import select

    from confapp.accounts.models import User
    from confapp.events.services import EventData, create_event, publish_event
    from confapp.extensions import db
    from confapp.registration import catalogue, services
    from confapp.registration.services import AttendeeData, CategoryChoice, OrderRequest
    from confapp.types import utcnow

    with live_app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@confapp.example"))
        now = utcnow()
        from datetime import timedelta

        event = create_event(EventData(title="Baltimore Human Rights Cities Workshop", slug="baltimore-workshop-full",
                                       starts_at=now + timedelta(days=20), ends_at=now + timedelta(days=20, hours=6),
                                       timezone="America/New_York", capacity=1, venue_name="Enoch Pratt Free Library"),
                             actor=admin)
        publish_event(event, actor=admin)
        category = catalogue.save_category(event, catalogue.CategoryData(name="General"), actor=admin)
        services.place_order(event, OrderRequest([CategoryChoice(category.id, 1)],
                                                 [AttendeeData("Kwame", "Mensah", "kwame@example.org")], send_email=False),
                             now=now)
        db.session.commit()
        slug = event.slug
        db.session.remove()
    return slug


def test_join_the_waitlist_of_a_full_event_on_a_phone(phone_page, full_event_slug, screenshots_dir):
    page = phone_page
    page.goto(f"/e/{full_event_slug}/register")
    assert page.get_by_text("This event is full.").is_visible()
    assert_accessible(page, "register: full event with waitlist")
    page.get_by_label("Your name").fill("Grace Okafor")
    page.get_by_label("Email").fill("grace.okafor@example.org")
    page.get_by_role("button", name="Join the waitlist").click()
    assert page.get_by_role("heading", name="You are on the waitlist").is_visible()
    assert_accessible(page, "waitlist joined")
    screenshot(page, screenshots_dir / "registration-waitlist-phone.png")


def test_organiser_registrations_pages_are_accessible(page, screenshots_dir):
    from tests.browser.conftest import login_in_browser

    login_in_browser(page, "organiser@confapp.example")
    # The upcoming edition: the 2016 Institute's personal data is deleted (past its retention).
    page.goto("/manage/phrge-institute-next/registrations")
    assert page.get_by_role("heading", name="Registrations", exact=True).is_visible()
    assert_accessible(page, "organiser registrations list")
    screenshot(page, screenshots_dir / "registration-organiser-list.png", full_page=False)
    page.get_by_role("searchbox", name="Search").fill("Boston University")
    page.get_by_role("button", name="Filter").click()
    assert page.get_by_text(re.compile(r"\d+ registrations? match")).is_visible()
    page.locator("table tbody th a").first.click()
    assert page.get_by_role("heading", name="History").is_visible()
    assert_accessible(page, "organiser registration detail")
    for path in ("waitlist", "registration/categories", "registration/questions", "registration/codes",
                 "registration/settings", "registrations/new"):
        page.goto(f"/manage/phrge-institute-2016/{path}")
        assert_accessible(page, f"organiser page {path}")
