"""Recurrence rules of a webcast series: "first Tuesday of each month, 19:00 America/New_York,
60 minutes", with exception dates. Plain code (no database): `occurrences` gives the editions' dates.

The rule is evaluated by dateutil's rrule on the series' *local* wall-clock time (naive
datetimes), and each date is only then placed in the time zone: 19:00 stays 19:00 in New York
across the daylight-saving changes, and the UTC moment moves instead. As in iCalendar (EXDATE),
an exception date removes an occurrence but still counts towards the rule's count.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil import rrule

MAX_OCCURRENCES = 500  # a rule without an end is read this far at most


class Frequency(enum.StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class Rule:
    frequency: Frequency
    weekday: int  # 0 Monday ... 6 Sunday
    at: time  # the local time of day of the start
    timezone: str
    duration_minutes: int
    starts_on: date  # the first day the rule may produce
    # Monthly: which weekday of the month (1..4, or -1 the last). Weekly: unused.
    ordinal: int | None = None
    interval: int = 1  # every `interval` weeks or months
    until: date | None = None  # the last day the rule may produce (inclusive)
    count: int | None = None  # at most this many occurrences (exceptions included)
    exceptions: frozenset[date] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Occurrence:
    local_date: date
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC


class RuleError(ValueError):
    """A rule that cannot produce dates: the field and why (English; the form says it to people)."""

    def __init__(self, field_name: str):
        super().__init__(field_name)
        self.field = field_name


def check(rule: Rule) -> None:
    """RuleError naming the first field that is wrong."""
    try:
        ZoneInfo(rule.timezone)
    except (KeyError, ValueError):
        raise RuleError("timezone") from None
    if not 0 <= rule.weekday <= 6:
        raise RuleError("weekday")
    if rule.frequency == Frequency.MONTHLY and rule.ordinal not in (1, 2, 3, 4, -1):
        raise RuleError("ordinal")
    if not 1 <= rule.interval <= 12:
        raise RuleError("interval")
    if not 5 <= rule.duration_minutes <= 24 * 60:
        raise RuleError("duration_minutes")
    if rule.until is not None and rule.until < rule.starts_on:
        raise RuleError("until")
    if rule.count is not None and not 1 <= rule.count <= MAX_OCCURRENCES:
        raise RuleError("count")


def _rrule(rule: Rule) -> rrule.rrule:
    weekday = rrule.weekday(rule.weekday)
    if rule.frequency == Frequency.MONTHLY:
        freq, byweekday = rrule.MONTHLY, weekday(rule.ordinal)
    else:
        freq, byweekday = rrule.WEEKLY, weekday
    until = datetime.combine(rule.until, time(23, 59, 59)) if rule.until else None
    return rrule.rrule(freq, dtstart=datetime.combine(rule.starts_on, rule.at), interval=rule.interval,
                       byweekday=byweekday, until=until, count=rule.count or (None if until else MAX_OCCURRENCES))


def occurrences(rule: Rule, *, after: datetime | None = None, before: datetime | None = None,
                limit: int | None = None) -> list[Occurrence]:
    """The rule's occurrences, exception dates left out, starting at or after `after` and before
    `before` (aware datetimes, any zone), at most `limit` of them."""
    check(rule)
    zone = ZoneInfo(rule.timezone)
    found = []
    for local in _rrule(rule):
        if local.date() in rule.exceptions:
            continue
        starts = local.replace(tzinfo=zone).astimezone(timezone.utc)
        if after is not None and starts < after:
            continue
        if before is not None and starts >= before:
            break
        found.append(Occurrence(local.date(), starts, starts + timedelta(minutes=rule.duration_minutes)))
        if limit is not None and len(found) >= limit:
            break
    return found


def parse_dates(text: str) -> frozenset[date]:
    """Exception dates written one a line (or separated by commas) as YYYY-MM-DD; ValueError otherwise."""
    parts = [p.strip() for line in (text or "").splitlines() for p in line.split(",")]
    return frozenset(date.fromisoformat(p) for p in parts if p)


def format_dates(dates) -> str:
    return "\n".join(d.isoformat() for d in sorted(dates))
