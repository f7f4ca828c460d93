"""iCalendar feeds (event, session, speaker, personal agenda) built with the `icalendar` library.

Times are written in the event's zone with a VTIMEZONE; UIDs are the sessions' stable uids;
SEQUENCE and LAST-MODIFIED change when a published session moves, so calendar apps update
it. Drafts never appear; sessions cancelled after publishing appear as STATUS:CANCELLED.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from icalendar import Calendar, Event as VEvent, vText

from ..calendars import personalise
from ..events.content_languages import tr
from ..types import utcnow
from ..urls import external_url
from .models import SessionStatus
from .queries import public_speakers_of

PRODID = "-//confapp//programme//EN"


def _location(session, event) -> str:
    parts = [session.room.name if session.room else "", event.venue_name, event.venue_city]
    return ", ".join(p for p in parts if p)


def session_vevent(session, event, *, now: datetime) -> VEvent:
    tz = event.tz
    vevent = VEvent()
    vevent.add("uid", f"{session.uid}@confapp")
    # DTSTAMP from the session's last change (not the request time) keeps the output byte-stable,
    # so feeds can be answered with 304 Not Modified by ETag.
    vevent.add("dtstamp", session.updated_at or now)
    vevent.add("dtstart", session.starts_at.astimezone(tz))
    vevent.add("dtend", session.ends_at.astimezone(tz))
    # The event's own words in the reader's content language, like the feed's name; a calendar app
    # subscribing sends no language and reads the event's default.
    vevent.add("summary", str(tr(session, "title", event=event)))
    vevent.add("sequence", session.sequence)
    vevent.add("last-modified", session.updated_at)
    people = [f"{link.speaker.name} ({link.role.label})" for link in public_speakers_of(session)]
    description = str(tr(session, "description", event=event))
    if people:
        description = (gettext("Speakers: %(people)s", people="; ".join(people)) + "\n\n" + description).strip()
    if description:
        vevent.add("description", description)
    location = _location(session, event)
    if location:
        vevent.add("location", vText(location))
    vevent.add("url", external_url("program.public_session", slug=event.slug, uid=session.uid))
    if session.track:
        vevent.add("categories", [str(tr(session.track, "name", event=event))])
    vevent.add("status", "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED")
    return vevent


def build_calendar(event, sessions, *, name: str, now: datetime | None = None, registration=None) -> bytes:
    """A VCALENDAR of the given sessions (callers pass public ones; drafts are skipped anyway).
    With `registration`, the person's own feed: what other domains add for that person
    (confapp.calendars) is added to the entries."""
    now = now or utcnow()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", event.timezone)
    entries = [(session, session_vevent(session, event, now=now)) for session in sessions
               if session.is_public and session.is_scheduled]
    if registration is not None:
        personalise(registration, event, entries, now=now)
    for _session, vevent in entries:
        calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()
