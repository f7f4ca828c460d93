"""Join details in the attendee's own calendar feeds (issue 15): after the reveal time an
entitled attendee's personal agenda feed and ticket calendar file carry their personal join link
as URL and RFC 7986 CONFERENCE properties (and the dial-in numbers as tel: CONFERENCE lines);
before it, and for anyone not entitled, and in every public feed, nothing."""
from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from confapp.online.access import join_token
from confapp.registration.links import ticket_token
from tests.factories import make_registration
from tests.support.clock import TEST_NOW

from .conftest import ACCESS_CODE, MEETING_URL


def _events(client, url) -> dict:
    answer = client.get(url)
    assert answer.status_code == 200, url
    body = answer.get_data()
    assert MEETING_URL.split("?")[0].encode() not in body  # only ever the personal link
    return {str(v.get("summary")): v for v in Calendar.from_ical(body).walk("VEVENT")}


def _conferences(vevent) -> list:
    found = vevent.get("conference", [])
    return found if isinstance(found, list) else [found]


def _star(db, registration, *sessions):
    from confapp.program import attendance

    for session in sessions:
        attendance.star_session(session, registration)
    db.session.commit()


def _feeds(hybrid, registration):
    token = ticket_token(registration)
    return f"/e/{hybrid.event.slug}/my-agenda/{token}.ics", f"/e/{hybrid.event.slug}/ticket/{token}/event.ics"


def test_an_online_attendees_feeds_have_their_join_link_once_revealed(client, db, hybrid):
    attendee = make_registration(hybrid.event, hybrid.online, send_email=False)
    _star(db, attendee, hybrid.soon, hybrid.later)
    agenda, ticket = _feeds(hybrid, attendee)
    link = f"http://127.0.0.1:5000/j/{join_token(attendee, hybrid.soon.id, generation=0)}"
    entries = _events(client, agenda)
    soon, later = entries["Opening town hall"], entries["UPR follow-up"]
    assert str(soon["url"]) == link
    conferences = _conferences(soon)
    assert [str(c) for c in conferences] == [link, "tel:+16465550100"]
    assert conferences[0].params["FEATURE"] == ["AUDIO", "VIDEO"]
    assert conferences[1].params["FEATURE"] == "PHONE" and ACCESS_CODE in conferences[1].params["LABEL"]
    # Two days away: not revealed, so the public session page stays its URL and no CONFERENCE.
    assert "/j/" not in str(later["url"]) and not _conferences(later)
    # The ticket's calendar file (the event as a whole): the session that is open, labelled.
    (whole,) = _events(client, ticket).values()
    assert [str(c) for c in _conferences(whole)][0] == link
    assert _conferences(whole)[0].params["LABEL"] == "Opening town hall"
    assert str(whole["url"]) == link


def test_before_the_reveal_time_the_feeds_have_no_join_details(client, db, hybrid, clock_at):
    attendee = make_registration(hybrid.event, hybrid.online, send_email=False)
    _star(db, attendee, hybrid.soon)
    clock_at(TEST_NOW - timedelta(hours=1))
    for url in _feeds(hybrid, attendee):
        body = client.get(url).get_data()
        assert b"CONFERENCE" not in body and b"/j/" not in body and ACCESS_CODE.encode() not in body
    clock_at(hybrid.soon.starts_at - timedelta(minutes=30))
    for url in _feeds(hybrid, attendee):
        assert b"CONFERENCE" in client.get(url).get_data()


def test_in_person_attendees_and_public_feeds_have_none(client, db, hybrid):
    in_person = make_registration(hybrid.event, hybrid.in_person, send_email=False)
    online = make_registration(hybrid.event, hybrid.online, send_email=False)
    _star(db, in_person, hybrid.soon)
    _star(db, online, hybrid.soon)
    slug = hybrid.event.slug
    public = [f"/e/{slug}/agenda.ics", f"/e/{slug}/agenda/sessions/{hybrid.soon.uid}.ics"]
    for url in [*_feeds(hybrid, in_person), *public]:
        body = client.get(url).get_data()
        assert client.get(url).status_code == 200, url
        assert b"CONFERENCE" not in body and b"/j/" not in body and ACCESS_CODE.encode() not in body, url
    # Unless the organiser lets in-person attendees use the stream.
    hybrid.details.in_person_may_join = True
    db.session.commit()
    agenda, _ = _feeds(hybrid, in_person)
    assert b"CONFERENCE" in client.get(agenda).get_data()
    for url in public:
        assert b"CONFERENCE" not in client.get(url).get_data()


def test_a_cancelled_attendees_feed_loses_the_link(client, db, hybrid):
    attendee = make_registration(hybrid.event, hybrid.online, send_email=False)
    _star(db, attendee, hybrid.soon)
    attendee.status = "cancelled"
    db.session.commit()
    answer = client.get(_feeds(hybrid, attendee)[0])
    assert answer.status_code in (200, 404) and b"CONFERENCE" not in answer.get_data()
