"""Events: create, edit, publish, archive, and copy a new edition."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext
from sqlalchemy import select

from ..accounts import permissions
from ..accounts.models import EventRole, Role
from ..audit.services import SystemActor, record
from ..errors import InvalidState, NotAllowed, ValidationFailed
from ..extensions import db
from ..inputs import FIRST_YEAR, LAST_YEAR
from ..templating import format_datetime
from ..text import slugify
from ..types import utcnow
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES
from . import content_languages
from .models import Event, EventOrganisation, EventStatus, OrganisationKind, Series

# Fields an organiser edits through the event form (and that a new edition copies).
EDITABLE_FIELDS = (
    "title", "subtitle", "description", "timezone", "starts_at", "ends_at",
    "venue_name", "venue_address", "venue_city", "venue_region", "venue_country", "venue_accessibility",
    "contact_email", "capacity", "registration_opens_at", "registration_closes_at", "edition_label",
)

# Other domains register here what a new edition copies from the previous one
# (registration categories and questions, programme structure): hook(source, target, shift).
CopyHook = Callable[[Event, Event, timedelta], None]
copy_hooks: list[CopyHook] = []
# Run after every other hook, whatever the import order: copies that re-point at rows the other
# hooks made (outreach's reminder segments name the copy's categories).
late_copy_hooks: list[CopyHook] = []


def register_copy_hook(hook: CopyHook) -> CopyHook:
    copy_hooks.append(hook)
    return hook


def register_late_copy_hook(hook: CopyHook) -> CopyHook:
    late_copy_hooks.append(hook)
    return hook


@dataclass
class EventData:
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str = "UTC"
    subtitle: str = ""
    description: str = ""
    venue_name: str = ""
    venue_address: str = ""
    venue_city: str = ""
    venue_region: str = ""
    venue_country: str = ""
    venue_accessibility: str = ""
    contact_email: str = ""
    capacity: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    edition_label: str = ""
    slug: str | None = None
    series_id: int | None = None
    organisers: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    # Content languages; `translations` is {lang: {field: text}} for TRANSLATED_FIELDS. None: unchanged
    # (English only, for a new event).
    default_language: str | None = None
    languages: tuple[str, ...] | None = None
    translations: dict[str, dict[str, str]] | None = None


# The event's texts an organiser can give in each of its languages.
TRANSLATED_FIELDS = ("title", "subtitle", "description", "venue_accessibility")
content_languages.register_translatable(Event, TRANSLATED_FIELDS, event_column="id")


# The programme pages build one column per day: an event's length and its dates are bounded.
MAX_EVENT_LENGTH = timedelta(days=60)


def date_errors(starts_at: datetime, ends_at: datetime, **others: datetime | None) -> dict[str, str]:
    """What is wrong with an event's start and end (and the other moments named in `others`,
    by field): {field: message}. The end after the start, at most MAX_EVENT_LENGTH later, and
    every moment between the years FIRST_YEAR and LAST_YEAR (the pages that show dates stay small).
    The Details form (through update_event) and a move of the dates alone (program.moving) check
    the same."""
    errors: dict[str, str] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = gettext("The event must end after it starts.")
    elif ends_at - starts_at > MAX_EVENT_LENGTH:
        errors["ends_at"] = gettext("An event lasts at most %(num)d days: make longer ones a series of events.", num=MAX_EVENT_LENGTH.days)
    for name, moment in {"starts_at": starts_at, "ends_at": ends_at, **others}.items():
        if moment is not None and not _year_in_bounds(moment):
            errors[name] = gettext("Give a date between the years %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
    return errors


def _year_in_bounds(moment: datetime) -> bool:
    """Judged in UTC, as the moment is stored: 31 December 2100 in New York is already 2101 there,
    and a moment at the edge of Python's calendar in a far offset has no UTC year at all (storing
    it would fail)."""
    try:
        utc = moment.astimezone(timezone.utc) if moment.tzinfo is not None else moment
    except OverflowError:
        return False
    return FIRST_YEAR <= utc.year <= LAST_YEAR


def _validate(data: EventData) -> None:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = gettext("Give the event a title.")
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = gettext("Choose a time zone from the list.")
    errors.update(date_errors(data.starts_at, data.ends_at, registration_opens_at=data.registration_opens_at,
                              registration_closes_at=data.registration_closes_at))
    if data.capacity is not None and data.capacity < 0:
        errors["capacity"] = gettext("Capacity cannot be negative.")
    if data.registration_opens_at and data.registration_closes_at and data.registration_closes_at <= data.registration_opens_at:
        errors["registration_closes_at"] = gettext("Registration must close after it opens.")
    if data.registration_closes_at and data.registration_closes_at > data.ends_at:
        errors["registration_closes_at"] = gettext("Registration cannot close after the event ends.")
    if data.default_language is not None and data.default_language not in LANGUAGES:
        errors["default_language"] = gettext("Choose the default language from the list.")
    if any(code not in LANGUAGES for code in data.languages or ()):
        errors["languages"] = gettext("Choose the event's languages from the list.")
    if errors:
        raise ValidationFailed(errors)


def _unique_slug(base: str, exclude_id: int | None = None) -> str:
    base = slugify(base)
    candidate, n = base, 2
    while True:
        query = select(Event.id).where(Event.slug == candidate)
        if exclude_id:
            query = query.where(Event.id != exclude_id)
        if db.session.scalar(query) is None:
            return candidate
        candidate, n = f"{base}-{n}", n + 1


def _set_languages(event: Event, data: EventData) -> list[str]:
    """The event's languages, its translations and (last, so the form's texts are read in the
    old default's frame) a change of default language, which moves every translatable text of
    the event between the columns and `translations`. Returns the changed settings' names."""
    changed = []
    if data.translations is not None and content_languages.set_translations(event, data.translations, TRANSLATED_FIELDS):
        changed.append("translations")
    old = event.default_language or DEFAULT_LANGUAGE
    new = data.default_language or old
    chosen = data.languages if data.languages is not None else (event.languages or ())
    languages = [new] + [c for c in LANGUAGES if c in chosen and c != new]
    if (event.languages or []) != languages:
        event.languages = languages
        changed.append("languages")
    if event.id is not None and old != new:
        for item in content_languages.TRANSLATABLES:
            rows = [event] if item.model is Event else db.session.scalars(
                select(item.model).where(getattr(item.model, item.event_column) == event.id))
            for row in rows:
                content_languages.swap_default(row, item.fields, old, new)
        changed.append("default_language")
    event.default_language = new
    return changed


