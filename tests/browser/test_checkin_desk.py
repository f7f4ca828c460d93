"""Issue 5 in real Chromium: scan -> green, again -> yellow, partial-name search -> check in,
network cut -> scan queued -> network back -> synced; live counts; axe on desk and dashboard."""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login_in_browser
from tests.support.browser import assert_accessible, screenshot


@pytest.fixture(scope="module")
def desk_world(live_app):
    """A list and a few attendees on the demo's next PHRGE Institute (where the demo staff member works)."""
    from confapp.checkin import services
    from confapp.events.models import Event
    from confapp.extensions import db
    from confapp.types import utcnow
    from tests.support.checkin import attendee, category

    with live_app.app_context():
        event = Event.query.filter_by(slug="phrge-institute-next").one()
        organiser = next(r.user for r in event.roles if r.role.value == "organiser")
        checkin_list = services.main_list(event, actor=organiser, now=utcnow())
        general = category(event, "General admission")
        people = {
            "amara": attendee(event, first_name="Amara", last_name="Okonkwo-Delacroix", cat=general,
                              answers={"pronouns": "she/her", "accessibility": "Step-free route, reserved seat near the front",
                                       "interpretation": "Spanish", "organisation": "Boston Tenants United"}),
            "zainab": attendee(event, first_name="Zainab", last_name="Qureshi", cat=general, answers={"organisation": "Mass Alliance"}),
            "li": attendee(event, first_name="Li", last_name="Wei", cat=general),
            "diego": attendee(event, first_name="Diego", last_name="Ramírez", cat=general),
        }
        db.session.commit()
        return {"slug": event.slug, "list_id": checkin_list.id, "codes": {k: r.ticket_code for k, r in people.items()},
                "ids": {k: r.id for k, r in people.items()}}


def _scan(page, code):
    field = page.get_by_label("Scan a ticket, type its code, or search by name, email or organisation")
    expect(page.locator("#desk-input")).to_be_focused()
    field.type(code, delay=5)
    field.press("Enter")


def test_desk_scan_search_offline_and_sync(page, desk_world, live_app, screenshots_dir, artifacts_dir):
    login_in_browser(page, "staff@confapp.example")
    page.goto(f"/manage/{desk_world['slug']}/checkin/desk/{desk_world['list_id']}")
    status = page.locator("[data-net-text]")
    expect(page.locator("[data-net-text]")).to_have_text(re.compile("^Online"))
    result = page.locator("[data-result]")
    assert result.get_attribute("aria-live") == "assertive"

    _scan(page, desk_world["codes"]["amara"])
    card = result.locator(".result--ok")
    card.wait_for()
    assert "Checked in" in card.text_content() and "Amara Okonkwo-Delacroix" in card.text_content()
    assert "Pronouns: she/her" in card.text_content() and "Interpretation: Spanish" in card.text_content()
    assert "Accessibility needs: Step-free route" in card.text_content() and "Language: English" in card.text_content()
    assert_accessible(page, "check-in desk (green result)")
    shot = screenshot(page, screenshots_dir / "checkin-desk.png")
    shutil.copy(shot, artifacts_dir / "checkin-desk.png")

    _scan(page, desk_world["codes"]["amara"])
    warn = result.locator(".result--warn")
    warn.wait_for()
    assert "Already checked in" in warn.text_content()
    assert re.search(r"Already checked in at \d\d:\d\d by Maria Lopez", warn.text_content())

    field = page.locator("#desk-input")
    field.type("zain qur", delay=20)
    match = page.locator("[data-results] li").filter(has_text="Zainab Qureshi")
    match.wait_for()
    match.get_by_role("button", name="Check in").click()
    result.locator(".result--ok", has_text="Zainab Qureshi").wait_for()
    expect(page.locator("#desk-input")).to_be_focused()

    _scan(page, "NOT-A-REAL-CODE-123")
    result.locator(".result--bad", has_text="Unknown code").wait_for()

    # The network drops: the scan is decided from the offline copy and queued.
    page.context.set_offline(True)
    _scan(page, desk_world["codes"]["li"])
    result.locator(".result--ok", has_text="Checked in (offline)").wait_for()
    expect(status).to_contain_text("1 scan waiting")
    assert "Offline" in status.text_content()
    _scan(page, desk_world["codes"]["amara"])
    result.locator(".result--warn", has_text="Already checked in").wait_for()
    screenshot(page, artifacts_dir / "checkin-desk-offline.png")

    page.context.set_offline(False)
    expect(status).to_contain_text("All scans sent", timeout=20_000)
    assert _checked_in(live_app, desk_world["list_id"]) >= {desk_world["ids"][k] for k in ("amara", "zainab", "li")}

    # Undo the last check-in (made online).
    _scan(page, desk_world["codes"]["diego"])
    result.locator(".result--ok", has_text="Diego").wait_for()
    page.get_by_role("button", name="Undo last check-in").click()
    result.locator(".result--info", has_text="undone").wait_for()
    assert desk_world["ids"]["diego"] not in _checked_in(live_app, desk_world["list_id"])


