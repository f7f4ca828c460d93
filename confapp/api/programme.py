"""What the programme endpoints share: who reads (anyone, for a published event's public
programme; a programme:read token for drafts too), who writes (a programme:write token), how
their routes are described, the rooms' and tracks' one set of handlers, and the answers' shapes,
built from the programme's own queries and conflict checks."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext
from flask_smorest import abort

from ..accounts.permissions import Action
from ..events.access import check_visible
from ..events.queries import event_by_slug
from ..program import queries as program_queries
from ..program.conflicts import ConflictWarning
from ..extensions import db
from ..program.models import ProgramSession, Room, Speaker, Track
from ..types import utcnow
from .auth import OPTIONAL_SECURITY, optional_token_actor, public, token_actor, token_event
from .blueprint import v1
from .models import Scope
from .queries import page_answer
from .views_v1 import documented_errors


def reader(slug: str):
    """(event, actor): actor None for a caller without a token, who sees the public programme of
    an event whose public pages anyone may see (events.access.check_visible: not a draft)."""
    actor = optional_token_actor(Scope.PROGRAMME_READ)
    if actor is None:
        event = event_by_slug(slug)
        if event is None:
            abort(404, message=gettext("No such event."))
        return check_visible(event), None
    return token_event(actor, slug, Action.MANAGE_PROGRAM), actor


def writer(slug: str) -> tuple:
    actor = token_actor(Scope.PROGRAMME_WRITE)
    return token_event(actor, slug, Action.MANAGE_PROGRAM), actor


def public_read(rule: str, schema, *, query=None):
    """A programme read: answerable without a token (the public programme) or with a
    programme:read one, as the document says (`security: [{}, {"bearerAuth": []}]`)."""
    def decorator(view):
        view = v1.doc(security=OPTIONAL_SECURITY)(documented_errors(401, 403, 404, 429)(public(view)))
        view = v1.response(200, schema)(view)
        if query is not None:
            view = v1.arguments(query, location="query")(view)
        return v1.route(rule)(view)
    return decorator


def programme_write(rule: str, method: str, status: int, schema=None, *, body=None, errors=(401, 403, 404, 429)):
    """A programme write (a programme:write token): `body` validates the request, `schema` the answer."""
    def decorator(view):
        view = documented_errors(*errors)(view)
        view = v1.response(status, schema)(view) if schema is not None else v1.response(status)(view)
        if body is not None:
            view = v1.arguments(body)(view)
        return v1.route(rule, methods=[method])(view)
    return decorator


def merged(item, body: dict, names: tuple[str, ...]) -> dict:
    """What a PATCH leaves: the item's values, with the body's changes."""
    return {name: body[name] if name in body else getattr(item, name) for name in names}


@dataclass(frozen=True)
class PlaceResource:
    """Rooms and tracks: the same five handlers over the organisers' save_<name> / delete_<name>
    services (list, get, create, update: what is left out stays, delete)."""

    name: str  # "room": the services' keyword and the 404's word
    model: type
    fields: tuple[str, ...]
    data: type  # the services' RoomData / TrackData
    save: Callable
    remove: Callable
    to_json: Callable
    listed: Callable  # event -> its items (the programme's own query)
    result: Callable | None = None  # (event, item) -> a write's answer; else to_json's

    def not_found(self) -> str:
        # Whole sentences for the catalogue: the words around a noun change with it in Spanish.
        return gettext("No such room for this event.") if self.name == "room" else gettext("No such track for this event.")

    def item(self, event, item_id: int):
        found = db.session.get(self.model, item_id)
        if found is None or found.event_id != event.id:
            abort(404, message=self.not_found())
        return found

    def list(self, slug: str, args: dict) -> dict:
        event, _ = reader(slug)
        return page_answer(self.listed(event), args, self.to_json)

    def get(self, slug: str, item_id: int) -> dict:
        event, _ = reader(slug)
        return self.to_json(self.item(event, item_id))

    def create(self, slug: str, body: dict) -> dict:
        event, actor = writer(slug)
        return self._saved(event, self.save(event, self.data(**body), actor=actor, now=utcnow()))

    def update(self, slug: str, item_id: int, body: dict) -> dict:
        event, actor = writer(slug)
        found = self.item(event, item_id)
        self.save(event, self.data(**merged(found, body, self.fields)), actor=actor, now=utcnow(), **{self.name: found})
        return self._saved(event, found)

    def delete(self, slug: str, item_id: int) -> None:
        event, actor = writer(slug)
        self.remove(self.item(event, item_id), actor=actor, event=event, now=utcnow())
        db.session.commit()

    def _saved(self, event, found) -> dict:
        db.session.commit()
        return self.result(event, found) if self.result else self.to_json(found)


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

