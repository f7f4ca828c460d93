from __future__ import annotations

import enum
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import StrEnumType, UTCDateTime, utcnow
from .content_languages import tr


def new_registration_rev() -> str:
    return secrets.token_hex(8)


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class AttendanceMode(enum.StrEnum):
    """How people take part in an event (confapp/online): at the venue, online, or both."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class Series(db.Model):
    """A recurring convening ("PHRGE Human Rights Institute") whose editions are events."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    events: Mapped[list["Event"]] = relationship(back_populates="series", order_by="Event.starts_at")


class Event(db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"), index=True)
    edition_label: Mapped[str] = mapped_column(String(120), default="")
    title: Mapped[str] = mapped_column(String(200))
    subtitle: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    venue_city: Mapped[str] = mapped_column(String(120), default="")
    venue_region: Mapped[str] = mapped_column(String(120), default="")
    venue_country: Mapped[str] = mapped_column(String(2), default="")
    venue_accessibility: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # The venue's capacity: online places (categories with attendance_mode "online") are not counted in it.
    capacity: Mapped[int | None] = mapped_column(Integer)
    attendance_mode: Mapped[AttendanceMode] = mapped_column(StrEnumType(AttendanceMode), default=AttendanceMode.IN_PERSON)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[EventStatus] = mapped_column(StrEnumType(EventStatus), default=EventStatus.DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Content languages (confapp/events/content_languages.py): the text columns hold the default
    # language's text, `translations` the others' ({"es": {"title": ...}}).
    languages: Mapped[list] = mapped_column(JSON, default=lambda: ["en"])
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    # True while an active webhook endpoint exists (kept by confapp/webhooks/services.py), so a
    # change on an event without webhooks costs no query for them, even under the desk's lock.
    has_webhooks: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether any recording or materials link of the event is public (confapp.online.follow_up):
    # the public event page, one SELECT by design, queries for them only then.
    has_public_follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    # Changes whenever the event's registration settings, categories or questions do (a session
    # hook, confapp/registration/common.py), to a new random value: a web process keeps its copies
    # of them while the row it reads with the event says the same (issue 16), so an order costs no
    # query for them. Random, not a counter: a database restored or rebuilt never repeats a value a
    # process still holds.
    registration_rev: Mapped[str] = mapped_column(String(16), default=lambda: new_registration_rev())

    series: Mapped[Series | None] = relationship(back_populates="events")
    organisations: Mapped[list["EventOrganisation"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventOrganisation.position"
    )
    roles: Mapped[list["EventRole"]] = relationship(back_populates="event", cascade="all, delete-orphan")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, moment: datetime | None) -> datetime | None:
        return moment.astimezone(self.tz) if moment else None

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    @property
    def organisers(self) -> list["EventOrganisation"]:
        return [o for o in self.organisations if o.kind == OrganisationKind.ORGANISER]

    @property
    def partners(self) -> list["EventOrganisation"]:
        return [o for o in self.organisations if o.kind == OrganisationKind.PARTNER]

    @property
    def venue_country_name(self) -> str:
        """The venue's country in words ("United States" for "US"); the code itself if unknown."""
        if not self.venue_country:
            return ""
        import pycountry

        country = pycountry.countries.get(alpha_2=self.venue_country.upper())
        return (getattr(country, "common_name", None) or country.name) if country else self.venue_country

    @property
    def local_title(self) -> str:
        """The title in the reader's language: the current interface language's translation if the
        event offers that language, else the default language's (content_languages.tr). For code
        below events in the import graph (accounts' invitation), which has the event but may not
        import its content helpers."""
        return tr(self, "title")

    @property
    def venue_line(self) -> str:
        parts = [self.venue_name, self.venue_city, self.venue_region]
        return ", ".join(p for p in parts if p)

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class OrganisationKind(enum.StrEnum):
    ORGANISER = "organiser"
    PARTNER = "partner"


class EventOrganisation(db.Model):
    """An organising or partner organisation named on the event page."""

    __tablename__ = "event_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[OrganisationKind] = mapped_column(StrEnumType(OrganisationKind))
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="organisations")