def _set_organisations(event: Event, organisers: tuple[str, ...], partners: tuple[str, ...]) -> None:
    event.organisations.clear()
    position = 0
    for kind, names in ((OrganisationKind.ORGANISER, organisers), (OrganisationKind.PARTNER, partners)):
        for name in names:
            if name.strip():
                event.organisations.append(EventOrganisation(kind=kind, name=name.strip(), position=position))
                position += 1


def create_event(data: EventData, *, actor, now: datetime | None = None) -> Event:
    """Create a draft event; its creator becomes its organiser. Raises NotAllowed, ValidationFailed."""
    if not permissions.can_create_event(actor):
        raise NotAllowed(gettext("Only organisers and site administrators can create events."))
    _validate(data)
    now = now or utcnow()
    if data.slug and db.session.scalar(select(Event.id).where(Event.slug == slugify(data.slug))):
        raise ValidationFailed({"slug": gettext("That web address is already taken.")})
    event = Event(slug=_unique_slug(data.slug or data.title), series_id=data.series_id, status=EventStatus.DRAFT,
                  created_at=now, updated_at=now, created_by_id=getattr(actor, "id", None))
    for name in EDITABLE_FIELDS:
        setattr(event, name, getattr(data, name))
    _set_languages(event, data)
    _set_organisations(event, data.organisers, data.partners)
    db.session.add(event)
    db.session.flush()
    db.session.add(EventRole(user_id=actor.id, event_id=event.id, role=Role.ORGANISER, granted_at=now))
    db.session.flush()
    record("event.created", actor=actor, event=event, target=event, now=now)
    return event


