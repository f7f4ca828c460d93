"""Time series of the report, bucketed in the database so that no timestamp is loaded row by
row: registrations per local day (running total against capacity) and first arrivals per
local hour. PostgreSQL converts to the event's zone itself; SQLite groups UTC quarter-hours,
converted here."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import Integer, cast, func, select

from ..checkin.models import CheckIn, CheckInList, ListKind
from ..events.models import Event
from ..extensions import db
from ..registration.models import Registration, RegistrationStatus


def _bucket(column):
    """A text bucket of a timestamp the database groups by: local hour on PostgreSQL (it knows
    time zones), UTC quarter-hour on SQLite (converted to local time in Python afterwards)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM-DD HH24:MI")
    minute = cast(func.strftime("%M", column), Integer)
    return func.printf("%s:%02d", func.strftime("%Y-%m-%d %H", column), (minute // 15) * 15)


def _local_counts(rows, tz) -> list[tuple[datetime, int]]:
    """(local datetime, count) from (bucket, count) rows."""
    is_pg = db.session.get_bind().dialect.name == "postgresql"
    out = []
    for bucket, n in rows:
        moment = datetime.strptime(bucket, "%Y-%m-%d %H:%M")
        moment = moment.replace(tzinfo=tz) if is_pg else moment.replace(tzinfo=timezone.utc).astimezone(tz)
        out.append((moment, n))
    return out


def _tz_column(column, event: Event):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.timezone(event.timezone, column)
    return column


def over_time(event: Event) -> list[dict]:
    """Per local day: registrations made that day that are confirmed now (not walk-ins, who
    registered at the door) and the running total. One grouped query."""
    bucket = _bucket(_tz_column(Registration.created_at, event))
    rows = db.session.execute(
        select(bucket, func.count()).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
            Registration.is_walk_in.is_(False),
        ).group_by(bucket)
    ).all()
    days: Counter = Counter()
    for moment, n in _local_counts(rows, event.tz):
        days[moment.date()] += n
    if not days:
        return []
    day, last = min(days), max(days)
    running, out = 0, []
    while day <= last:
        running += days.get(day, 0)
        out.append({"date": day.isoformat(), "count": days.get(day, 0), "cumulative": running})
        day += timedelta(days=1)
    return out


def first_arrivals(event: Event):
    """Subquery (registration_id, first) of everyone admitted through a main entrance, not undone."""
    return (
        select(CheckIn.registration_id.label("registration_id"), func.min(CheckIn.checked_in_at).label("first"))
        .join(CheckInList, CheckInList.id == CheckIn.list_id)
        .where(CheckIn.event_id == event.id, CheckIn.reverted_at.is_(None), CheckInList.kind == ListKind.MAIN)
        .group_by(CheckIn.registration_id)
        .subquery()
    )


def by_hour(event: Event) -> list[dict]:
    """First arrivals of confirmed participants by local hour. One grouped query."""
    arrivals = first_arrivals(event)
    bucket = _bucket(_tz_column(arrivals.c.first, event))
    rows = db.session.execute(
        select(bucket, func.count()).select_from(arrivals)
        .join(Registration, Registration.id == arrivals.c.registration_id)
        .where(Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(bucket)
    ).all()
    hours: Counter = Counter()
    for moment, n in _local_counts(rows, event.tz):
        hours[moment.hour] += n
    if not hours:
        return []
    return [{"label": f"{h:02d}:00", "count": hours.get(h, 0)} for h in range(min(hours), max(hours) + 1)]
