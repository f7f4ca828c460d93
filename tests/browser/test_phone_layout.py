"""On a 360 px phone no page scrolls sideways: wide tables and the organiser menu scroll inside their own box.

A visually hidden caption or label inside a scrolling table used to be placed against the page (its
scroller was not positioned), which widened the whole page to the table's width on the team page and
the timetable. Areas still being built are listed with an explicit xfail naming the owner.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import login_in_browser

SLUG = "phrge-institute-next"
PUBLIC = ["/", "/e/phrge-institute-next/register", f"/e/{SLUG}/", f"/e/{SLUG}/agenda/", f"/e/{SLUG}/speakers/", "/e/phrge-institute-2016/report",
          "/account/login", "/account/signup"]
MANAGE = ["/manage/", f"/manage/{SLUG}/", f"/manage/{SLUG}/edit", f"/manage/{SLUG}/team", f"/manage/{SLUG}/audit",
          f"/manage/{SLUG}/copy", f"/manage/{SLUG}/programme/", f"/manage/{SLUG}/programme/speakers",
          f"/manage/{SLUG}/programme/rooms", f"/manage/{SLUG}/payments", "/manage/phrge-institute-2016/programme/",
          f"/manage/{SLUG}/registrations", f"/manage/{SLUG}/checkin/", f"/manage/{SLUG}/emails/",
          f"/manage/{SLUG}/dashboard", "/manage/phrge-institute-2016/report"]
# Pages of areas still being built whose own markup widens the page: (path, owner).
ACTIVE_AREA_KNOWN: dict[str, str] = {}

WIDER_THAN_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .filter(e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
                     if (getComputedStyle(p).overflowX !== 'visible') return false; } return true; })
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ': ' + (e.textContent || '').trim().slice(0, 40));
}"""


def _overflow(page) -> tuple[int, list[str]]:
    return page.evaluate("document.documentElement.scrollWidth"), page.evaluate(WIDER_THAN_SCREEN)


def _check(page, paths):
    wide = {}
    for path in paths:
        page.goto(path)
        scroll_width, culprits = _overflow(page)
        if scroll_width > 360:
            wide[path] = (scroll_width, culprits[:4])
    ours = {p: w for p, w in wide.items() if p not in ACTIVE_AREA_KNOWN}
    assert not ours, f"pages wider than a 360 px phone: {ours}"
    if wide:
        pytest.xfail("; ".join(f"{p} ({ACTIVE_AREA_KNOWN[p]}): {w}" for p, w in wide.items()))


def test_public_pages_fit_a_phone(phone_page):
    _check(phone_page, PUBLIC)


def test_organiser_pages_fit_a_phone(phone_page):
    login_in_browser(phone_page, "organiser@confapp.example")
    _check(phone_page, MANAGE)


def test_the_dashboard_gives_event_names_room_on_a_phone(phone_page):
    login_in_browser(phone_page, "organiser@confapp.example")
    phone_page.goto("/manage/")
    name_cell = phone_page.locator("table.table--events tbody th").first.bounding_box()
    table = phone_page.locator("table.table--events").first.bounding_box()
    assert name_cell["width"] >= table["width"] * 0.45  # was about a third before the name column was given room


def test_a_speakers_session_cards_stand_apart(phone_page, live_app):
    from sqlalchemy import select

    from confapp.extensions import db
    from confapp.program.models import SessionSpeaker, Speaker
    from confapp.program.tokens import speaker_token

    with live_app.app_context():
        speaker = db.session.scalars(select(Speaker).join(SessionSpeaker).group_by(Speaker.id)
                                     .having(db.func.count(SessionSpeaker.id) > 1).limit(1)).first()
        from confapp.events.models import Event

        url = f"/e/{db.session.get(Event, speaker.event_id).slug}/speaker/{speaker_token(speaker)}/"
        db.session.remove()
    phone_page.goto(url)
    cards = phone_page.locator(".portal-sessions > li.card")
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert second["y"] - (first["y"] + first["height"]) >= 8


def test_a_table_that_scrolls_sideways_can_be_reached_with_the_keyboard(phone_page):
    from tests.support.browser import axe_violations

    login_in_browser(phone_page, "organiser@confapp.example")
    phone_page.goto(f"/manage/{SLUG}/team")
    wrap = phone_page.locator(".table-wrap").first
    assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("role") == "region"
    assert wrap.get_attribute("aria-label")
    assert not [v for v in axe_violations(phone_page) if v["id"] == "scrollable-region-focusable"]


def test_agenda_sessions_use_the_whole_width_of_a_phone(phone_page):
    phone_page.goto(f"/e/{SLUG}/agenda/")
    session = phone_page.locator("ol.sessions > li.session").first.bounding_box()
    assert session["x"] <= 20 and session["width"] >= 360 - 40  # no list indent (ol.plain was unstyled)
