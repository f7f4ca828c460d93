"""/api/v1 programme: rooms, tracks and speakers (sessions are in views_sessions.py).

Reads are public for an event whose public pages anyone may see (rooms and tracks of its
programme, speakers with a public session); a programme:read token reads drafts too, and the
speakers' emails. Writes take a programme:write token and go through the organisers' own
programme services (confapp/program/services.py, speakers.py): the same checks, the same audit
entries; each answer carries the timetable warnings the change leaves.
"""
from __future__ import annotations

from flask_smorest import abort

from ..extensions import db
from ..program import queries as program_queries, services as program_services, speakers as speaker_services
from ..program.models import Room, Track
from ..types import utcnow
from . import queries
from .auth import OPTIONAL_SECURITY, public
from .blueprint import v1
from .programme import (
    public_session_ids_by_speaker, reader, room_json, speaker_json, track_json, warnings_of_sessions, writer,
)
from .schemas import PageArgsSchema
from .schemas_programme import (
    RoomCreateSchema, RoomPageSchema, RoomResultSchema, RoomSchema, RoomUpdateSchema, SpeakerCreateSchema,
    SpeakerPageSchema, SpeakerResultSchema, SpeakerSchema, SpeakerUpdateSchema, TrackCreateSchema, TrackPageSchema,
    TrackSchema, TrackUpdateSchema,
)
from .views_v1 import documented_errors

PREFIX = "/events/<slug>/programme"
ROOM_FIELDS = ("name", "capacity", "accessibility", "available_from", "available_until", "position")
TRACK_FIELDS = ("name", "colour", "position")
SPEAKER_FIELDS = ("name", "email", "pronouns", "affiliation", "city", "bio", "links")


def _merged(item, body: dict, names: tuple[str, ...]) -> dict:
    """What a PATCH leaves: the item's values, with the body's changes."""
    return {name: body[name] if name in body else getattr(item, name) for name in names}


def _item(model, event, item_id: int, what: str):
    item = db.session.get(model, item_id)
    if item is None or item.event_id != event.id:
        abort(404, message=f"No such {what} for this event.")
    return item


def _room_result(event, room: Room) -> dict:
    sessions = {s.id for s in program_queries.timetable(event).sessions if s.room_id == room.id}
    return {**room_json(room), "warnings": warnings_of_sessions(event, sessions)}


# --- rooms ---------------------------------------------------------------------------------------

@v1.route(f"{PREFIX}/rooms")
@v1.arguments(PageArgsSchema, location="query")
@v1.response(200, RoomPageSchema)
@v1.doc(security=OPTIONAL_SECURITY)
@documented_errors(401, 403, 404, 429)
@public
def programme_rooms(args, slug: str):
    """The event's rooms: public once the event is published; a programme:read token for a draft event."""
    event, _ = reader(slug)
    results, next_cursor = queries.list_page(program_queries.rooms_of(event), cursor=args["cursor"], limit=args["limit"])
    return {"results": [room_json(room) for room in results], "next": next_cursor}


@v1.route(f"{PREFIX}/rooms/<int:room_id>")
@v1.response(200, RoomSchema)
@v1.doc(security=OPTIONAL_SECURITY)
@documented_errors(401, 403, 404, 429)
@public
def programme_room_get(slug: str, room_id: int):
    """One room."""
    event, _ = reader(slug)
    return room_json(_item(Room, event, room_id, "room"))


@v1.route(f"{PREFIX}/rooms", methods=["POST"])
@v1.arguments(RoomCreateSchema)
@v1.response(201, RoomResultSchema)
@documented_errors(401, 403, 404, 429)
def programme_room_create(body, slug: str):
    """Add a room (name unique in the event: else 422 on `name`)."""
    event, actor = writer(slug)
    room = program_services.save_room(event, program_services.RoomData(**body), actor=actor, now=utcnow())
    db.session.commit()
    return _room_result(event, room)


@v1.route(f"{PREFIX}/rooms/<int:room_id>", methods=["PATCH"])
@v1.arguments(RoomUpdateSchema)
@v1.response(200, RoomResultSchema)
@documented_errors(401, 403, 404, 429)
def programme_room_update(body, slug: str, room_id: int):
    """Change a room; what is left out stays. The answer has the warnings of its sessions (capacity, hours)."""
    event, actor = writer(slug)
    room = _item(Room, event, room_id, "room")
    data = program_services.RoomData(**_merged(room, body, ROOM_FIELDS))
    program_services.save_room(event, data, actor=actor, room=room, now=utcnow())
    db.session.commit()
    return _room_result(event, room)


@v1.route(f"{PREFIX}/rooms/<int:room_id>", methods=["DELETE"])
@v1.response(204)
@documented_errors(401, 403, 404, 429)
def programme_room_delete(slug: str, room_id: int):
    """Delete a room; its sessions keep their times, without a room."""
    event, actor = writer(slug)
    program_services.delete_room(_item(Room, event, room_id, "room"), actor=actor, event=event, now=utcnow())
    db.session.commit()


# --- tracks --------------------------------------------------------------------------------------

@v1.route(f"{PREFIX}/tracks")
@v1.arguments(PageArgsSchema, location="query")
@v1.response(200, TrackPageSchema)
@v1.doc(security=OPTIONAL_SECURITY)
@documented_errors(401, 403, 404, 429)
@public
def programme_tracks(args, slug: str):
    """The event's tracks: public once the event is published; a programme:read token for a draft event."""
    event, _ = reader(slug)
    results, next_cursor = queries.list_page(program_queries.tracks_of(event), cursor=args["cursor"], limit=args["limit"])
    return {"results": [track_json(track) for track in results], "next": next_cursor}


