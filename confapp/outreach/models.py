"""Outreach: messages to an event's participants, one delivery record per recipient,
reminder rules relative to the event, and unsubscriptions.

A Message is one email (subject + Markdown body, or for transactional mail the rendered
parts) sent to a segment or to one person. A Delivery is that message to one address:
UNIQUE (message_id, address) so nobody gets the same message twice, whatever retries,
restarts or double clicks happen.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import StrEnumType, UTCDateTime, utcnow


class MessageKind(enum.StrEnum):
    ANNOUNCEMENT = "announcement"  # to a segment; carries an unsubscribe link
    TRANSACTIONAL = "transactional"  # confirmations, offers, receipts: no unsubscribe


class MessageStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class DeliveryState(enum.StrEnum):
    QUEUED = "queued"
    # Claimed by a worker until lease_until; handed_over_at says the content reached the
    # server and only the final "." (the point of no return) remained.
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class SkipReason(enum.StrEnum):
    UNSUBSCRIBED = "unsubscribed"
    ALREADY_SENT = "already_sent"
    NO_ADDRESS = "no_address"


class Message(db.Model):
    __tablename__ = "outreach_messages"
    __table_args__ = (Index("ix_outreach_messages_event_created", "event_id", "created_at"),
                      Index("ix_outreach_messages_status_scheduled", "status", "scheduled_for"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    kind: Mapped[MessageKind] = mapped_column(StrEnumType(MessageKind), default=MessageKind.ANNOUNCEMENT)
    status: Mapped[MessageStatus] = mapped_column(StrEnumType(MessageStatus), default=MessageStatus.DRAFT)
    subject: Mapped[str] = mapped_column(String(300))
    # Announcements: Markdown with merge fields, rendered per recipient at send time.
    body: Mapped[str] = mapped_column(Text, default="")
    # Announcements: the subject and body above are the version in the event's default language;
    # the other languages' versions are here ({"es": {"subject": ..., "body": ...}}; versions.py).
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    # The organiser's choice that people whose language has no version get the default one;
    # without it a send is refused while such people are among the recipients.
    untranslated_fallback: Mapped[bool] = mapped_column(default=False)
    # The rendered parts kept for the history: transactional mail exactly as sent;
    # announcements rendered with placeholder values for each merge field.
    rendered_text: Mapped[str] = mapped_column(Text, default="")
    rendered_html: Mapped[str] = mapped_column(Text, default="")
    # Transactional mail: the template it came from (e.g. "registration_confirmation").
    template: Mapped[str] = mapped_column(String(100), default="")
    reply_to: Mapped[str] = mapped_column(String(254), default="")
    segment: Mapped[dict | None] = mapped_column(JSON)
    # The segment in words, as whoever saved it read them: all there is to describe messages
    # saved before segment_names existed.
    segment_label: Mapped[str] = mapped_column(String(500), default="")
    # The names the segment refers to, in each of the event's languages, as they were when it was
    # saved ({"category": {"3": {"en": ..., "es": ...}}, "session": ..., "question": ...}): with
    # the segment they describe the audience in each reader's language (audience.label_of).
    # None for older messages and resends (no segment).
    segment_names: Mapped[dict | None] = mapped_column(JSON)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set once the segment has been resolved into delivery rows (at send time).
    materialized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The earliest time a delivery job is already scheduled for (avoids piling up duplicate wake-ups).
    wakeup_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminder_rule_id: Mapped[int | None] = mapped_column(ForeignKey("outreach_reminder_rules.id", ondelete="SET NULL"))
    resend_of_id: Mapped[int | None] = mapped_column(ForeignKey("outreach_messages.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped["Event"] = relationship()
    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])
    attachments: Mapped[list["MessageAttachment"]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="MessageAttachment.id"
    )

    @property
    def is_editable(self) -> bool:
        return self.status in (MessageStatus.DRAFT, MessageStatus.SCHEDULED)


class MessageAttachment(db.Model):
    """A file sent with a message; kept in the database (size-limited) so every worker sees it."""

    __tablename__ = "outreach_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outreach_messages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[Message] = relationship(back_populates="attachments")


class Delivery(db.Model):
    __tablename__ = "outreach_deliveries"
    __table_args__ = (
        UniqueConstraint("message_id", "address"),
        Index("ix_outreach_deliveries_message_state", "message_id", "state", "next_attempt_at"),
        Index("ix_outreach_deliveries_address", "address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outreach_messages.id", ondelete="CASCADE"))
    # Lower-cased address: the unique key. personal data: purged with the registration.
    address: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(250), default="")
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"), index=True)
    # The language the recipient reads, among the event's (versions.py): which version they get.
    language: Mapped[str | None] = mapped_column(String(8))
    state: Mapped[DeliveryState] = mapped_column(StrEnumType(DeliveryState), default=DeliveryState.QUEUED)
    skip_reason: Mapped[str] = mapped_column(String(32), default="")
    smtp_reply: Mapped[str] = mapped_column(String(500), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(32))
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # True when the worker stopped after handing the message over and before the server's reply.
    unconfirmed: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    message: Mapped[Message] = relationship()


class ReminderAnchor(enum.StrEnum):
    START = "start"
    END = "end"


class ReminderRule(db.Model):
    """"2 days before start at 09:00 event time", "1 day after end": a message template
    sent to its segment (as it stands then) once, when the moment comes."""

    __tablename__ = "outreach_reminder_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    anchor: Mapped[ReminderAnchor] = mapped_column(StrEnumType(ReminderAnchor), default=ReminderAnchor.START)
    # Negative = before the anchor, positive = after.
    offset_days: Mapped[int] = mapped_column(Integer, default=-1)
    # "HH:MM" in the event's time zone; empty = the anchor's own time of day.
    at_time: Mapped[str] = mapped_column(String(5), default="")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    segment: Mapped[dict | None] = mapped_column(JSON)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Recorded when the rule fires: it fires once.
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fired_message_id: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped["Event"] = relationship()


class Unsubscribe(db.Model):
    """An address that asked for no more announcements: from one event, or (event_id NULL) all."""

    __tablename__ = "outreach_unsubscribes"
    __table_args__ = (UniqueConstraint("address", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(254), index=True)  # personal data
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
