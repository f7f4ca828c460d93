"""A monthly webcast series for tests that commit on PostgreSQL (pg_app), where the SQLite
`webcast` fixture cannot serve: built through the services organisers use, inside an app context."""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from tests.support.clock import TEST_NOW


@dataclass
class MonthlyWebcast:
    organiser: object
    group: object
    template: object
    rule: object
    data: object  # the series.RuleData the rule was saved from


def monthly_webcast() -> MonthlyWebcast:
    """"First Tuesday of each month, 19:00 America/New_York, 60 minutes" from 1 Dec 2026, with an
    online category on its template edition. Not committed."""
    from confapp.events.models import AttendanceMode
    from confapp.events.services import create_series
    from confapp.online import series, services
    from confapp.registration.models import PlaceKind
    from tests.factories import make_admin, make_category, make_event, make_user

    organiser = make_user()
    group = create_series("Town halls", actor=make_admin())
    start = datetime(2026, 11, 4, 0, 0, tzinfo=timezone.utc)
    template = make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=1), series_id=group.id)
    make_category(template, name="Online", attendance_mode=PlaceKind.ONLINE)
    services.set_attendance_modes(template, AttendanceMode.ONLINE, categories={}, sessions={}, actor=organiser)
    data = series.RuleData(template_event_id=template.id, frequency="monthly", weekday=1, ordinal=1, at_time="19:00",
                           timezone="America/New_York", duration_minutes=60, starts_on=date(2026, 12, 1))
    rule = series.save_rule(group, data, actor=organiser, now=TEST_NOW)
    return MonthlyWebcast(organiser, group, template, rule, data)


def run_at_once(app, work: Callable[[], object], times: int = 3) -> tuple[list, list]:
    """`work()` in `times` threads released together, each in its own app context and session:
    (what each returned, the errors raised)."""
    from confapp.extensions import db

    barrier, results, errors = threading.Barrier(times), [], []

    def one():
        with app.app_context():
            try:
                barrier.wait()
                results.append(work())
            except Exception as error:  # noqa: BLE001  (reported to the caller)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors
