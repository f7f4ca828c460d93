"""What the programme endpoints share: who reads (anyone, for a published event's public
programme; a programme:read token for drafts too), who writes (a programme:write token), and
the answers' shapes, built from the programme's own queries and conflict checks."""
from __future__ import annotations

from flask_smorest import abort

from ..accounts.permissions import Action
from ..events.access import check_visible
from ..events.queries import event_by_slug
from ..program import queries as program_queries
from ..program.conflicts import ConflictWarning
from ..program.models import ProgramSession, Room, Speaker, Track
from .auth import optional_token_actor, token_actor, token_event
from .models import Scope


def reader(slug: str):
    """(event, actor): actor None for a caller without a token, who sees the public programme of
    an event whose public pages anyone may see (events.access.check_visible: not a draft)."""
    actor = optional_token_actor(Scope.PROGRAMME_READ)
    if actor is None:
        event = event_by_slug(slug)
        if event is None:
            abort(404, message="No such event.")
        return check_visible(event), None
    return token_event(actor, slug, Action.MANAGE_PROGRAM), actor


def writer(slug: str) -> tuple:
    actor = token_actor(Scope.PROGRAMME_WRITE)
    return token_event(actor, slug, Action.MANAGE_PROGRAM), actor


def warning_json(warning: ConflictWarning) -> dict:
    return {"kind": warning.kind, "session_id": warning.session_id, "other_session_id": warning.other_session_id,
            "message": warning.message}


def warnings_of_sessions(event, session_ids: set[int]) -> list[dict]:
    """The timetable warnings (the organiser's timetable's own) of these sessions."""
    warnings = program_queries.timetable(event).warnings
    return [warning_json(w) for session_id in sorted(session_ids) for w in warnings.get(session_id, [])]


def room_json(room: Room) -> dict:
    return {"id": room.id, "name": room.name, "capacity": room.capacity, "accessibility": room.accessibility or "",
            "available_from": room.available_from, "available_until": room.available_until,
            "position": room.position or 0}


def track_json(track: Track) -> dict:
    return {"id": track.id, "name": track.name, "colour": track.colour, "position": track.position or 0}


def session_json(session: ProgramSession, *, public: bool) -> dict:
    links = program_queries.public_speakers_of(session) if public else list(session.speakers)
    return {
        "id": session.id, "uid": session.uid, "title": session.title, "description": session.description or "",
        "kind": session.kind.value, "status": session.status.value, "starts_at": session.starts_at,
        "ends_at": session.ends_at, "room_id": session.room_id, "track_id": session.track_id,
        "language": session.language or "", "interpretation": session.interpretation or "",
        "accessibility": session.accessibility or "", "capacity": session.capacity,
        "speakers": [{"speaker_id": link.speaker_id, "name": link.speaker.name, "role": link.role.value,
                      "status": link.status.value} for link in links],
        "updated_at": session.updated_at,
    }


def speaker_json(speaker: Speaker, session_ids: list[int], *, public: bool) -> dict:
    found = {"id": speaker.id, "name": speaker.name, "pronouns": speaker.pronouns or "",
             "affiliation": speaker.affiliation or "", "city": speaker.city or "", "bio": speaker.bio or "",
             "links": list(speaker.links or []), "session_ids": sorted(session_ids)}
    if not public:
        found["email"] = speaker.email or ""
    return found


def public_session_ids_by_speaker(event) -> dict[int, list[int]]:
    """{speaker id: ids of the public agenda's sessions they speak in (not declined)}."""
    found: dict[int, list[int]] = {}
    for day in program_queries.public_agenda(event).days:
        for session in day.sessions:
            for link in program_queries.public_speakers_of(session):
                found.setdefault(link.speaker_id, []).append(session.id)
    return found