def _checked_in(live_app, list_id) -> set[int]:
    from confapp.checkin.models import CheckIn
    from confapp.extensions import db

    with live_app.app_context():
        ids = {c.registration_id for c in CheckIn.query.filter_by(list_id=list_id, reverted_at=None)}
        db.session.remove()
        return ids


def test_live_counts_dashboard_updates_without_reload(page, desk_world, live_app, screenshots_dir):
    from confapp.checkin import services
    from confapp.checkin.models import CheckInList
    from confapp.extensions import db
    from confapp.types import utcnow

    login_in_browser(page, "organiser@confapp.example")
    page.goto(f"/manage/{desk_world['slug']}/checkin/dashboard")
    assert_accessible(page, "live counts dashboard")
    before = int(page.locator("[data-count]").text_content())
    page.evaluate("window.__marker = 'same page'")
    with live_app.app_context():
        checkin_list = db.session.get(CheckInList, desk_world["list_id"])
        services.redeem(desk_world["codes"]["diego"], checkin_list=checkin_list, station="Door 9",
                        actor=checkin_list.event.roles[0].user, now=utcnow())
        db.session.commit()
        db.session.remove()
    expect(page.locator("[data-count]")).not_to_have_text(str(before), timeout=15_000)
    assert page.evaluate("window.__marker") == "same page"
    assert_accessible(page, "live counts dashboard after an update")
    screenshot(page, screenshots_dir / "checkin-dashboard.png")


def test_desk_on_a_phone_is_accessible(phone_page, desk_world):
    login_in_browser(phone_page, "staff@confapp.example")
    phone_page.goto(f"/manage/{desk_world['slug']}/checkin/desk/{desk_world['list_id']}")
    expect(phone_page.locator("[data-net-text]")).to_have_text(re.compile("^Online"))
    phone_page.get_by_role("button", name="Scan with camera").click()
    msg = phone_page.locator("[data-camera-msg]")
    msg.wait_for()
    assert msg.text_content()  # either the camera starts or the fallback explains what to do
    assert_accessible(phone_page, "check-in desk on a phone")


def _cached_keys(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('confapp-checkin'))")


def _idb_has_copy(page) -> bool:
    return page.evaluate("""() => new Promise(resolve => {
        const r = indexedDB.open('confapp-checkin');
        r.onsuccess = () => { const db = r.result; const has = db.objectStoreNames.contains('lists');
          if (!has) { db.close(); resolve(false); return; }
          const q = db.transaction('lists').objectStore('lists').count(); q.onsuccess = () => { db.close(); resolve(q.result > 0); }; };
        r.onerror = () => resolve(false); })""")