def event_data(event: Event, **changes) -> EventData:
    """The event as it is, as EventData (what update_event leaves unchanged: its languages and
    translations, series, organisations), with `changes` (EventData's field names) applied: an
    edit of some fields only, as the API's PATCH makes."""
    data = EventData(
        **{name: getattr(event, name) for name in EDITABLE_FIELDS}, series_id=event.series_id,
        organisers=tuple(o.name for o in event.organisers), partners=tuple(o.name for o in event.partners),
    )
    return replace(data, **changes)


def update_event(event: Event, data: EventData, *, actor, now: datetime | None = None) -> Event:
    """Apply the organiser's edits. Raises NotAllowed, ValidationFailed."""
    permissions.require(actor, permissions.Action.EDIT_EVENT, event)
    _validate(data)
    changed = [name for name in EDITABLE_FIELDS if getattr(event, name) != getattr(data, name)]
    for name in EDITABLE_FIELDS:
        setattr(event, name, getattr(data, name))
    if data.slug and slugify(data.slug) != event.slug:
        if db.session.scalar(select(Event.id).where(Event.slug == slugify(data.slug), Event.id != event.id)):
            raise ValidationFailed({"slug": gettext("That web address is already taken.")})
        event.slug = slugify(data.slug)
        changed.append("slug")
    changed += _set_languages(event, data)
    event.series_id = data.series_id
    _set_organisations(event, data.organisers, data.partners)
    event.updated_at = now or utcnow()
    db.session.flush()
    record("event.updated", actor=actor, event=event, target=event, details={"fields": changed}, now=now)
    return event


def _require(actor, action, event: Event) -> None:
    # Scheduled jobs act as the system, which no request can be: they are trusted as the code is.
    if not isinstance(actor, SystemActor):
        permissions.require(actor, action, event)


def publish_event(event: Event, *, actor, now: datetime | None = None) -> Event:
    """Make a draft (or archived) event public. The system actor may (a scheduled job publishing
    an edition it created from a published template)."""
    _require(actor, permissions.Action.PUBLISH_EVENT, event)
    if event.status == EventStatus.PUBLISHED:
        raise InvalidState(gettext("This event is already published."))
    event.status = EventStatus.PUBLISHED
    event.published_at = event.published_at or (now or utcnow())
    db.session.flush()
    record("event.published", actor=actor, event=event, target=event, now=now)
    return event


def unpublish_event(event: Event, *, actor, now: datetime | None = None) -> Event:
    """Return a published event to draft (hidden from the public)."""
    permissions.require(actor, permissions.Action.PUBLISH_EVENT, event)
    if event.status != EventStatus.PUBLISHED:
        raise InvalidState(gettext("Only a published event can be returned to draft."))
    event.status = EventStatus.DRAFT
    db.session.flush()
    record("event.unpublished", actor=actor, event=event, target=event, now=now)
    return event


def archive_event(event: Event, *, actor, now: datetime | None = None) -> Event:
    """Archive an event: it stays readable to organisers and, if it was published, in the past list."""
    permissions.require(actor, permissions.Action.PUBLISH_EVENT, event)
    if event.status == EventStatus.ARCHIVED:
        raise InvalidState(gettext("This event is already archived."))
    event.status = EventStatus.ARCHIVED
    db.session.flush()
    record("event.archived", actor=actor, event=event, target=event, now=now)
    return event


