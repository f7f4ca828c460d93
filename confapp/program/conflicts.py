"""Timetable conflict warnings. They are warnings, not errors: the organiser sees them
and may still publish after reviewing (see services.publish_session).

Rules (documented in docs/organiser-guide.md):
- room double-booked: two non-cancelled sessions overlap in one room;
- speaker double-booked: one speaker (not declined) in two overlapping sessions;
- outside the event's dates: the session starts or ends on a local day outside the event;
- outside the room's hours: rooms may have daily hours (local time); a session that starts
  before, ends after, or runs past midnight is flagged. Rooms without hours are available
  whenever the event runs;
- over room capacity: the session's capacity (for plenaries without one, the event's capacity)
  exceeds the room's capacity.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Iterable

from flask_babel import gettext

from ..templating import format_day
from .models import ParticipationStatus, ProgramSession, SessionKind, SessionStatus


@dataclass(frozen=True)
class ConflictWarning:
    kind: str  # room, speaker, dates, room_hours, capacity
    session_id: int
    message: str
    other_session_id: int | None = None


def _clock(moment) -> str:
    return f"{moment:%H:%M}"


def compute_conflicts(event, sessions: Iterable[ProgramSession]) -> dict[int, list[ConflictWarning]]:
    """Every warning for the given sessions of `event`, keyed by session id.

    Expects rooms and speaker links loaded (queries.timetable does); runs no queries itself.
    """
    tz = event.tz
    scheduled = [s for s in sessions if s.is_scheduled and s.status != SessionStatus.CANCELLED]
    warnings: dict[int, list[ConflictWarning]] = defaultdict(list)
    first_day, last_day = event.local(event.starts_at).date(), event.local(event.ends_at).date()

    by_room: dict[int, list[ProgramSession]] = defaultdict(list)
    by_speaker: dict[int, list[tuple[ProgramSession, str]]] = defaultdict(list)
    for s in scheduled:
        start, end = s.starts_at.astimezone(tz), s.ends_at.astimezone(tz)
        if start.date() < first_day or end.date() > last_day:
            warnings[s.id].append(ConflictWarning(
                "dates", s.id, gettext("“%(title)s” is outside the event's dates (%(first)s to %(last)s).", title=s.title,
                                      first=format_day(first_day, "%-d %b"), last=format_day(last_day, "%-d %b %Y"))))
        room = s.room
        if room is not None:
            by_room[room.id].append(s)
            ends_at_midnight = end.date() == start.date() + timedelta(days=1) and end.time() == time(0, 0)
            end_clock = time.max if ends_at_midnight else end.time()
            if end.date() != start.date() and not ends_at_midnight:
                warnings[s.id].append(ConflictWarning("room_hours", s.id, gettext(
                    "“%(title)s” runs past midnight in %(room)s.", title=s.title, room=room.name)))
            elif (room.available_from and start.time() < room.available_from) or (
                room.available_until and end_clock > room.available_until
            ):
                opens = _clock(room.available_from or time(0, 0))
                closes = _clock(room.available_until) if room.available_until else gettext("midnight")
                hours = gettext("%(start)s to %(end)s", start=opens, end=closes)
                warnings[s.id].append(ConflictWarning(
                    "room_hours", s.id, gettext("“%(title)s” is longer than %(room)s is available (%(hours)s).",
                                            title=s.title, room=room.name, hours=hours)))
            expected = s.capacity if s.capacity is not None else (event.capacity if s.kind == SessionKind.PLENARY else None)
            if room.capacity is not None and expected is not None and expected > room.capacity:
                warnings[s.id].append(ConflictWarning(
                    "capacity", s.id, gettext("“%(title)s” expects %(expected)s people but %(room)s holds %(capacity)s.",
                                          title=s.title, expected=expected, room=room.name, capacity=room.capacity)))
        for link in s.speakers:
            if link.status != ParticipationStatus.DECLINED:
                by_speaker[link.speaker_id].append((s, link.speaker.name))

    for room_sessions in by_room.values():
        room_sessions.sort(key=lambda s: s.starts_at)
        for i, a in enumerate(room_sessions):
            for b in room_sessions[i + 1:]:
                if b.starts_at >= a.ends_at:
                    break
                for one, other in ((a, b), (b, a)):
                    warnings[one.id].append(ConflictWarning(
                        "room", one.id,
                        gettext("%(room)s is double-booked: “%(title)s” overlaps “%(other)s” (%(start)s–%(end)s).",
                                room=one.room.name, title=one.title, other=other.title,
                                start=_clock(other.starts_at.astimezone(tz)), end=_clock(other.ends_at.astimezone(tz))),
                        other.id))

    for entries in by_speaker.values():
        entries.sort(key=lambda e: e[0].starts_at)
        for i, (a, name) in enumerate(entries):
            for b, _ in entries[i + 1:]:
                if b.starts_at >= a.ends_at:
                    break
                for one, other in ((a, b), (b, a)):
                    warnings[one.id].append(ConflictWarning(
                        "speaker", one.id, gettext("%(name)s is double-booked: “%(title)s” overlaps “%(other)s”.",
                                                  name=name, title=one.title, other=other.title), other.id))
    return dict(warnings)