def test_volunteer_link_desk_works_without_an_account_and_forgets_when_revoked(page, desk_world, live_app):
    from datetime import timedelta

    from confapp.checkin import services
    from confapp.checkin.models import CheckInList, VolunteerLink
    from confapp.extensions import db
    from confapp.types import utcnow

    with live_app.app_context():
        checkin_list = db.session.get(CheckInList, desk_world["list_id"])
        organiser = checkin_list.event.roles[0].user
        link, token = services.create_volunteer_link(checkin_list, name="Door 7 volunteer", valid_from=utcnow() - timedelta(hours=1),
                                                     valid_until=utcnow() + timedelta(hours=2), actor=organiser, now=utcnow())
        db.session.commit()
        link_id, event_id = link.id, checkin_list.event_id
        db.session.remove()
    page.goto(f"/checkin/v/{token}")
    expect(page.locator("[data-net-text]")).to_have_text(re.compile("^Online"))
    assert page.get_by_role("link", name="Check-in").count() == 0  # no organiser menu
    assert_accessible(page, "volunteer link desk")
    with live_app.app_context():
        from tests.support.checkin import attendee
        from confapp.events.models import Event

        guest = attendee(db.session.get(Event, event_id), first_name="Farah", last_name="Nasser")
        db.session.commit()
        guest_code = guest.ticket_code
        db.session.remove()
    page.locator("#desk-input").type(guest_code)
    page.locator("#desk-input").press("Enter")
    card = page.locator("[data-result] .result--ok")
    card.wait_for()
    page.wait_for_timeout(500)
    assert _idb_has_copy(page)
    with live_app.app_context():
        services.revoke_volunteer_link(db.session.get(VolunteerLink, link_id), actor=None, now=utcnow())
        db.session.commit()
        db.session.remove()
    expect(page.locator("[data-result]")).to_contain_text("This link no longer works", timeout=15_000)
    assert _cached_keys(page) == [] and not _idb_has_copy(page)
    assert page.locator("#desk-input").is_disabled()


def test_logging_out_clears_the_offline_copy(page, desk_world):
    login_in_browser(page, "staff@confapp.example")
    page.goto(f"/manage/{desk_world['slug']}/checkin/desk/{desk_world['list_id']}")
    expect(page.locator("[data-net-text]")).to_have_text(re.compile("^Online"))
    page.get_by_text("Desk settings").click()
    page.locator("#desk-station").fill("Door 3")
    page.locator("#desk-station").dispatch_event("change")
    page.wait_for_timeout(300)
    assert _idb_has_copy(page) and _cached_keys(page)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**logged_out=1**")
    page.wait_for_timeout(300)
    assert _cached_keys(page) == [] and not _idb_has_copy(page)


# Chromium on Linux has no BarcodeDetector: the Shape Detection API exists only on Android,
# ChromeOS and macOS. So the platform's QR decoder is the one part that cannot run here, and this
# stand-in takes its place. It answers only once the camera is really delivering frames (drawn
# to a canvas and not blank). Everything else is real: the camera permission, Chromium's fake
# camera device, the desk's scan loop, and the loop ignoring a code that stays in view.
STAND_IN_BARCODE_DETECTOR = """
window.__detectCalls = 0;
window.BarcodeDetector = class StandInBarcodeDetector {
  constructor(options) { window.__formats = options.formats; }
  async detect(video) {
    window.__detectCalls += 1;
    if (!video.videoWidth || !window.__ticketInView) { return []; }
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    const context = canvas.getContext('2d');
    context.drawImage(video, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let differs = false;
    for (let i = 4; i < pixels.length && !differs; i += 4) { differs = pixels[i] !== pixels[0] || pixels[i + 1] !== pixels[1]; }
    window.__framesSeen = differs;
    return differs ? [{ rawValue: window.__ticketInView, format: 'qr_code' }] : [];
  }
};
"""


@pytest.fixture
def camera_page(playwright_instance, live_server):
    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, PHONE

    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"])
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, is_mobile=True, has_touch=True,
                                  permissions=["camera"])
    context.add_init_script(STAND_IN_BARCODE_DETECTOR)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
    browser.close()