@v1.route(f"{PREFIX}/tracks/<int:track_id>")
@v1.response(200, TrackSchema)
@v1.doc(security=OPTIONAL_SECURITY)
@documented_errors(401, 403, 404, 429)
@public
def programme_track_get(slug: str, track_id: int):
    """One track."""
    event, _ = reader(slug)
    return track_json(_item(Track, event, track_id, "track"))


@v1.route(f"{PREFIX}/tracks", methods=["POST"])
@v1.arguments(TrackCreateSchema)
@v1.response(201, TrackSchema)
@documented_errors(401, 403, 404, 429)
def programme_track_create(body, slug: str):
    """Add a track (colour #rrggbb, name unique in the event)."""
    event, actor = writer(slug)
    track = program_services.save_track(event, program_services.TrackData(**body), actor=actor, now=utcnow())
    db.session.commit()
    return track_json(track)


@v1.route(f"{PREFIX}/tracks/<int:track_id>", methods=["PATCH"])
@v1.arguments(TrackUpdateSchema)
@v1.response(200, TrackSchema)
@documented_errors(401, 403, 404, 429)
def programme_track_update(body, slug: str, track_id: int):
    """Change a track; what is left out stays."""
    event, actor = writer(slug)
    track = _item(Track, event, track_id, "track")
    data = program_services.TrackData(**_merged(track, body, TRACK_FIELDS))
    program_services.save_track(event, data, actor=actor, track=track, now=utcnow())
    db.session.commit()
    return track_json(track)


@v1.route(f"{PREFIX}/tracks/<int:track_id>", methods=["DELETE"])
@v1.response(204)
@documented_errors(401, 403, 404, 429)
def programme_track_delete(slug: str, track_id: int):
    """Delete a track; its sessions stay, without a track."""
    event, actor = writer(slug)
    program_services.delete_track(_item(Track, event, track_id, "track"), actor=actor, event=event, now=utcnow())
    db.session.commit()


# --- speakers ------------------------------------------------------------------------------------

def _speaker(event, speaker_id: int, actor):
    if actor is None:
        found = program_queries.public_speaker(event, speaker_id)
    else:
        found = program_queries.speaker_for_event(event, speaker_id)
    if found is None:
        abort(404, message="No such speaker for this event.")
    return found


def _speaker_result(event, speaker) -> dict:
    session_ids = [link.session_id for link in speaker.sessions]
    return {**speaker_json(speaker, session_ids, public=False),
            "warnings": warnings_of_sessions(event, set(session_ids))}


@v1.route(f"{PREFIX}/speakers")
@v1.arguments(PageArgsSchema, location="query")
@v1.response(200, SpeakerPageSchema)
@v1.doc(security=OPTIONAL_SECURITY)
@documented_errors(401, 403, 404, 429)
@public
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
    results, next_cursor = queries.list_page(speakers, cursor=args["cursor"], limit=args["limit"])
    return {"results": [speaker_json(s, sessions_of(s), public=actor is None) for s in results], "next": next_cursor}


@v1.route(f"{PREFIX}/speakers/<int:speaker_id>")
@v1.response(200, SpeakerSchema)
@v1.doc(security=OPTIONAL_SECURITY)
@documented_errors(401, 403, 404, 429)
@public
def programme_speaker_get(slug: str, speaker_id: int):
    """One speaker (without a token: only one with a public session)."""
    event, actor = reader(slug)
    speaker = _speaker(event, speaker_id, actor)
    if actor is None:
        return speaker_json(speaker, public_session_ids_by_speaker(event).get(speaker.id, []), public=True)
    return speaker_json(speaker, [link.session_id for link in speaker.sessions], public=False)


@v1.route(f"{PREFIX}/speakers", methods=["POST"])
@v1.arguments(SpeakerCreateSchema)
@v1.response(201, SpeakerResultSchema)
@documented_errors(401, 403, 404, 429)
def programme_speaker_create(body, slug: str):
    """Add a speaker (no invitation is sent: that stays with the organisers' page)."""
    event, actor = writer(slug)
    speaker = speaker_services.create_speaker(event, speaker_services.SpeakerData(**body), actor=actor, now=utcnow())
    db.session.commit()
    return _speaker_result(event, speaker)


@v1.route(f"{PREFIX}/speakers/<int:speaker_id>", methods=["PATCH"])
@v1.arguments(SpeakerUpdateSchema)
@v1.response(200, SpeakerResultSchema)
@documented_errors(401, 403, 404, 429)
def programme_speaker_update(body, slug: str, speaker_id: int):
    """Change a speaker's profile; what is left out stays."""
    event, actor = writer(slug)
    speaker = _speaker(event, speaker_id, actor)
    data = speaker_services.SpeakerData(**_merged(speaker, body, SPEAKER_FIELDS))
    speaker_services.update_speaker(speaker, data, actor=actor, event=event, now=utcnow())
    db.session.commit()
    return _speaker_result(event, speaker)


@v1.route(f"{PREFIX}/speakers/<int:speaker_id>", methods=["DELETE"])
@v1.response(204)
@documented_errors(401, 403, 404, 429)
def programme_speaker_delete(slug: str, speaker_id: int):
    """Delete a speaker and their places in sessions."""
    event, actor = writer(slug)
    speaker_services.delete_speaker(_speaker(event, speaker_id, actor), actor=actor, event=event, now=utcnow())
    db.session.commit()
