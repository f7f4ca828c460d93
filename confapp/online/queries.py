"""Read side: online figures for the dashboards and the organiser's attendance page, and a webcast
series' cancelled dates for its pages."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from ..events.models import Event
from ..extensions import db
from ..registration.models import PlaceKind, Registration, RegistrationCategory, RegistrationStatus
from .models import CancelledEdition, OnlineAttendance


@dataclass
class OnlineFigures:
    online_registered: int  # confirmed, in online categories
    joined: int  # distinct attendees with any online attendance
    by_session: dict  # session id (None: the event) -> attendees who joined


def attendance_counts(event: Event) -> tuple[int, dict]:
    """(attendees who joined anything online, {session id (None: the event): attendees}): two queries."""
    joined = db.session.scalar(
        select(func.count(func.distinct(OnlineAttendance.registration_id))).where(OnlineAttendance.event_id == event.id)
    ) or 0
    by_session = dict(db.session.execute(
        select(OnlineAttendance.session_id, func.count()).where(OnlineAttendance.event_id == event.id)
        .group_by(OnlineAttendance.session_id)
    ).all())
    return joined, by_session


def online_figures(event: Event) -> OnlineFigures:
    """Three grouped queries, whatever the size of the event."""
    registered = db.session.scalar(
        select(func.count()).select_from(Registration)
        .join(RegistrationCategory, RegistrationCategory.id == Registration.category_id)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
               RegistrationCategory.attendance_mode == PlaceKind.ONLINE)
    ) or 0
    joined, by_session = attendance_counts(event)
    return OnlineFigures(registered, joined, by_session)


@dataclass
class AttendeeRow:
    registration: Registration
    joined: dict  # session id (None: the event) -> OnlineAttendance


PAGE_SIZE = 50


def _attendee_filter(event: Event):
    joined = select(OnlineAttendance.registration_id).where(OnlineAttendance.event_id == event.id)
    return (Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
            (RegistrationCategory.attendance_mode == PlaceKind.ONLINE) | Registration.id.in_(joined))


def attendee_rows(event: Event, *, page: int = 1, per_page: int = PAGE_SIZE) -> tuple[list[AttendeeRow], int]:
    """One page of the confirmed attendees with online places and everyone who joined online, by
    name, with what each joined, and how many pages there are: three queries, whatever the size
    of the event (the count, the page, the page's attendances)."""
    base = select(Registration).join(RegistrationCategory, RegistrationCategory.id == Registration.category_id) \
        .where(*_attendee_filter(event))
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    registrations = list(db.session.scalars(
        base.order_by(Registration.last_name, Registration.first_name, Registration.id)
        .limit(per_page).offset((page - 1) * per_page)))
    by_registration: dict[int, dict] = {}
    if registrations:
        for attendance in db.session.scalars(select(OnlineAttendance).where(
                OnlineAttendance.event_id == event.id,
                OnlineAttendance.registration_id.in_([r.id for r in registrations]))):
            by_registration.setdefault(attendance.registration_id, {})[attendance.session_id] = attendance
    return [AttendeeRow(r, by_registration.get(r.id, {})) for r in registrations], pages


@dataclass(frozen=True)
class CancelledDate:
    local_date: date  # in the rule's time zone, as the scheduler skips it
    starts_at: datetime  # the cancelled edition's start
    event_slug: str | None  # the cancelled edition, kept as a draft (None once deleted)


def cancelled_dates(rule_id: int, *, after: datetime | None = None) -> list[CancelledDate]:
    """The rule's cancelled dates (online.series_schedule skips them for good), by date; with
    `after`, only those whose edition would have started later. One query, the kept editions'
    slugs joined in."""
    query = (select(CancelledEdition.local_date, CancelledEdition.starts_at, Event.slug)
             .outerjoin(Event, Event.id == CancelledEdition.event_id)
             .where(CancelledEdition.rule_id == rule_id).order_by(CancelledEdition.local_date))
    if after is not None:
        query = query.where(CancelledEdition.starts_at > after)
    return [CancelledDate(*row) for row in db.session.execute(query)]
