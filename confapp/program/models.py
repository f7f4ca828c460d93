"""The programme: rooms, tracks, sessions, speakers and who speaks where, plus what
attendees do with it (stars for a personal agenda, sign-ups for workshops with a capacity).

A Speaker belongs to one event. The same person across editions is linked by e-mail
(lower-cased): `queries.other_appearances` finds their sessions at other events. Keeping
the profile per event means a speaker's self-service link only ever opens one event's data.
"""
from __future__ import annotations

import enum
import secrets
import uuid
from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import StrEnumType, UTCDateTime, utcnow


class SessionKind(enum.StrEnum):
    PLENARY = "plenary"
    PANEL = "panel"
    WORKSHOP = "workshop"
    ROUNDTABLE = "roundtable"
    BREAK = "break"
    SOCIAL = "social"

    @property
    def label(self) -> str:
        return str(SESSION_KIND_LABELS[self])

    @property
    def default_duration(self) -> timedelta:
        return DEFAULT_DURATIONS[self]

    @property
    def has_speakers(self) -> bool:
        """Breaks and meals show in the agenda without speakers."""
        return self not in (SessionKind.BREAK,)


DEFAULT_DURATIONS: dict[SessionKind, timedelta] = {
    SessionKind.PLENARY: timedelta(minutes=60),
    SessionKind.PANEL: timedelta(minutes=75),
    SessionKind.WORKSHOP: timedelta(minutes=90),
    SessionKind.ROUNDTABLE: timedelta(minutes=60),
    SessionKind.BREAK: timedelta(minutes=15),
    SessionKind.SOCIAL: timedelta(minutes=90),
}


class SessionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class SessionDelivery(enum.StrEnum):
    """How a session reaches people (confapp/online); a session without one follows its event's mode."""

    ROOM = "room"  # in the room only
    STREAMED = "streamed"  # in the room and streamed to online attendees
    ONLINE = "online"  # online only


class SpeakerRole(enum.StrEnum):
    KEYNOTE = "keynote"
    MODERATOR = "moderator"
    PANELIST = "panelist"
    PRESENTER = "presenter"
    FACILITATOR = "facilitator"

    @property
    def label(self) -> str:
        return str(SPEAKER_ROLE_LABELS[self])


# Shown in the page's language (translated when read, so the module imports without a request).
SESSION_KIND_LABELS = {
    SessionKind.PLENARY: _l("Plenary"), SessionKind.PANEL: _l("Panel"), SessionKind.WORKSHOP: _l("Workshop"),
    SessionKind.ROUNDTABLE: _l("Roundtable"), SessionKind.BREAK: _l("Break"), SessionKind.SOCIAL: _l("Social"),
}
SPEAKER_ROLE_LABELS = {
    SpeakerRole.KEYNOTE: _l("Keynote"), SpeakerRole.MODERATOR: _l("Moderator"), SpeakerRole.PANELIST: _l("Panelist"),
    SpeakerRole.PRESENTER: _l("Presenter"), SpeakerRole.FACILITATOR: _l("Facilitator"),
}


