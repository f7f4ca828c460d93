"""Moving an event's dates in its Details form moves its programme by the same shift (issue 15):
every session with a time, published ones with a new iCalendar SEQUENCE; the flash says how many
sessions moved and warns about those now outside the event's dates. Fixed dates: the event runs
5-6 Dec 2026 in New York (09:00 on the 5th to 17:00 on the 6th)."""
from __future__ import annotations

from datetime import timedelta
from html import unescape

from sqlalchemy import select

from confapp.program.services import SessionData, create_session

from tests.factories import make_category, make_event, make_registration, make_session, make_user

FORM = {"title": "Human Rights Cities Summit", "timezone": "America/New_York", "series_id": "0", "capacity": "100"}
WEEK = timedelta(days=7)


def _summit(db, mail):
    organiser = make_user()
    event = make_event(organiser=organiser, title="Human Rights Cities Summit")
    day = event.local(event.starts_at)
    opening = make_session(event, title="Opening plenary", starts_at=day.replace(hour=10), publish=True, actor=organiser)
    closing = make_session(event, title="Closing circle", starts_at=(day + timedelta(days=1)).replace(hour=15),
                           actor=organiser)
    unscheduled, _ = create_session(event, SessionData(title="Side meeting", starts_at=None, ends_at=None), actor=organiser)
    category = make_category(event)
    make_registration(event, category, first_name="Rosa", email="rosa@example.org", send_email=False)
    db.session.commit()
    mail.clear()
    return organiser, event, opening, closing, unscheduled


def _dates(start: str, end: str) -> dict:
    return FORM | {"starts_at": start, "ends_at": end}


def test_moving_the_event_a_week_later_moves_its_sessions_and_says_how_many(client, db, mail, login_as):
    from confapp.audit.models import AuditEntry
    from confapp.events.queries import event_sequence

    organiser, event, opening, closing, unscheduled = _summit(db, mail)
    before = {s.id: (s.starts_at, s.ends_at, s.sequence) for s in (opening, closing)}
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/edit", data=_dates("2026-12-12T09:00", "2026-12-13T17:00")
                           | {"notify_registered": "y"}, follow_redirects=True)
    page = unescape(response.text)
    assert ("Changes saved. The 1 person registered will be told of the new date and time. "
            "2 sessions of the programme moved with the event.") in page
    assert "outside the event's dates" not in page
    db.session.expire_all()
    for session in (opening, closing):
        starts, ends, sequence = before[session.id]
        assert (session.starts_at, session.ends_at) == (starts + WEEK, ends + WEEK)
    assert opening.sequence == before[opening.id][2] + 1  # published: calendars take the new time
    assert closing.sequence == before[closing.id][2]  # a draft no calendar holds
    assert unscheduled.starts_at is None
    moved = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.moved")).all()
    assert len(moved) == 1 and moved[0].details["sessions"] == 2 and moved[0].details["told"] == 1
    assert event_sequence(event) == 1
    assert len(mail.wait_for(1)) == 1
    # The same dates sent again move nothing a second time.
    again = client.post(f"/manage/{event.slug}/edit", data=_dates("2026-12-12T09:00", "2026-12-13T17:00")
                        | {"notify_registered": "y"}, follow_redirects=True)
    assert "Changes saved." in again.text and "moved with the event" not in again.text
    db.session.expire_all()
    assert opening.starts_at == before[opening.id][0] + WEEK and event_sequence(event) == 1


def test_one_session_moved_is_said_in_the_singular(client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser, publish=False)
    make_session(event, title="Only one", actor=organiser)
    db.session.commit()
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/edit", data=_dates("2026-12-06T09:00", "2026-12-07T17:00"),
                           follow_redirects=True)
    assert "Changes saved. 1 session of the programme moved with the event." in unescape(response.text)


def test_a_shorter_event_warns_about_the_sessions_now_outside_its_dates(client, db, mail, login_as):
    organiser, event, opening, closing, _ = _summit(db, mail)
    closing_start = closing.starts_at
    login_as(organiser)
    # Starts a day later, ends as before: everything moves a day, the closing circle off the end.
    response = client.post(f"/manage/{event.slug}/edit", data=_dates("2026-12-06T09:00", "2026-12-06T17:00"),
                           follow_redirects=True)
    page = unescape(response.text)
    assert "2 sessions of the programme moved with the event." in page
    assert "1 session is now outside the event's dates: “Closing circle”. Move it on the timetable." in page
    db.session.expire_all()
    assert closing.starts_at == closing_start + timedelta(days=1)


