"""Read side for events: public lists and organiser dashboards."""
from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import EventRole
from ..extensions import db
from ..types import utcnow
from .models import Event, EventStatus, Series


def public_events(now: datetime | None = None) -> tuple[list[Event], list[Event]]:
    """(upcoming, past) published events; archived editions stay in the past list."""
    now = now or utcnow()
    events = db.session.scalars(_public_events_statement()).unique().all()
    upcoming = [e for e in events if e.ends_at > now and e.status == EventStatus.PUBLISHED]
    past = sorted((e for e in events if e.ends_at <= now), key=lambda e: e.starts_at, reverse=True)
    return upcoming, past


@cache
def _public_events_statement():
    """Built once per process (as the event page's: building it each time was a tenth of the list's cost)."""
    return (select(Event).options(joinedload(Event.organisations), joinedload(Event.series))
            .where(Event.status.in_([EventStatus.PUBLISHED, EventStatus.ARCHIVED])).order_by(Event.starts_at))


def event_by_slug(slug: str) -> Event | None:
    """The event with its series and organisations: one SELECT (the agenda, the registration form,
    the speakers' pages and every other page under /e/<slug>/ start here)."""
    return db.session.execute(_event_statement(), {"slug": slug}).unique().scalar()


@cache
def _event_statement():
    # Built once per process, joined rather than selectin-loaded: building the select and a second
    # query for the organisations were most of the 3-4 ms this took on every event page (issue 16).
    return (select(Event).options(joinedload(Event.organisations), joinedload(Event.series))
            .where(Event.slug == bindparam("slug")))


def event_page_by_slug(slug: str) -> tuple[Event | None, bool]:
    """The event for its public page, with its series and organisations, and whether its
    summary report is published: one SELECT."""
    row = db.session.execute(_event_page_statement(), {"slug": slug}).unique().first()
    return (row[0], bool(row[1])) if row else (None, False)


@cache
def _event_page_statement():
    """Built once per process: constructing this select (two eager loads and an EXISTS) cost as
    much as running it, on the hottest public path (issue 16)."""
    # The report is looked up by the event page, as before; reports does not register itself yet.
    from ..reports.models import Report, ReportStatus

    published_report = (select(Report.id).where(Report.event_id == Event.id, Report.status == ReportStatus.PUBLISHED,
                                                Report.snapshot.is_not(None)).exists())
    return (select(Event, published_report).options(joinedload(Event.organisations), joinedload(Event.series))
            .where(Event.slug == bindparam("slug")))


def managed_events(user) -> list[Event]:
    """The events a user can manage (all events for a site administrator), newest first."""
    query = select(Event).options(selectinload(Event.series)).order_by(Event.starts_at.desc())
    if not user.is_site_admin:
        query = query.join(EventRole, EventRole.event_id == Event.id).where(EventRole.user_id == user.id)
    return list(db.session.scalars(query))


def all_series() -> list[Series]:
    return list(db.session.scalars(select(Series).order_by(Series.name)))


def dashboard_events(user, now: datetime | None = None) -> tuple[list[Event], list[Event]]:
    """(upcoming or running, soonest first; past, latest first) among the events a user can manage."""
    now = now or utcnow()
    events = managed_events(user)
    upcoming = sorted((e for e in events if e.ends_at > now), key=lambda e: e.starts_at)
    past = [e for e in events if e.ends_at <= now]
    return upcoming, past


# The audit entries that record a change of an event's time: a move of its dates (the Details
# form and the API, through program.moving), a webcast series rule moving an edition, and an
# edit through update_event alone whose changed fields include the start or the end (entries
# from before moves had their own, and callers that set the dates that way).
RESCHEDULED_FIELDS = frozenset({"starts_at", "ends_at"})
RESCHEDULE_ACTIONS = ("event.updated", "event.moved", "online.series_edition_moved")


def event_sequence(event: Event) -> int:
    """The iCalendar SEQUENCE of the event's own VEVENT (the ticket's event.ics, the calendar file
    of the confirmation and of the change notice): how many times its start or end has changed.

    Derived from the audit log, without a column: every change of the time goes through
    program.moving.move_event (the form, the API, a series) or update_event, each of which writes
    one audit entry in the same transaction as the change, and audit entries are append-only (never edited, and they outlive
    the retention purge; they go only with the event, and then so does its UID). So the count
    only ever grows, by one per change, and is the same in every file built between two changes,
    which is what calendar apps need to take a new file as an update of the one they hold.
    (updated_at would not do: any edit bumps it, and a clock stepping back would lower it.)
    One query, with the entries' `details` filtered here so it reads the same on SQLite and
    PostgreSQL (JSON text matching differs between them)."""
    from ..audit.models import AuditEntry

    if event.id is None:
        return 0
    rows = db.session.execute(select(AuditEntry.action, AuditEntry.details).where(
        AuditEntry.event_id == event.id, AuditEntry.target_type == "Event",
        AuditEntry.target_id == str(event.id), AuditEntry.action.in_(RESCHEDULE_ACTIONS))).all()
    return sum(1 for action, details in rows
               if action != "event.updated" or RESCHEDULED_FIELDS & set((details or {}).get("fields") or ()))