def test_camera_scan_checks_in_once_while_the_code_stays_in_view(camera_page, desk_world, live_app):
    from sqlalchemy import func, select

    from confapp.checkin.models import CheckIn
    from confapp.events.models import Event
    from confapp.extensions import db
    from tests.support.checkin import attendee

    with live_app.app_context():
        event = Event.query.filter_by(slug=desk_world["slug"]).one()
        kofi = attendee(event, first_name="Kofi", last_name="Mensah")
        db.session.commit()
        code, kofi_id = kofi.ticket_code, kofi.id
        db.session.remove()

    page = camera_page
    login_in_browser(page, "staff@confapp.example")
    page.goto(f"/manage/{desk_world['slug']}/checkin/desk/{desk_world['list_id']}")
    expect(page.locator("[data-net-text]")).to_have_text(re.compile("^Online"))
    page.evaluate("code => { window.__ticketInView = code; }", code)
    page.get_by_role("button", name="Scan with camera").click()
    expect(page.locator("[data-camera-msg]")).to_have_text(re.compile("Camera on"))
    expect(page.locator("[data-video]")).to_be_visible()

    card = page.locator("[data-result] .result--ok")
    expect(card).to_contain_text("Kofi Mensah")
    assert page.evaluate("window.__framesSeen") is True
    assert page.evaluate("window.__formats") == ["qr_code"]
    # The code stays in front of the camera: the loop keeps looking but does not scan it again.
    calls = page.evaluate("window.__detectCalls")
    page.wait_for_function("n => window.__detectCalls >= n + 4", arg=calls)
    expect(page.locator("[data-result] .result--warn")).to_have_count(0)
    with live_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.registration_id == kofi_id)) == 1
        db.session.remove()

    page.get_by_role("button", name="Stop camera").click()
    expect(page.locator("[data-camera-msg]")).to_have_text("Camera off.")
    expect(page.locator("[data-video]")).to_be_hidden()
    assert page.evaluate("document.querySelector('[data-video]').srcObject.getTracks().every(t => t.readyState === 'ended')")


def test_session_room_offline_admits_walk_ins_up_to_its_places_and_reports_refusals(page, desk_world, live_app):
    """A workshop of 2 places with one signed up: offline, one walk-in gets in and the next is told
    the session is full; back online, a walk-in that another desk already admitted is reported."""
    from datetime import timedelta

    from confapp.checkin import services
    from confapp.checkin.models import ListKind
    from confapp.events.models import Event
    from confapp.extensions import db
    from confapp.program.attendance import sign_up
    from confapp.types import utcnow
    from tests.factories import make_session
    from tests.support.checkin import attendee

    with live_app.app_context():
        event = Event.query.filter_by(slug=desk_world["slug"]).one()
        organiser = next(r.user for r in event.roles if r.role.value == "organiser")
        workshop = make_session(event, title="Know your rights at the border", capacity=2, kind="workshop", publish=True,
                                actor=organiser)
        signed, first, second, third = (attendee(event, first_name=name, last_name="Walker")
                                        for name in ("Signed", "Early", "Late", "Other"))
        sign_up(workshop, signed, now=utcnow())
        room = services.create_list(event, name="Border rights room", kind=ListKind.SESSION, program_session_id=workshop.id,
                                    actor=organiser, now=utcnow())
        _, token = services.create_volunteer_link(room, name="Room 2 door", valid_from=utcnow() - timedelta(hours=1),
                                                  valid_until=utcnow() + timedelta(hours=2), actor=organiser, now=utcnow())
        db.session.commit()
        codes = {"signed": signed.ticket_code, "first": first.ticket_code, "second": second.ticket_code,
                 "third": third.ticket_code}
        room_id = room.id
        db.session.remove()

    page.goto(f"/checkin/v/{token}")
    status = page.locator("[data-net-text]")
    expect(status).to_have_text(re.compile("^Online"))
    # The offline copy is downloaded on opening, and the desk says so.
    expect(page.locator("[data-copy-text]")).to_have_text(re.compile(r"^Offline copy on this device: \d+ people, as of \d\d:\d\d\.$"),
                                                          timeout=30_000)
    result = page.locator("[data-result]")

    page.context.set_offline(True)
    _scan(page, codes["first"])
    result.locator(".result--ok", has_text="Checked in (offline)").wait_for()
    _scan(page, codes["second"])
    result.locator(".result--bad", has_text="Session full").wait_for()
    assert "did not sign up" in result.text_content()
    _scan(page, codes["signed"])  # a signed-up place is kept whatever walk-ins did
    result.locator(".result--ok", has_text="Signed Walker").wait_for()
    expect(status).to_contain_text("2 scans waiting")

    # Meanwhile another desk, online, gave the last walk-in place to someone else.
    with live_app.app_context():
        from confapp.checkin.models import CheckInList

        other_desk = db.session.get(CheckInList, room_id)
        from confapp.audit.services import SYSTEM  # the services check their actor (a desk, a user or the system)

        assert services.redeem(codes["third"], checkin_list=other_desk, station="Room 2 side door", actor=SYSTEM, now=utcnow()).ok
        db.session.commit()
        db.session.remove()

    page.context.set_offline(False)
    refused = result.locator(".result--bad", has_text="Refused after going back online")
    refused.wait_for(timeout=20_000)
    assert "Session full" in refused.text_content() and "Early Walker" in refused.text_content()
    expect(status).to_contain_text("All scans sent")
    checked_in = _checked_in(live_app, room_id)
    with live_app.app_context():
        from confapp.registration.models import Registration

        names = {r.first_name for r in Registration.query.filter(Registration.id.in_(checked_in))}
        db.session.remove()
    assert names == {"Signed", "Other"}
    assert_accessible(page, "session desk after a refused sync")


