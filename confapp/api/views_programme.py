"""/api/v1 programme: rooms, tracks and speakers (sessions are in views_sessions.py).

Reads are public for an event whose public pages anyone may see (rooms and tracks of its
programme, speakers with a public session); a programme:read token reads drafts too, and the
speakers' emails. Writes take a programme:write token and go through the organisers' own
programme services (confapp/program/services.py, speakers.py): the same checks, the same audit
entries; each answer carries the timetable warnings the change leaves.
"""
from __future__ import annotations

from flask_babel import gettext
from flask_smorest import abort

from ..extensions import db
from ..program import queries as program_queries, services as program_services, speakers as speaker_services
from ..program.models import Room, Track
from ..types import utcnow
from .programme import (
    PlaceResource, merged, programme_write, public_read, public_session_ids_by_speaker, reader, room_json, speaker_json,
    track_json, warnings_of_sessions, writer,
)
from .queries import page_answer
from .schemas import PageArgsSchema
from .schemas_programme import (
    RoomCreateSchema, RoomPageSchema, RoomResultSchema, RoomSchema, RoomUpdateSchema, SpeakerCreateSchema,
    SpeakerPageSchema, SpeakerResultSchema, SpeakerSchema, SpeakerUpdateSchema, TrackCreateSchema, TrackPageSchema,
    TrackSchema, TrackUpdateSchema,
)

PREFIX = "/events/<slug>/programme"
SPEAKER_FIELDS = ("name", "email", "pronouns", "affiliation", "city", "bio", "links")


def _room_result(event, room: Room) -> dict:
    sessions = {s.id for s in program_queries.timetable(event).sessions if s.room_id == room.id}
    return {**room_json(room), "warnings": warnings_of_sessions(event, sessions)}


ROOMS = PlaceResource(
    "room", Room, ("name", "capacity", "accessibility", "available_from", "available_until", "position"),
    program_services.RoomData, program_services.save_room, program_services.delete_room, room_json,
    listed=program_queries.rooms_of, result=_room_result)
TRACKS = PlaceResource(
    "track", Track, ("name", "colour", "position"),
    program_services.TrackData, program_services.save_track, program_services.delete_track, track_json,
    listed=program_queries.tracks_of)


# --- rooms ---------------------------------------------------------------------------------------

@public_read(f"{PREFIX}/rooms", RoomPageSchema, query=PageArgsSchema)
def programme_rooms(args, slug: str):
    """The event's rooms: public once the event is published; a programme:read token for a draft event."""
    return ROOMS.list(slug, args)


@public_read(f"{PREFIX}/rooms/<int:room_id>", RoomSchema)
def programme_room_get(slug: str, room_id: int):
    """One room."""
    return ROOMS.get(slug, room_id)


@programme_write(f"{PREFIX}/rooms", "POST", 201, RoomResultSchema, body=RoomCreateSchema)
def programme_room_create(body, slug: str):
    """Add a room (name unique in the event: else 422 on `name`)."""
    return ROOMS.create(slug, body)


@programme_write(f"{PREFIX}/rooms/<int:room_id>", "PATCH", 200, RoomResultSchema, body=RoomUpdateSchema)
def programme_room_update(body, slug: str, room_id: int):
    """Change a room; what is left out stays. The answer has the warnings of its sessions (capacity, hours)."""
    return ROOMS.update(slug, room_id, body)


@programme_write(f"{PREFIX}/rooms/<int:room_id>", "DELETE", 204)
def programme_room_delete(slug: str, room_id: int):
    """Delete a room; its sessions keep their times, without a room."""
    ROOMS.delete(slug, room_id)


# --- tracks --------------------------------------------------------------------------------------

@public_read(f"{PREFIX}/tracks", TrackPageSchema, query=PageArgsSchema)
def programme_tracks(args, slug: str):
    """The event's tracks: public once the event is published; a programme:read token for a draft event."""
    return TRACKS.list(slug, args)


@public_read(f"{PREFIX}/tracks/<int:track_id>", TrackSchema)
def programme_track_get(slug: str, track_id: int):
    """One track."""
    return TRACKS.get(slug, track_id)


