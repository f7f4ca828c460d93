"""An organiser writes to participants in real Chromium: compose, pick a segment, watch the
count change, preview, send, and watch the progress bar reach done while the REAL huey
consumer process delivers to the real SMTP server. axe-core on composer, progress, history."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from confapp import jobs
from confapp.config import PROJECT_ROOT
from tests.browser.conftest import login_in_browser
from tests.support.browser import assert_accessible, screenshot

ORGANISER = "organiser@confapp.example"
SLUG = "phrge-institute-next"


@pytest.fixture
def audience(live_app):
    """60 registrations on the next Institute (the demo has none of its own yet)."""
    from sqlalchemy import select

    from confapp.events.models import Event
    from confapp.extensions import db
    from confapp.registration.models import QuestionKind, RegistrationStatus
    from tests.support.outreach import add_category, add_question, add_registration

    with live_app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        general = add_category(event, "General (browser test)")
        language = add_question(event, "Interpretation (browser test)", kind=QuestionKind.SINGLE_CHOICE,
                                options=["Spanish", "English"])
        for i in range(60):
            add_registration(event, f"participant{i:02d}@example.org", f"Part{i:02d}", "Icipant",
                             status=RegistrationStatus.CONFIRMED if i % 4 else RegistrationStatus.CANCELLED,
                             category=general, answers={language: "Spanish" if i % 3 == 0 else "English"})
        db.session.commit()
        question_id = language.id
        db.session.remove()
    return question_id


@pytest.fixture
def consumer(live_app, smtp_server, tmp_path):
    """The test process enqueues into a SqliteHuey file; a real consumer process delivers."""
    jobs.huey.immediate = False
    jobs.huey.flush()
    env = dict(os.environ, CONFAPP_INSTANCE=str(tmp_path / "instance"),
               DATABASE_URL=live_app.config["SQLALCHEMY_DATABASE_URI"], HUEY_SQLITE_FILE=jobs.huey.storage.filename,
               MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_server.port), SECRET_KEY=live_app.config["SECRET_KEY"],
               BASE_URL=live_app.config["BASE_URL"])
    env.pop("HUEY_IMMEDIATE", None)
    log = open(tmp_path / "consumer.log", "w")
    process = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "huey_consumer"), "confapp.worker.huey",
                                "-w", "2", "-k", "thread", "-d", "0.05"], cwd=PROJECT_ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()
        jobs.huey.flush()
        jobs.huey.immediate = True


def test_compose_segment_preview_send_and_watch_progress(page, live_server, audience, consumer, smtp_server,
                                                         screenshots_dir):
    smtp_server.clear()
    login_in_browser(page, ORGANISER)
    page.goto(f"/manage/{SLUG}/")
    page.get_by_role("link", name="Emails").click()
    page.get_by_role("link", name="Write an email").click()

    # Pick a segment: confirmed AND interpretation = Spanish; the count follows live.
    page.locator("#cond-0-choice").select_option("status:confirmed")
    page.locator("#cond-1-choice").select_option(f"answer:{audience}")
    page.locator("#cond-1-answer").fill("Spanish")
    count = page.locator("[data-count]")
    # i % 3 == 0 (Spanish) and i % 4 != 0 (confirmed): 20 Spanish, of which 5 cancelled.
    expect(count).to_have_text("15")
    assert "Part03 Icipant" in page.locator("[data-sample]").text_content()
    page.get_by_label("Subject", exact=True).fill("Interpretation at the Institute, {{ first_name }}")
    page.get_by_label("Message", exact=True).fill("Dear {{ full_name }},\n\nYou asked for **{{ answers.q%d }}** interpretation." % audience)
    assert_accessible(page, "composer")
    screenshot(page, screenshots_dir / "outreach-composer.png")
    page.get_by_role("button", name="Save and preview").click()
    page.wait_for_url("**/emails/*")

    # Preview as a chosen recipient.
    page.get_by_role("link", name="Preview as a recipient").click()
    page.get_by_label("Preview as (email address in the segment)").fill("participant03@example.org")
    page.get_by_role("button", name="Show").click()
    assert page.locator("[data-preview-subject]").text_content() == "Interpretation at the Institute, Part03"
    frame = page.frame_locator("iframe.email-frame")
    assert "You asked for Spanish interpretation." in frame.locator("body").text_content()
    page.get_by_role("link", name="Back to the email").click()

    # Send: the page shows the progress bar, polled until done.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Send now to 15 people").click()
    page.wait_for_selector("progress#delivery-progress")
    assert_accessible(page, "progress page")
    expect(page.locator("[data-progress-url]")).to_have_attribute("data-finished", "true", timeout=60_000)
    assert page.locator("progress#delivery-progress").get_attribute("value") == "15"
    assert "Done." in page.locator("[data-progress-text]").text_content()
    screenshot(page, screenshots_dir / "outreach-progress.png")
    received = smtp_server.wait_for(15, timeout=30)
    assert sorted(m.envelope_to[0] for m in received) == sorted(
        f"participant{i:02d}@example.org" for i in range(60) if i % 3 == 0 and i % 4)
    assert len(received) == 15

    # History with counts.
    page.get_by_role("link", name="Emails", exact=True).first.click()
    row = page.get_by_role("row").filter(has_text="Interpretation at the Institute")
    assert "15" in row.text_content()
    assert_accessible(page, "history")
    screenshot(page, screenshots_dir / "outreach-history.png")

    # A participant follows the unsubscribe link in their email (a fresh browser, no login).
    link = received[0].message["List-Unsubscribe"].strip("<>")
    assert link.startswith(live_server.url) and received[0].message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page.context.clear_cookies()
    page.goto(link)
    assert_accessible(page, "unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("status")).to_contain_text("you will receive no more announcements about this event")


def test_composer_and_reminders_on_a_phone(phone_page, live_server, screenshots_dir):
    page = phone_page
    login_in_browser(page, ORGANISER)
    page.goto(f"/manage/{SLUG}/emails/new")
    page.locator("#cond-0-choice").select_option("flag:staff")
    expect(page.locator("[data-count]")).not_to_have_text("0")
    assert_accessible(page, "composer on a phone")
    assert page.evaluate("document.querySelector('main').scrollWidth") <= 360  # our content; the shared event menu scrolls on its own
    screenshot(page, screenshots_dir / "outreach-composer-phone.png")
    page.goto(f"/manage/{SLUG}/emails/reminders")
    assert "2 days before start at 09:00 event time" in page.content()  # the demo's reminder
    assert_accessible(page, "reminders on a phone")
    assert page.evaluate("document.querySelector('main').scrollWidth") <= 360  # our content; the shared event menu scrolls on its own
