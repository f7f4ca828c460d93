"""A large programme for query-count tests and bench/agenda.py: 3 days, 8 rooms, 4 tracks,
120 published sessions (5 per room per day), 60 speakers with two per session."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

DAYS, ROOMS, PER_ROOM_PER_DAY = 3, 8, 5


def build_large_programme(actor, *, slug: str = "large-programme"):
    from confapp.events.services import EventData, create_event, publish_event
    from confapp.program.models import SessionKind
    from confapp.program.services import RoomData, SessionData, TrackData, create_session, publish_programme, save_room, save_track
    from confapp.program.speakers import SpeakerData, assign_speaker, create_speaker

    start = datetime(2027, 3, 1, 14, 0, tzinfo=timezone.utc)  # 09:00 in New York
    event = create_event(EventData(title="Large programme", slug=slug, timezone="America/New_York", starts_at=start,
                                   ends_at=start + timedelta(days=DAYS - 1, hours=9), capacity=800), actor=actor)
    publish_event(event, actor=actor)
    rooms = [save_room(event, RoomData(name=f"Room {n + 1}", capacity=100, position=n), actor=actor) for n in range(ROOMS)]
    colours = ["#1d4e89", "#ffcc00", "#8a3b12", "#12562b"]
    tracks = [save_track(event, TrackData(name=f"Track {n + 1}", colour=colours[n], position=n), actor=actor) for n in range(4)]
    speakers = [create_speaker(event, SpeakerData(name=f"Speaker {n + 1}", affiliation=f"University {n % 7}"), actor=actor)
                for n in range(60)]
    kinds = [SessionKind.PANEL, SessionKind.WORKSHOP, SessionKind.PLENARY, SessionKind.ROUNDTABLE, SessionKind.PANEL]
    n = 0
    local = event.local(event.starts_at)
    for day in range(DAYS):
        for r, room in enumerate(rooms):
            for slot in range(PER_ROOM_PER_DAY):
                begins = local.replace(hour=9) + timedelta(days=day, minutes=95 * slot)
                kind = kinds[slot]
                session, _ = create_session(event, SessionData(
                    title=f"Session {n + 1}", kind=kind, starts_at=begins, ends_at=begins + timedelta(minutes=90),
                    room_id=room.id, track_id=tracks[n % 4].id, capacity=30 if kind == SessionKind.WORKSHOP else None,
                    description="A **session** on human rights cities."), actor=actor)
                for k in range(2):
                    # Speaker k of session n: spread so nobody speaks in two rooms at once.
                    assign_speaker(session, speakers[(2 * n + k) % 60], "panelist", actor=actor, event=event)
                n += 1
    publish_programme(event, actor=actor, acknowledge_warnings=True)
    return event
