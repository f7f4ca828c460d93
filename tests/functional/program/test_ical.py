"""iCalendar feeds parse with `icalendar`, carry VTIMEZONE, stable UIDs, UTC-correct instants,
exclude drafts, mark cancellations and change SEQUENCE when a session moves."""
from datetime import datetime, timedelta, timezone

from icalendar import Calendar

from confapp.program.services import SessionData, cancel_session, update_session


def feed(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def events_by_summary(calendar):
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_event_feed_has_published_sessions_in_the_event_zone(client, programme):
    calendar = feed(client, f"/e/{programme.event.slug}/agenda.ics")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    events = events_by_summary(calendar)
    assert set(events) == {"Federal Government Perspectives", "Human rights impact assessment", "Coffee break"}
    panel = events["Federal Government Perspectives"]
    # 10:00 in New York on 5 December 2026 (EST, UTC-5) is 15:00 UTC.
    start = panel.decoded("DTSTART")
    assert start.astimezone(timezone.utc) == datetime(2026, 12, 5, 15, 0, tzinfo=timezone.utc)
    assert panel["DTSTART"].params["TZID"] == "America/New_York"
    assert str(panel["UID"]) == f"{programme.panel.uid}@confapp"
    assert "JoAnn Kamuf Ward (Moderator)" in str(panel["DESCRIPTION"])
    assert str(panel["STATUS"]) == "CONFIRMED"


def test_moving_a_session_keeps_uid_and_bumps_sequence(client, programme, db):
    url = f"/e/{programme.event.slug}/agenda/sessions/{programme.panel.uid}.ics"
    before = events_by_summary(feed(client, url))["Federal Government Perspectives"]
    start = programme.event.local(programme.event.starts_at).replace(hour=16)
    update_session(programme.panel, SessionData(title=programme.panel.title, kind=programme.panel.kind,
                                                starts_at=start, ends_at=start + timedelta(hours=1),
                                                room_id=programme.panel.room_id),
                   actor=programme.organiser, event=programme.event, now=datetime(2026, 11, 25, tzinfo=timezone.utc))
    db.session.commit()
    after = events_by_summary(feed(client, url))["Federal Government Perspectives"]
    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("LAST-MODIFIED") == datetime(2026, 11, 25, tzinfo=timezone.utc)
    assert after.decoded("DTSTART").astimezone(timezone.utc) == datetime(2026, 12, 5, 21, 0, tzinfo=timezone.utc)


def test_cancelled_after_publishing_is_marked_and_drafts_never_appear(client, programme, db):
    cancel_session(programme.panel, actor=programme.organiser, event=programme.event)
    cancel_session(programme.draft, actor=programme.organiser, event=programme.event)
    db.session.commit()
    events = events_by_summary(feed(client, f"/e/{programme.event.slug}/agenda.ics"))
    assert str(events["Federal Government Perspectives"]["STATUS"]) == "CANCELLED"
    assert "Secret draft session" not in events


def test_speaker_feed_has_only_their_sessions(client, programme):
    events = events_by_summary(feed(client, f"/e/{programme.event.slug}/speakers/{programme.speaker.id}.ics"))
    assert list(events) == ["Federal Government Perspectives"]
    assert client.get(f"/e/{programme.event.slug}/agenda/sessions/{programme.draft.uid}.ics").status_code == 404


def test_feeds_answer_not_modified_until_a_session_changes(client, programme, db):
    url = f"/e/{programme.event.slug}/agenda.ics"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    cancel_session(programme.panel, actor=programme.organiser, event=programme.event)
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200