@programme_write(f"{PREFIX}/tracks", "POST", 201, TrackSchema, body=TrackCreateSchema)
def programme_track_create(body, slug: str):
    """Add a track (colour #rrggbb, name unique in the event)."""
    return TRACKS.create(slug, body)


@programme_write(f"{PREFIX}/tracks/<int:track_id>", "PATCH", 200, TrackSchema, body=TrackUpdateSchema)
def programme_track_update(body, slug: str, track_id: int):
    """Change a track; what is left out stays."""
    return TRACKS.update(slug, track_id, body)


@programme_write(f"{PREFIX}/tracks/<int:track_id>", "DELETE", 204)
def programme_track_delete(slug: str, track_id: int):
    """Delete a track; its sessions stay, without a track."""
    TRACKS.delete(slug, track_id)


# --- speakers ------------------------------------------------------------------------------------

def _speaker(event, speaker_id: int, actor):
    if actor is None:
        found = program_queries.public_speaker(event, speaker_id)
    else:
        found = program_queries.speaker_for_event(event, speaker_id)
    if found is None:
        abort(404, message=gettext("No such speaker for this event."))
    return found


def _speaker_result(event, speaker) -> dict:
    session_ids = [link.session_id for link in speaker.sessions]
    return {**speaker_json(speaker, session_ids, public=False),
            "warnings": warnings_of_sessions(event, set(session_ids))}


@public_read(f"{PREFIX}/speakers", SpeakerPageSchema, query=PageArgsSchema)
def programme_speakers(args, slug: str):
    """Speakers: without a token, those with a public session they have not declined (no emails);
    with a programme:read token, every speaker of the event."""
    event, actor = reader(slug)
    if actor is None:
        speakers, public_ids = program_queries.public_speakers(event), public_session_ids_by_speaker(event)
        sessions_of = lambda speaker: public_ids.get(speaker.id, [])  # noqa: E731
    else:
        speakers = program_queries.speakers_of(event)
        sessions_of = lambda speaker: [link.session_id for link in speaker.sessions]  # noqa: E731
    return page_answer(speakers, args, lambda s: speaker_json(s, sessions_of(s), public=actor is None))


@public_read(f"{PREFIX}/speakers/<int:speaker_id>", SpeakerSchema)
def programme_speaker_get(slug: str, speaker_id: int):
    """One speaker (without a token: only one with a public session)."""
    event, actor = reader(slug)
    speaker = _speaker(event, speaker_id, actor)
    if actor is None:
        return speaker_json(speaker, public_session_ids_by_speaker(event).get(speaker.id, []), public=True)
    return speaker_json(speaker, [link.session_id for link in speaker.sessions], public=False)


@programme_write(f"{PREFIX}/speakers", "POST", 201, SpeakerResultSchema, body=SpeakerCreateSchema)
def programme_speaker_create(body, slug: str):
    """Add a speaker (no invitation is sent: that stays with the organisers' page)."""
    event, actor = writer(slug)
    speaker = speaker_services.create_speaker(event, speaker_services.SpeakerData(**body), actor=actor, now=utcnow())
    db.session.commit()
    return _speaker_result(event, speaker)


@programme_write(f"{PREFIX}/speakers/<int:speaker_id>", "PATCH", 200, SpeakerResultSchema, body=SpeakerUpdateSchema)
def programme_speaker_update(body, slug: str, speaker_id: int):
    """Change a speaker's profile; what is left out stays."""
    event, actor = writer(slug)
    speaker = _speaker(event, speaker_id, actor)
    data = speaker_services.SpeakerData(**merged(speaker, body, SPEAKER_FIELDS))
    speaker_services.update_speaker(speaker, data, actor=actor, event=event, now=utcnow())
    db.session.commit()
    return _speaker_result(event, speaker)


@programme_write(f"{PREFIX}/speakers/<int:speaker_id>", "DELETE", 204)
def programme_speaker_delete(slug: str, speaker_id: int):
    """Delete a speaker and their places in sessions."""
    event, actor = writer(slug)
    speaker_services.delete_speaker(_speaker(event, speaker_id, actor), actor=actor, event=event, now=utcnow())
    db.session.commit()