def _new_guest(live_app, slug, first_name):
    """(ticket code, registration id) of a new confirmed attendee at the desk's event."""
    from confapp.events.models import Event
    from confapp.extensions import db
    from tests.support.checkin import attendee

    with live_app.app_context():
        guest = attendee(Event.query.filter_by(slug=slug).one(), first_name=first_name, last_name="Zone")
        db.session.commit()
        found = guest.ticket_code, guest.id
        db.session.remove()
        return found


def _new_category(live_app, slug, **fields) -> str:
    from confapp.events.models import Event
    from confapp.extensions import db
    from tests.support.checkin import category

    with live_app.app_context():
        made = category(Event.query.filter_by(slug=slug).one(), **fields)
        db.session.commit()
        name = made.name
        db.session.remove()
        return name


def _contrast(rgb_a: str, rgb_b: str) -> float:
    def luminance(rgb):
        values = [int(v) / 255 for v in re.findall(r"\d+", rgb)[:3]]
        values = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
        return 0.2126 * values[0] + 0.7152 * values[1] + 0.0722 * values[2]
    high, low = sorted((luminance(rgb_a), luminance(rgb_b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_undo_works_after_an_offline_check_in_syncs_and_times_are_the_events(browser, live_server, desk_world, live_app):
    """On a device set to Tokyo time: the desk's times are the event's, in its named zone; the
    disabled undo button looks disabled and stays readable; an offline check-in, once sent, can be undone."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from tests.support.browser import DESKTOP

    code, guest_id = _new_guest(live_app, desk_world["slug"], "Kenji")
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login_in_browser(page, "staff@confapp.example")
        page.goto(f"/manage/{desk_world['slug']}/checkin/desk/{desk_world['list_id']}")
        desk = page.locator("[data-desk]")
        zone = desk.get_attribute("data-timezone")
        expect(page.locator("[data-zone]")).to_contain_text(zone.replace("_", " ") + " time")
        copy = page.locator("[data-copy-text]")
        expect(copy).to_have_text(re.compile(r"as of \d\d:\d\d\.$"))
        shown = re.search(r"as of (\d\d:\d\d)", copy.text_content()).group(1)
        server_now = datetime.fromisoformat(desk.get_attribute("data-server-now"))
        in_event = server_now.astimezone(ZoneInfo(zone))
        # The copy is made a moment after the page: allow two minutes.
        assert any((in_event + timedelta(minutes=m)).strftime("%H:%M") == shown for m in (0, 1, 2)), (shown, in_event)
        assert shown != server_now.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%H:%M")

        undo = page.get_by_role("button", name="Undo last check-in")
        camera = page.get_by_role("button", name="Scan with camera")
        expect(undo).to_be_disabled()
        style = "e => { const s = getComputedStyle(e); return [s.color, s.backgroundColor, s.borderTopStyle, s.cursor]; }"
        off, on = undo.evaluate(style), camera.evaluate(style)
        assert off != on and off[2] == "dashed" and off[3] == "not-allowed", (off, on)
        assert _contrast(off[0], off[1]) >= 4.5

        page.context.set_offline(True)
        _scan(page, code)
        page.locator("[data-result] .result--ok", has_text="Checked in (offline)").wait_for()
        expect(undo).to_be_enabled()
        page.context.set_offline(False)
        expect(page.locator("[data-net-text]")).to_contain_text("All scans sent", timeout=20_000)
        assert guest_id in _checked_in(live_app, desk_world["list_id"])
        expect(undo).to_be_enabled()
        assert undo.evaluate(style)[2] != "dashed"
        undo.click()
        page.locator("[data-result] .result--info", has_text="undone").wait_for()
        assert guest_id not in _checked_in(live_app, desk_world["list_id"])
        expect(undo).to_be_disabled()
        assert_accessible(page, "desk after undoing a synced check-in")
    finally:
        context.close()


def test_walk_in_pay_what_you_can_asks_the_amount_and_fold_outs_are_named(page, desk_world, live_app):
    name = _new_category(live_app, desk_world["slug"], name="Solidarity day", price_kind="pay_what_you_can",
                         min_minor=500, suggested_minor=2000)
    try:
        _walk_in_pay_what_you_can(page, desk_world, name)
    finally:
        # The registration journey runs later on the same live database and expects the demo's
        # one pay-what-you-can category on the public form.
        _stop_selling(live_app, desk_world["slug"], name)


def _stop_selling(live_app, slug, name):
    from confapp.events.models import Event
    from confapp.extensions import db
    from confapp.registration.models import RegistrationCategory

    with live_app.app_context():
        event = Event.query.filter_by(slug=slug).one()
        db.session.scalars(db.select(RegistrationCategory).filter_by(event_id=event.id, name=name)).one().is_active = False
        db.session.commit()
        db.session.remove()


def _walk_in_pay_what_you_can(page, desk_world, name):
    login_in_browser(page, "staff@confapp.example")
    page.goto(f"/manage/{desk_world['slug']}/checkin/desk/{desk_world['list_id']}")
    expect(page.locator("[data-net-text]")).to_have_text(re.compile("^Online"))
    walk_in = page.get_by_role("group", name="Walk-in: register someone at the door")
    expect(walk_in).to_be_visible()
    expect(page.get_by_role("group", name="Desk settings")).to_be_visible()
    page.get_by_text("Walk-in: register someone at the door").click()
    amount = page.get_by_label(re.compile(r"^Amount this person pays"))
    walk_in.get_by_label("Category").select_option(label=f"{name} (pay what you can)")
    expect(amount).to_be_visible()
    expect(amount).to_have_value("20.00")
    walk_in.get_by_label("First name").fill("Walk")
    walk_in.get_by_label("Email", exact=True).fill("walk.pwyc@example.org")
    amount.fill("7.50")
    assert_accessible(page, "desk walk-in form, pay what you can")
    page.get_by_role("button", name="Register and check in").click()
    card = page.locator("[data-result] .result--bad", has_text="Not paid")
    card.wait_for()
    assert "$7.50" in card.text_content()
    expect(card.get_by_label(re.compile(r"^Amount received"))).to_have_value("7.50")