class ParticipationStatus(enum.StrEnum):
    """A speaker's answer for one session, given through their self-service link."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


def _new_uid() -> str:
    return uuid.uuid4().hex


class Room(db.Model):
    __tablename__ = "program_rooms"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    capacity: Mapped[int | None] = mapped_column(Integer)
    accessibility: Mapped[str] = mapped_column(Text, default="")
    # Daily hours in the event's local time; None means the room is available whenever the event runs.
    available_from: Mapped[time | None] = mapped_column(Time)
    available_until: Mapped[time | None] = mapped_column(Time)
    position: Mapped[int] = mapped_column(default=0)


class Track(db.Model):
    __tablename__ = "program_tracks"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    colour: Mapped[str] = mapped_column(String(7), default="#1d4e89")  # "#rrggbb"
    position: Mapped[int] = mapped_column(default=0)
    translations: Mapped[dict] = mapped_column(JSON, default=dict)  # {"es": {"name": ...}}

    @property
    def text_colour(self) -> str:
        from .colours import readable_text_colour

        return readable_text_colour(self.colour)


class ProgramSession(db.Model):
    """One slot of the programme (a plenary, a panel, a break). Named ProgramSession so it is
    never confused with a database session."""

    __tablename__ = "program_sessions"
    __table_args__ = (Index("ix_program_sessions_event_starts", "event_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # Public, stable identifier: URLs and iCalendar UIDs.
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=_new_uid)
    title: Mapped[str] = mapped_column(String(250))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[SessionKind] = mapped_column(StrEnumType(SessionKind), default=SessionKind.PANEL)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("program_tracks.id", ondelete="SET NULL"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("program_rooms.id", ondelete="SET NULL"), index=True)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    language: Mapped[str] = mapped_column(String(80), default="English")
    interpretation: Mapped[str] = mapped_column(String(300), default="")
    accessibility: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[SessionStatus] = mapped_column(StrEnumType(SessionStatus), default=SessionStatus.DRAFT)
    # iCalendar SEQUENCE: bumped when a published session's time or place changes.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    translations: Mapped[dict] = mapped_column(JSON, default=dict)  # {"es": {"title": ..., "description": ...}}
    # None: as the event (in person: room only; hybrid: streamed; online: online only).
    delivery: Mapped[SessionDelivery | None] = mapped_column(StrEnumType(SessionDelivery))

    track: Mapped[Track | None] = relationship()
    room: Mapped[Room | None] = relationship()
    speakers: Mapped[list["SessionSpeaker"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionSpeaker.position"
    )

    @property
    def is_scheduled(self) -> bool:
        return self.starts_at is not None and self.ends_at is not None

    @property
    def takes_signups(self) -> bool:
        return self.kind == SessionKind.WORKSHOP and self.capacity is not None

    @property
    def is_public(self) -> bool:
        """In the public agenda: published, or cancelled after it was published."""
        return self.status == SessionStatus.PUBLISHED or (
            self.status == SessionStatus.CANCELLED and self.first_published_at is not None
        )


class Speaker(db.Model):
    __tablename__ = "program_speakers"
    __table_args__ = (Index("ix_program_speakers_email", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")  # personal data; lower-cased
    pronouns: Mapped[str] = mapped_column(String(60), default="")
    affiliation: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    # A random name, never a user-chosen one; the bytes are stored (confapp.storage) under
    # speaker_photos/<name>, the folder they were written to before they moved into the database.
    photo_filename: Mapped[str | None] = mapped_column(String(64))
    links: Mapped[list] = mapped_column(JSON, default=list)
    # Part of every self-service token: rotating it revokes links already sent.
    link_nonce: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(8))
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sessions: Mapped[list["SessionSpeaker"]] = relationship(back_populates="speaker", cascade="all, delete-orphan")


class SessionSpeaker(db.Model):
    __tablename__ = "program_session_speakers"
    __table_args__ = (UniqueConstraint("session_id", "speaker_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("program_sessions.id", ondelete="CASCADE"), index=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("program_speakers.id", ondelete="CASCADE"), index=True)
    role: Mapped[SpeakerRole] = mapped_column(StrEnumType(SpeakerRole), default=SpeakerRole.PANELIST)
    status: Mapped[ParticipationStatus] = mapped_column(
        StrEnumType(ParticipationStatus), default=ParticipationStatus.PENDING
    )
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[ProgramSession] = relationship(back_populates="speakers")
    speaker: Mapped[Speaker] = relationship(back_populates="sessions")


class SessionStar(db.Model):
    """A session an attendee put in their personal agenda."""

    __tablename__ = "program_session_stars"
    __table_args__ = (UniqueConstraint("registration_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("program_sessions.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SessionSignup(db.Model):
    """A place taken in a workshop with a capacity; counted under a lock on the session row."""

    __tablename__ = "program_session_signups"
    __table_args__ = (UniqueConstraint("session_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("program_sessions.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
