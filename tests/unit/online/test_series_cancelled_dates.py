"""A cancelled series edition stays cancelled (issue 15): its date is recorded, and the scheduler
skips it as it skips exceptions, so taking the exception off again, a change of time that brings
the date back, or topping up never puts an edition on that date. Fixed dates: the series is
"first Tuesday of each month, 19:00 America/New_York" from 1 Dec 2026, the clock 21 Nov 2026."""
from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import select

from tests.support.clock import TEST_NOW
from tests.support.webcasts import monthly_webcast

JANUARY = date(2027, 1, 5)


def _local_dates(events):
    return [e.local(e.starts_at).date() for e in events]


def _rule_editions(db, webcast):
    from confapp.events.models import Event
    from confapp.online.models import SeriesEdition

    return list(db.session.scalars(select(Event).join(SeriesEdition, SeriesEdition.event_id == Event.id)
                                   .where(SeriesEdition.rule_id == webcast.rule.id).order_by(Event.starts_at)))


def _change(webcast, **changes):
    from confapp.online import series_schedule

    _, result = series_schedule.change_rule(webcast.group, dataclasses.replace(webcast.data, **changes),
                                            actor=webcast.organiser, now=TEST_NOW)
    return result


def _with_january_cancelled(db):
    """December, January and February created; then January skipped (cancelled, March added)."""
    from confapp.online import series

    webcast = monthly_webcast()
    december, january, february = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW,
                                                         send_email=False)
    cancelled = _change(webcast, exceptions=frozenset({JANUARY}))
    assert [e.id for e in cancelled.cancelled] == [january.id]
    db.session.commit()
    return webcast, january


def test_cancelling_an_edition_records_its_date(db):
    from confapp.online.models import CancelledEdition

    webcast, january = _with_january_cancelled(db)
    recorded = db.session.scalars(select(CancelledEdition)).all()
    assert [(r.rule_id, r.event_id, r.local_date, r.starts_at, r.cancelled_at) for r in recorded] == [
        (webcast.rule.id, january.id, JANUARY, january.starts_at, TEST_NOW)]


def test_taking_the_exception_off_leaves_the_cancelled_date_empty(db):
    from confapp.events.models import EventStatus
    from confapp.online import series

    webcast, january = _with_january_cancelled(db)
    march = _rule_editions(db, webcast)[-1]
    result = _change(webcast, exceptions=frozenset())
    db.session.commit()
    # Nothing moves onto 5 January (before the record, March's edition would have), nothing is added.
    assert result.moved == [] and result.added == [] and result.cancelled == []
    assert _local_dates(_rule_editions(db, webcast)) == [date(2026, 12, 1), date(2027, 2, 2), date(2027, 3, 2)]
    assert _rule_editions(db, webcast)[-1].id == march.id
    assert january.status == EventStatus.DRAFT
    # The organiser's own rule has no exception any more; the scheduler's still skips January.
    assert series.to_rule(webcast.rule).exceptions == frozenset()
    assert JANUARY in series.schedule_rule(webcast.rule).exceptions


def test_a_new_time_brings_the_date_back_but_no_edition_moves_onto_it(db):
    webcast, _ = _with_january_cancelled(db)
    result = _change(webcast, exceptions=frozenset(), at_time="18:00")
    db.session.commit()
    assert len(result.moved) == 3 and result.added == [] and result.cancelled == []
    editions = _rule_editions(db, webcast)
    assert _local_dates(editions) == [date(2026, 12, 1), date(2027, 2, 2), date(2027, 3, 2)]
    assert {e.local(e.starts_at).hour for e in editions} == {18}


def test_topping_up_skips_the_cancelled_date(db):
    from confapp.online import series, series_schedule
    from confapp.online.models import SeriesEdition

    webcast, _ = _with_january_cancelled(db)
    _change(webcast, exceptions=frozenset())
    added = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=4, send_email=False)
    assert _local_dates(added) == [date(2027, 4, 6)]
    # The hourly job (the template published) keeps to it too.
    db.session.commit()
    made = series_schedule.create_due_editions(now=TEST_NOW, ahead=5)
    assert _local_dates(_rule_editions(db, webcast)) == [
        date(2026, 12, 1), date(2027, 2, 2), date(2027, 3, 2), date(2027, 4, 6), date(2027, 5, 4)]
    assert len(made[webcast.rule.id]) == 1
    assert db.session.scalar(select(SeriesEdition.id).where(SeriesEdition.rule_id == webcast.rule.id,
                                                            SeriesEdition.starts_at == _january_start())) is None


def _january_start():
    from datetime import datetime, timezone

    return datetime(2027, 1, 6, 0, 0, tzinfo=timezone.utc)  # 5 Jan 2027, 19:00 EST


def test_an_edition_left_over_by_a_shorter_rule_stays_cancelled_when_the_rule_grows_again(db):
    from confapp.online import series

    webcast = monthly_webcast()
    series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, send_email=False)
    shorter = _change(webcast, until=date(2027, 1, 31))
    assert _local_dates(shorter.cancelled) == [date(2027, 2, 2)]
    longer = _change(webcast, until=None)
    assert longer.moved == [] and longer.cancelled == []
    added = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, send_email=False)
    assert _local_dates(added) == [date(2027, 3, 2)]
    assert _local_dates(_rule_editions(db, webcast)) == [date(2026, 12, 1), date(2027, 1, 5), date(2027, 3, 2)]
