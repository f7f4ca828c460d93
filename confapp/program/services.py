"""Programme rules: rooms, tracks, sessions (schedule, publish, cancel) and the copy hook.

Speakers live in speakers.py; attendee stars and workshop sign-ups in attendance.py.
Services flush; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts import permissions
from ..accounts.permissions import Action
from ..audit.services import record
from ..errors import InvalidState, ValidationFailed
from ..events.content_languages import register_translatable
from ..events.services import register_copy_hook
from ..extensions import db
from ..types import utcnow
from ..webhooks import outbox
from .colours import HEX_COLOUR
from .conflicts import ConflictWarning, compute_conflicts
from .models import ProgramSession, Room, SessionKind, SessionSpeaker, SessionStatus, Track

# The texts organisers can give in each of the event's languages (confapp/events/content_languages.py).
SESSION_TEXTS = ("title", "description")
TRACK_TEXTS = ("name",)
register_translatable(ProgramSession, SESSION_TEXTS)
register_translatable(Track, TRACK_TEXTS)


class ConflictsNeedReview(ValidationFailed):
    """Publishing a session with timetable warnings needs the organiser to acknowledge them."""

    code = "conflicts_need_review"

    def __init__(self, warnings: list[ConflictWarning]):
        super().__init__({}, gettext("This session has timetable warnings. Review them, then publish anyway if they are intended."))
        self.warnings = warnings


# --- rooms and tracks ------------------------------------------------------------------------

@dataclass
class RoomData:
    name: str
    capacity: int | None = None
    accessibility: str = ""
    available_from: time | None = None
    available_until: time | None = None
    position: int = 0


def _validate_room(event, data: RoomData, room: Room | None = None) -> None:
    errors = {}
    if not data.name.strip():
        errors["name"] = gettext("Give the room a name.")
    elif db.session.scalar(select(Room.id).where(Room.event_id == event.id, Room.name == data.name.strip(),
                                                 Room.id != (room.id if room else -1))):
        errors["name"] = gettext("This event already has a room with that name.")
    if data.capacity is not None and data.capacity < 0:
        errors["capacity"] = gettext("Capacity cannot be negative.")
    if data.available_from and data.available_until and data.available_until <= data.available_from:
        errors["available_until"] = gettext("The room must become unavailable after it becomes available.")
    if errors:
        raise ValidationFailed(errors)


def save_room(event, data: RoomData, *, actor, room: Room | None = None, now: datetime | None = None) -> Room:
    """Create (room=None) or update a room. Raises NotAllowed, ValidationFailed (name unique per event)."""
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    _validate_room(event, data, room)
    if room is None:
        room = Room(event_id=event.id)
        db.session.add(room)
    room.name, room.capacity, room.accessibility = data.name.strip(), data.capacity, data.accessibility
    room.available_from, room.available_until, room.position = data.available_from, data.available_until, data.position
    db.session.flush()
    record("program.room_saved", actor=actor, event=event, target=room, now=now)
    return room


def delete_room(room: Room, *, actor, event, now: datetime | None = None) -> None:
    """Delete a room; its sessions become unassigned (they keep their times)."""
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    record("program.room_deleted", actor=actor, event=event, target=room, now=now)
    db.session.delete(room)
    db.session.flush()


@dataclass
class TrackData:
    name: str
    colour: str = "#1d4e89"
    position: int = 0


def save_track(event, data: TrackData, *, actor, track: Track | None = None, now: datetime | None = None) -> Track:
    """Create or update a track. Its label colour is chosen for AA contrast (colours.py).
    Raises NotAllowed, ValidationFailed (name unique per event, colour #rrggbb)."""
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    errors = {}
    if not data.name.strip():
        errors["name"] = gettext("Give the track a name.")
    elif db.session.scalar(select(Track.id).where(Track.event_id == event.id, Track.name == data.name.strip(),
                                                  Track.id != (track.id if track else -1))):
        errors["name"] = gettext("This event already has a track with that name.")
    if not HEX_COLOUR.match(data.colour or ""):
        errors["colour"] = gettext("Give the colour as #rrggbb, for example #1d4e89.")
    if errors:
        raise ValidationFailed(errors)
    if track is None:
        track = Track(event_id=event.id)
        db.session.add(track)
    track.name, track.colour, track.position = data.name.strip(), data.colour.lower(), data.position
    db.session.flush()
    record("program.track_saved", actor=actor, event=event, target=track, now=now)
    return track


def delete_track(track: Track, *, actor, event, now: datetime | None = None) -> None:
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    record("program.track_deleted", actor=actor, event=event, target=track, now=now)
    db.session.delete(track)
    db.session.flush()


# --- sessions --------------------------------------------------------------------------------

@dataclass
class SessionData:
    title: str
    kind: SessionKind = SessionKind.PANEL
    starts_at: datetime | None = None
    ends_at: datetime | None = None  # None with a start: the kind's default duration
    room_id: int | None = None
    track_id: int | None = None
    description: str = ""
    language: str = "English"
    interpretation: str = ""
    accessibility: str = ""
    capacity: int | None = None
    extra: dict = field(default_factory=dict)


SCHEDULE_FIELDS = ("starts_at", "ends_at", "room_id")
EDITABLE_FIELDS = ("title", "kind", "starts_at", "ends_at", "room_id", "track_id", "description",
                   "language", "interpretation", "accessibility", "capacity")


def _validate_session(event, data: SessionData) -> None:
    errors = {}
    if not data.title.strip():
        errors["title"] = gettext("Give the session a title.")
    if data.ends_at is not None and data.starts_at is None:
        errors["starts_at"] = gettext("Give a start time as well as an end time.")
    if data.starts_at and data.ends_at and data.ends_at <= data.starts_at:
        errors["ends_at"] = gettext("The session must end after it starts.")
    if data.starts_at and data.starts_at.tzinfo is None:
        errors["starts_at"] = gettext("Start time needs a time zone.")
    if data.room_id is not None and db.session.scalar(
            select(Room.id).where(Room.id == data.room_id, Room.event_id == event.id)) is None:
        errors["room_id"] = gettext("Choose one of this event's rooms.")
    if data.track_id is not None and db.session.scalar(
            select(Track.id).where(Track.id == data.track_id, Track.event_id == event.id)) is None:
        errors["track_id"] = gettext("Choose one of this event's tracks.")
    if data.capacity is not None and data.capacity < 0:
        errors["capacity"] = gettext("Capacity cannot be negative.")
    if errors:
        raise ValidationFailed(errors)


def _apply(session: ProgramSession, data: SessionData) -> list[str]:
    if data.starts_at is not None and data.ends_at is None:
        data.ends_at = data.starts_at + SessionKind(data.kind).default_duration
    changed = [name for name in EDITABLE_FIELDS if getattr(session, name) != getattr(data, name)]
    for name in EDITABLE_FIELDS:
        setattr(session, name, getattr(data, name))
    session.title = data.title.strip()
    return changed


def session_conflicts(session: ProgramSession) -> list[ConflictWarning]:
    """The timetable warnings that concern this session (it must be flushed)."""
    from ..events.models import Event

    event = db.session.get(Event, session.event_id)
    sessions = db.session.scalars(
        select(ProgramSession).where(ProgramSession.event_id == session.event_id)
        .options(selectinload(ProgramSession.room),
                 selectinload(ProgramSession.speakers).selectinload(SessionSpeaker.speaker))
        # Sessions already in the identity map may hold a stale room after room_id changed.
        .execution_options(populate_existing=True)
    ).all()
    return compute_conflicts(event, sessions).get(session.id, [])


def create_session(event, data: SessionData, *, actor, now: datetime | None = None) -> tuple[ProgramSession, list[ConflictWarning]]:
    """Add a draft session (scheduled or not). Returns it with its timetable warnings.
    Raises NotAllowed, ValidationFailed (title, end before start, unknown room or track)."""
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    _validate_session(event, data)
    now = now or utcnow()
    session = ProgramSession(event_id=event.id, status=SessionStatus.DRAFT, created_at=now, updated_at=now)
    _apply(session, data)
    db.session.add(session)
    db.session.flush()
    record("program.session_created", actor=actor, event=event, target=session, now=now)
    return session, session_conflicts(session)


def update_session(session: ProgramSession, data: SessionData, *, actor, event, now: datetime | None = None
                   ) -> tuple[ProgramSession, list[ConflictWarning]]:
    """Edit, move or resize a session. A published session that moves gets a new iCalendar
    SEQUENCE so calendar apps update it. Raises NotAllowed, ValidationFailed, InvalidState."""
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    if session.event_id != event.id:
        raise InvalidState(gettext("That session belongs to another event."))
    _validate_session(event, data)
    if session.status == SessionStatus.PUBLISHED and data.starts_at is None:
        raise ValidationFailed({"day": gettext("A published session needs a day and time. Cancel it instead if it is off.")})
    now = now or utcnow()
    changed = _apply(session, data)
    if changed:
        session.updated_at = now
        if session.first_published_at and any(name in SCHEDULE_FIELDS or name == "title" for name in changed):
            session.sequence += 1
    db.session.flush()
    record("program.session_updated", actor=actor, event=event, target=session, details={"fields": changed}, now=now)
    outbox.emit_session("session.updated", session, event, now=now)
    return session, session_conflicts(session)


def publish_session(session: ProgramSession, *, actor, event, acknowledge_warnings: bool = False,
                    now: datetime | None = None) -> ProgramSession:
    """Show a draft (or cancelled) session in the public agenda and feeds. It must be scheduled.
    Raises ConflictsNeedReview while it has warnings that were not acknowledged; InvalidState."""
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    if session.status == SessionStatus.PUBLISHED:
        raise InvalidState(gettext("This session is already published."))
    if not session.is_scheduled:
        raise InvalidState(gettext("Give the session a start and end time before publishing it."))
    warnings = session_conflicts(session)
    if warnings and not acknowledge_warnings:
        raise ConflictsNeedReview(warnings)
    now = now or utcnow()
    if session.first_published_at is not None:
        session.sequence += 1  # a restored cancellation is a change for calendars
    session.status = SessionStatus.PUBLISHED
    session.first_published_at = session.first_published_at or now
    session.updated_at = now
    db.session.flush()
    record("program.session_published", actor=actor, event=event, target=session,
           details={"warnings": [w.kind for w in warnings]}, now=now)
    outbox.emit_session("session.published", session, event, now=now)
    return session


def publish_programme(event, *, actor, acknowledge_warnings: bool = False, now: datetime | None = None) -> int:
    """Publish every scheduled draft session at once; returns how many.
    Raises ConflictsNeedReview (all warnings of those drafts) unless acknowledged."""
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    sessions = db.session.scalars(
        select(ProgramSession).where(ProgramSession.event_id == event.id)
        .options(selectinload(ProgramSession.room),
                 selectinload(ProgramSession.speakers).selectinload(SessionSpeaker.speaker))
        # Sessions already in the identity map may hold a stale room after room_id changed.
        .execution_options(populate_existing=True)
    ).all()
    drafts = [s for s in sessions if s.status == SessionStatus.DRAFT and s.is_scheduled]
    all_warnings = compute_conflicts(event, sessions)
    warnings = [w for s in drafts for w in all_warnings.get(s.id, [])]
    if warnings and not acknowledge_warnings:
        raise ConflictsNeedReview(warnings)
    now = now or utcnow()
    for session in drafts:
        session.status = SessionStatus.PUBLISHED
        session.first_published_at = session.first_published_at or now
        session.updated_at = now
    db.session.flush()
    record("program.programme_published", actor=actor, event=event, target=event,
           details={"sessions": len(drafts)}, now=now)
    for session in drafts:
        outbox.emit_session("session.published", session, event, now=now)
    return len(drafts)


def unpublish_session(session: ProgramSession, *, actor, event, now: datetime | None = None) -> ProgramSession:
    """Back to draft. Only for sessions never seen publicly; a published session is cancelled
    instead so calendars that imported it learn it is off. Raises InvalidState."""
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    if session.first_published_at is not None:
        raise InvalidState(gettext("This session has been published: cancel it instead, so calendars are updated."))
    session.status = SessionStatus.DRAFT
    db.session.flush()
    return session


def cancel_session(session: ProgramSession, *, actor, event, now: datetime | None = None) -> ProgramSession:
    """Cancel a session. If it was ever published, it stays in the agenda and feeds marked
    cancelled (STATUS:CANCELLED, new SEQUENCE). Raises InvalidState if already cancelled."""
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    if session.status == SessionStatus.CANCELLED:
        raise InvalidState(gettext("This session is already cancelled."))
    now = now or utcnow()
    session.status = SessionStatus.CANCELLED
    session.sequence += 1
    session.updated_at = now
    db.session.flush()
    record("program.session_cancelled", actor=actor, event=event, target=session, now=now)
    outbox.emit_session("session.cancelled", session, event, now=now)
    return session


def delete_session(session: ProgramSession, *, actor, event, now: datetime | None = None) -> None:
    """Delete a session that was never published. Raises InvalidState otherwise."""
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    if session.first_published_at is not None:
        raise InvalidState(gettext("This session has been published: cancel it instead of deleting it."))
    record("program.session_deleted", actor=actor, event=event, target=session, now=now)
    db.session.delete(session)
    db.session.flush()


# --- copying an edition ----------------------------------------------------------------------

@register_copy_hook
def copy_programme(source, target, shift: timedelta) -> None:
    """A new edition gets the rooms, tracks and session structure, shifted by `shift`, as drafts
    with new UIDs. Speakers and their links are not copied: a new edition invites its own
    speakers (their profiles are personal data and their answers are per edition)."""
    rooms = {}
    for room in db.session.scalars(select(Room).where(Room.event_id == source.id)):
        copy = Room(event_id=target.id, name=room.name, capacity=room.capacity, accessibility=room.accessibility,
                    available_from=room.available_from, available_until=room.available_until, position=room.position)
        db.session.add(copy)
        rooms[room.id] = copy
    tracks = {}
    for track in db.session.scalars(select(Track).where(Track.event_id == source.id)):
        copy = Track(event_id=target.id, name=track.name, colour=track.colour, position=track.position,
                     translations=track.translations or {})
        db.session.add(copy)
        tracks[track.id] = copy
    db.session.flush()
    for s in db.session.scalars(select(ProgramSession).where(ProgramSession.event_id == source.id)):
        if s.status == SessionStatus.CANCELLED:
            continue
        db.session.add(ProgramSession(
            event_id=target.id, title=s.title, description=s.description, kind=s.kind,
            track_id=tracks[s.track_id].id if s.track_id in tracks else None,
            room_id=rooms[s.room_id].id if s.room_id in rooms else None,
            starts_at=s.starts_at + shift if s.starts_at else None,
            ends_at=s.ends_at + shift if s.ends_at else None,
            language=s.language, interpretation=s.interpretation, accessibility=s.accessibility,
            capacity=s.capacity, status=SessionStatus.DRAFT, translations=s.translations or {},
        ))
    db.session.flush()
