"""Join details (the secret part of an online convening) and online attendance.

The meeting URL and the dial-in access code are secrets: they are read only by `access.py`
(who is entitled, from when) and by the organiser's pages, and never logged or exported.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import StrEnumType, UTCDateTime, utcnow


class JoinDetails(db.Model):
    """How to join an event (session_id None) or one of its sessions online."""

    __tablename__ = "online_join_details"
    __table_args__ = (
        # One set per session, and one for the event as a whole.
        Index("uq_online_join_details_session", "session_id", unique=True,
              sqlite_where=text("session_id IS NOT NULL"), postgresql_where=text("session_id IS NOT NULL")),
        Index("uq_online_join_details_event", "event_id", unique=True,
              sqlite_where=text("session_id IS NULL"), postgresql_where=text("session_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("program_sessions.id", ondelete="CASCADE"))
    meeting_url: Mapped[str] = mapped_column(String(500), default="")
    # One number per line ("+1 646 558 8656 (New York)").
    dial_in_numbers: Mapped[str] = mapped_column(Text, default="")
    access_code: Mapped[str] = mapped_column(String(100), default="")
    instructions: Mapped[str] = mapped_column(Text, default="")
    # Shown from this many minutes before the start of the session (or the event).
    reveal_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # Whether people with in-person places may see the stream link too.
    in_person_may_join: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AttendanceSource(enum.StrEnum):
    LINK = "link"  # the attendee's personal join link
    MANUAL = "manual"  # marked by an organiser (phone participants)


class OnlineAttendance(db.Model):
    """One attendee joined one session (or the event, session_id None) online: counted once."""

    __tablename__ = "online_attendances"
    __table_args__ = (
        Index("uq_online_attendances_session", "registration_id", "session_id", unique=True,
              sqlite_where=text("session_id IS NOT NULL"), postgresql_where=text("session_id IS NOT NULL")),
        Index("uq_online_attendances_event", "registration_id", unique=True,
              sqlite_where=text("session_id IS NULL"), postgresql_where=text("session_id IS NULL")),
        Index("ix_online_attendances_event", "event_id", "session_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("program_sessions.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[AttendanceSource] = mapped_column(StrEnumType(AttendanceSource), default=AttendanceSource.LINK)
    # The organiser who marked it by hand (an id only: no name is kept here).
    marked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    registration: Mapped["Registration"] = relationship()


class JoinLinkRevocation(db.Model):
    """An organiser revoked an attendee's join links: every link issued before stops working;
    the attendee's ticket page shows new ones."""

    __tablename__ = "online_join_revocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class LinksVisibility(enum.StrEnum):
    REGISTERED = "registered"  # confirmed attendees, on their ticket page
    PUBLIC = "public"  # anyone, on the event's and the session's public pages


class FollowUpLinks(db.Model):
    """After an event (session_id None) or one of its sessions: the recording and the materials,
    shown to registered attendees or publicly, as the organiser chooses. Not secret like the join
    details, but "registered" links stay off public pages, feeds and exports all the same."""

    __tablename__ = "online_follow_up_links"
    __table_args__ = (
        Index("uq_online_follow_up_links_session", "session_id", unique=True,
              sqlite_where=text("session_id IS NOT NULL"), postgresql_where=text("session_id IS NOT NULL")),
        Index("uq_online_follow_up_links_event", "event_id", unique=True,
              sqlite_where=text("session_id IS NULL"), postgresql_where=text("session_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("program_sessions.id", ondelete="CASCADE"))
    recording_url: Mapped[str] = mapped_column(String(500), default="")
    # One link per line, "https://..." or "Slides | https://...".
    materials: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[LinksVisibility] = mapped_column(StrEnumType(LinksVisibility), default=LinksVisibility.REGISTERED)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SeriesRule(db.Model):
    """The recurrence of a series' online editions (confapp/online/recurrence.py): "first Tuesday
    of each month, 19:00 America/New_York, 60 minutes", with exception dates. Editions are copies
    of the template edition (events.services.copy_event), one per date."""

    __tablename__ = "online_series_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), unique=True)
    template_event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="RESTRICT"))
    frequency: Mapped[str] = mapped_column(String(16), default="monthly")
    weekday: Mapped[int] = mapped_column(Integer, default=1)
    ordinal: Mapped[int | None] = mapped_column(Integer)
    interval: Mapped[int] = mapped_column(Integer, default=1)
    at_time: Mapped[str] = mapped_column(String(5), default="19:00")  # local "HH:MM"
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    starts_on: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    # ISO dates ("2027-07-06") the rule skips.
    exceptions: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    template: Mapped["Event"] = relationship(foreign_keys=[template_event_id])


class SeriesEdition(db.Model):
    """One edition created by a rule, at one start: the unique (rule, starts_at) stops two
    concurrent "create editions" from creating the same date twice."""

    __tablename__ = "online_series_editions"
    __table_args__ = (UniqueConstraint("rule_id", "starts_at", name="uq_online_series_editions_rule_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("online_series_rules.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped["Event"] = relationship()


class SeriesSubscription(db.Model):
    """Someone registered for every upcoming edition of a series: one registration per edition
    (placed through registration's services), and editions created later register them too."""

    __tablename__ = "online_series_subscriptions"
    __table_args__ = (UniqueConstraint("rule_id", "email", name="uq_online_series_subscriptions_rule_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("online_series_rules.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    # The category chosen, by name: each edition's copy of it has the same name.
    category_name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    # The registration questions' answers, given once for every edition: {question key: stored
    # value} (online.series.question_key: each edition has its own copies of the questions).
    answers: Mapped[dict | None] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CancelledEdition(db.Model):
    """A date of a rule whose edition was cancelled (an exception added, or left over when the
    rule changed). The scheduler treats it as skipped for good: taking the exception off again,
    or a later change that brings the date back, must not create or move an edition onto it,
    since its attendees were told it is cancelled and refunded. Kept by the edition's local date
    (as exceptions are): a change of the rule's time keeps that day cancelled."""

    __tablename__ = "online_series_cancelled_editions"
    __table_args__ = (UniqueConstraint("rule_id", "local_date", name="uq_online_series_cancelled_editions_rule_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("online_series_rules.id", ondelete="CASCADE"))
    # The cancelled edition stays (a draft with its history); an organiser may still delete it.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    local_date: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