def copy_event(
    source: Event,
    *,
    title: str,
    starts_at: datetime,
    actor,
    edition_label: str = "",
    slug: str | None = None,
    now: datetime | None = None,
) -> Event:
    """Create the next edition: settings copied, dates shifted so that source.starts_at maps to starts_at.

    Other domains copy their structure through `copy_hooks`. Registrations, check-ins
    and other personal data are never copied. The system actor may copy (a webcast series'
    scheduled job): the source's organisers then run the new edition alone.
    """
    _require(actor, permissions.Action.EDIT_EVENT, source)
    shift = starts_at - source.starts_at

    def shifted(moment: datetime | None) -> datetime | None:
        return moment + shift if moment else None

    data = EventData(
        title=title,
        starts_at=starts_at,
        ends_at=source.ends_at + shift,
        timezone=source.timezone,
        subtitle=source.subtitle,
        description=source.description,
        venue_name=source.venue_name,
        venue_address=source.venue_address,
        venue_city=source.venue_city,
        venue_region=source.venue_region,
        venue_country=source.venue_country,
        venue_accessibility=source.venue_accessibility,
        contact_email=source.contact_email,
        capacity=source.capacity,
        registration_opens_at=shifted(source.registration_opens_at),
        registration_closes_at=shifted(source.registration_closes_at),
        edition_label=edition_label,
        slug=slug,
        series_id=source.series_id,
        organisers=tuple(o.name for o in source.organisers),
        partners=tuple(o.name for o in source.partners),
        default_language=content_languages.default_language(source),
        languages=tuple(content_languages.event_languages(source)),
        # The title is the new edition's own; the rest keeps its translations.
        translations={lang: {k: v for k, v in texts.items() if k != "title"}
                      for lang, texts in (source.translations or {}).items()},
    )
    _validate(data)
    now = now or utcnow()
    event = Event(slug=_unique_slug(slug or title), series_id=source.series_id, status=EventStatus.DRAFT,
                  created_at=now, updated_at=now, created_by_id=getattr(actor, "id", None))
    for name in EDITABLE_FIELDS:
        setattr(event, name, getattr(data, name))
    _set_languages(event, data)
    _set_organisations(event, data.organisers, data.partners)
    db.session.add(event)
    db.session.flush()
    # The copier and the source's organisers run the new edition.
    organiser_ids = {r.user_id for r in source.roles if r.role == Role.ORGANISER}
    if not isinstance(actor, SystemActor):
        organiser_ids.add(actor.id)
    for user_id in organiser_ids:
        db.session.add(EventRole(user_id=user_id, event_id=event.id, role=Role.ORGANISER, granted_at=now))
    db.session.flush()
    for hook in (*copy_hooks, *late_copy_hooks):
        hook(source, event, shift)
    db.session.flush()
    record("event.copied", actor=actor, event=event, target=event, details={"source_event_id": source.id}, now=now)
    return event


def create_series(name: str, *, actor, description: str = "", slug: str | None = None) -> Series:
    if not permissions.can_create_event(actor):
        raise NotAllowed(gettext("Only organisers and site administrators can create a series."))
    if not name.strip():
        raise ValidationFailed({"name": gettext("Give the series a name.")})
    base = slugify(slug or name)
    candidate, n = base, 2
    while db.session.scalar(select(Series.id).where(Series.slug == candidate)):
        candidate, n = f"{base}-{n}", n + 1
    series = Series(name=name.strip(), slug=candidate, description=description)
    db.session.add(series)
    db.session.flush()
    return series


def registration_closed_reason(event: Event, now: datetime | None = None) -> str | None:
    """Why registration is not open right now, in words for attendees; None when it is open."""
    now = now or utcnow()
    if event.status != EventStatus.PUBLISHED:
        return gettext("Registration is not open: this event is not published.")
    if event.ends_at <= now:
        return gettext("This event has ended.")
    if event.registration_opens_at and now < event.registration_opens_at:
        return gettext("Registration opens on %(moment)s (%(zone)s).", zone=event.timezone,
                       moment=format_datetime(event.registration_opens_at, event.timezone, gettext("%-d %B %Y at %H:%M")))
    if event.registration_closes_at and now >= event.registration_closes_at:
        return gettext("Registration has closed.")
    return None
