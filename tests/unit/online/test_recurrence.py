"""Recurrence rules of webcast series, with fixed dates (no clock, no database)."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from confapp.online.recurrence import Frequency, Rule, RuleError, check, occurrences, parse_dates

UTC = timezone.utc


def first_tuesday(**kw) -> Rule:
    base = dict(frequency=Frequency.MONTHLY, weekday=1, ordinal=1, at=time(19, 0), timezone="America/New_York",
                duration_minutes=60, starts_on=date(2027, 1, 1))
    return Rule(**(base | kw))


def test_first_tuesday_keeps_19_local_across_the_march_dst_change():
    found = occurrences(first_tuesday(count=4))
    assert [o.local_date for o in found] == [date(2027, 1, 5), date(2027, 2, 2), date(2027, 3, 2), date(2027, 4, 6)]
    # 14 March 2027: New York moves from UTC-5 to UTC-4; the meeting stays at 19:00 local.
    assert [o.starts_at for o in found] == [
        datetime(2027, 1, 6, 0, 0, tzinfo=UTC), datetime(2027, 2, 3, 0, 0, tzinfo=UTC),
        datetime(2027, 3, 3, 0, 0, tzinfo=UTC), datetime(2027, 4, 6, 23, 0, tzinfo=UTC)]
    assert found[-1].ends_at == datetime(2027, 4, 7, 0, 0, tzinfo=UTC)


def test_first_tuesday_across_the_november_dst_change():
    found = occurrences(first_tuesday(starts_on=date(2027, 10, 1), count=3))
    # 7 November 2027 (after the first Tuesday, 2 November): back to UTC-5.
    assert [o.starts_at for o in found] == [datetime(2027, 10, 5, 23, 0, tzinfo=UTC),
                                            datetime(2027, 11, 2, 23, 0, tzinfo=UTC),
                                            datetime(2027, 12, 8, 0, 0, tzinfo=UTC)]
    assert [o.local_date for o in found] == [date(2027, 10, 5), date(2027, 11, 2), date(2027, 12, 7)]
    assert {o.starts_at.astimezone(ZoneInfo("America/New_York")).time() for o in found} == {time(19, 0)}


def test_an_exception_date_is_skipped():
    found = occurrences(first_tuesday(until=date(2027, 4, 30), exceptions=frozenset({date(2027, 2, 2)})))
    assert [o.local_date for o in found] == [date(2027, 1, 5), date(2027, 3, 2), date(2027, 4, 6)]


def test_an_exception_still_counts_towards_the_count_as_in_icalendar():
    found = occurrences(first_tuesday(count=3, exceptions=frozenset({date(2027, 2, 2)})))
    assert [o.local_date for o in found] == [date(2027, 1, 5), date(2027, 3, 2)]


def test_weekly_rule_every_other_wednesday():
    rule = Rule(frequency=Frequency.WEEKLY, weekday=2, at=time(12, 30), timezone="Europe/Madrid", duration_minutes=45,
                starts_on=date(2027, 3, 15), interval=2, count=3)
    found = occurrences(rule)
    assert [o.local_date for o in found] == [date(2027, 3, 17), date(2027, 3, 31), date(2027, 4, 14)]
    # Madrid changes on 28 March 2027: 11:30 UTC before, 10:30 UTC after.
    assert [o.starts_at.time() for o in found] == [time(11, 30), time(10, 30), time(10, 30)]


def test_until_is_inclusive_and_bounds_the_rule():
    found = occurrences(first_tuesday(until=date(2027, 3, 2)))
    assert [o.local_date for o in found][-1] == date(2027, 3, 2)
    assert len(found) == 3


def test_after_before_and_limit_window():
    rule = first_tuesday()
    found = occurrences(rule, after=datetime(2027, 2, 10, tzinfo=UTC), before=datetime(2027, 6, 1, tzinfo=UTC))
    assert [o.local_date for o in found] == [date(2027, 3, 2), date(2027, 4, 6), date(2027, 5, 4)]
    assert len(occurrences(rule, after=datetime(2027, 2, 10, tzinfo=UTC), limit=2)) == 2


def test_last_weekday_of_the_month():
    found = occurrences(first_tuesday(ordinal=-1, count=2))
    assert [o.local_date for o in found] == [date(2027, 1, 26), date(2027, 2, 23)]


@pytest.mark.parametrize("change, field", [
    (dict(timezone="Mars/Olympus"), "timezone"), (dict(ordinal=7), "ordinal"), (dict(duration_minutes=0), "duration_minutes"),
    (dict(until=date(2026, 1, 1)), "until"), (dict(count=0), "count"), (dict(interval=0), "interval")])
def test_bad_rules_name_their_field(change, field):
    with pytest.raises(RuleError) as error:
        check(first_tuesday(**change))
    assert error.value.field == field


def test_parse_dates():
    assert parse_dates("2027-02-02\n 2027-03-02, 2027-04-06\n\n") == {date(2027, 2, 2), date(2027, 3, 2), date(2027, 4, 6)}
    with pytest.raises(ValueError):
        parse_dates("next tuesday")