def test_only_the_end_moved_moves_no_session_but_warns(client, db, mail, login_as):
    organiser, event, opening, closing, _ = _summit(db, mail)
    opening_start = opening.starts_at
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/edit", data=_dates("2026-12-05T09:00", "2026-12-05T17:00"),
                           follow_redirects=True)
    page = unescape(response.text)
    assert "moved with the event" not in page
    assert "1 session is now outside the event's dates: “Closing circle”." in page
    db.session.expire_all()
    assert opening.starts_at == opening_start


def test_dates_the_form_refuses_move_nothing(client, db, mail, login_as):
    organiser, event, opening, _, _ = _summit(db, mail)
    opening_start = opening.starts_at
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/edit", data=_dates("2026-12-12T09:00", "2026-12-11T17:00"))
    assert response.status_code == 200 and "The event must end after it starts." in unescape(response.text)
    db.session.expire_all()
    assert opening.starts_at == opening_start and event.local(event.starts_at).day == 5


def test_each_moved_session_the_public_has_seen_is_sent_once_per_move(client, db, mail, login_as, app, monkeypatch, now):
    from confapp.webhooks import services as webhooks
    from confapp.webhooks.models import WebhookDelivery
    from tests.support.webhook_receiver import start_receiver, stop_receiver

    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE_URLS", True)  # the receiver listens on loopback
    receiver = start_receiver()
    try:
        organiser, event, opening, closing, _ = _summit(db, mail)
        day = event.local(event.starts_at)
        panel = make_session(event, title="Housing panel", starts_at=day.replace(hour=14), publish=True, actor=organiser)
        endpoint = webhooks.create_endpoint(event, url=receiver.url, event_types=["session.updated"],
                                            actor=organiser, now=now)
        db.session.commit()
        receiver.secret = endpoint.secret
        login_as(organiser)

        def sent_after(start: str, end: str) -> list[dict]:
            before = len(receiver.received)
            client.post(f"/manage/{event.slug}/edit", data=_dates(start, end), follow_redirects=True)
            return [r.json for r in receiver.received[before:]]

        week = sent_after("2026-12-12T09:00", "2026-12-13T17:00")
        db.session.expire_all()
        # The two published sessions, each once, as they now are; the draft closing circle stays inside.
        assert sorted((b["type"], b["data"]["session"]["id"]) for b in week) == sorted(
            [("session.updated", opening.id), ("session.updated", panel.id)])
        by_id = {b["data"]["session"]["id"]: b["data"]["session"] for b in week}
        assert by_id[opening.id]["starts_at"] == opening.starts_at.isoformat().replace("+00:00", "Z")
        assert by_id[opening.id]["sequence"] == opening.sequence
        assert all(r.verified for r in receiver.received)
        # The same dates again move nothing: nothing is sent.
        assert sent_after("2026-12-12T09:00", "2026-12-13T17:00") == []
        # Another move is another change of each session.
        assert sorted(b["data"]["session"]["id"] for b in sent_after("2026-12-19T09:00", "2026-12-20T17:00")) == sorted(
            [opening.id, panel.id])
        assert db.session.query(WebhookDelivery).filter_by(endpoint_id=endpoint.id).count() == 4
    finally:
        stop_receiver(receiver)


def test_the_categories_sales_windows_move_with_the_event_and_the_flash_says_so(client, db, mail, login_as):
    """An early-bird price that ended a month before the event still does after the move; a
    category without a window is left alone."""
    organiser, event, *_ = _summit(db, mail)
    early = make_category(event, name="Early bird", sales_start=event.starts_at - timedelta(days=60),
                          sales_end=event.starts_at - timedelta(days=30))
    late = make_category(event, name="Late", sales_start=event.starts_at - timedelta(days=29))
    db.session.commit()
    windows = {c.id: (c.sales_start, c.sales_end) for c in (early, late)}
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/edit", data=_dates("2026-12-12T09:00", "2026-12-13T17:00"),
                           follow_redirects=True)
    assert "2 sessions of the programme moved with the event. 2 categories' sales windows moved with the event." in (
        unescape(response.text))
    db.session.expire_all()
    assert (early.sales_start, early.sales_end) == (windows[early.id][0] + WEEK, windows[early.id][1] + WEEK)
    assert (late.sales_start, late.sales_end) == (windows[late.id][0] + WEEK, None)
    # The same dates again move nothing more.
    client.post(f"/manage/{event.slug}/edit", data=_dates("2026-12-12T09:00", "2026-12-13T17:00"))
    db.session.expire_all()
    assert early.sales_end == windows[early.id][1] + WEEK
