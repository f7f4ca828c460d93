"""Reports: the organiser's summary report (draft, then a frozen published snapshot), the
retention settings and purge record per event, feedback responses and certificates.

A published report never reads live data again: its figures live in `snapshot` (JSON), so
the published page is unchanged after the personal-data purge removes names and answers.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import StrEnumType, UTCDateTime, utcnow

DEFAULT_RETENTION_DAYS = 90


class ReportStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Report(db.Model):
    """The post-event summary report of one event (one per event)."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    status: Mapped[ReportStatus] = mapped_column(StrEnumType(ReportStatus), default=ReportStatus.DRAFT)
    # Words for who took part ("academics, advocates and activists"), used by the narrative draft.
    audience_phrase: Mapped[str] = mapped_column(String(200), default="")
    narrative: Mapped[str] = mapped_column(Text, default="")
    outcomes_md: Mapped[str] = mapped_column(Text, default="")
    recommendations_md: Mapped[str] = mapped_column(Text, default="")
    acknowledgements_md: Mapped[str] = mapped_column(Text, default="")
    # The texts in the event's other languages ({"es": {"narrative": ...}}): events/content_languages.py.
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    # The aggregate figures frozen at publishing (ReportFigures.to_dict()); None while a draft.
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    event: Mapped["Event"] = relationship()

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED


class ParticipantWording(db.Model):
    """What organisers write for participants after the event (issue 13): the certificate's
    wording and the feedback survey's introduction, overall question and comment prompt. The
    columns hold the event's default language, `translations` the others ({"es": {...}}, see
    events/content_languages.py). An empty text means the catalogue's standard wording. Not
    personal data: the purge leaves it; a published report's snapshot never reads it."""

    __tablename__ = "participant_wordings"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    certificate_text: Mapped[str] = mapped_column(Text, default="")
    survey_intro: Mapped[str] = mapped_column(Text, default="")
    survey_overall: Mapped[str] = mapped_column(String(300), default="")
    survey_comment: Mapped[str] = mapped_column(String(300), default="")
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class DataRetention(db.Model):
    """How long an event keeps personal data after it ends, and what the purge left behind."""

    __tablename__ = "data_retention"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    retention_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_RETENTION_DAYS)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The live figures taken just before the purge: dashboards and drafts read these afterwards.
    frozen_figures: Mapped[dict | None] = mapped_column(JSON)
    # Rows touched per purger ({"registration": 120, ...}): counts only.
    purge_counts: Mapped[dict] = mapped_column(JSON, default=dict)


class SurveyResponse(db.Model):
    """One participant's feedback. `respondent_key` (a keyed hash of the registration) stops a
    second response without storing who answered; `registration_id` is kept only when the
    participant chose to answer with their name."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("event_id", "respondent_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    respondent_key: Mapped[str] = mapped_column(String(64))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    overall_rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")  # personal data: purged
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    session_ratings: Mapped[list["SessionRating"]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class SessionRating(db.Model):
    __tablename__ = "session_ratings"
    __table_args__ = (UniqueConstraint("response_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True)
    # The programme session's id (confapp.program); kept as a plain id so ratings outlive edits.
    session_id: Mapped[int] = mapped_column(Integer, index=True)
    rating: Mapped[int] = mapped_column(Integer)

    response: Mapped[SurveyResponse] = relationship(back_populates="session_ratings")


class Certificate(db.Model):
    """A certificate of attendance; `code` is the unguessable part of its verification URL."""

    __tablename__ = "certificates"
    __table_args__ = (Index("ix_certificates_event", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), unique=True
    )
    code: Mapped[str] = mapped_column(String(32), unique=True)
    holder_name: Mapped[str] = mapped_column(String(250), default="")  # personal data: purged
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped["Event"] = relationship()


class FiguresCache(db.Model):
    """The dashboard's live figures of one event as last computed, and when (`reports.cache`).
    Aggregates only, like a published snapshot; cleared by the purge and by "forget me"."""

    __tablename__ = "report_figures_cache"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    figures: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
