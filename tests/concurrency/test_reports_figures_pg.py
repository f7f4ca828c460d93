"""Several workers asking for the dashboard's figures at once, on the real PostgreSQL server:
the figures are counted once, and a purge racing a refresh leaves no cached copy behind."""
import threading
import time
from datetime import timedelta

import pytest

from confapp.extensions import db
from confapp.reports import cache
from tests.factories import make_event, make_user
from tests.reports_data import check_in_known, known_event

pytestmark = pytest.mark.postgres
WORKERS = 6


def _seed(app):
    with app.app_context():
        organiser = make_user()
        event = make_event(organiser=organiser)
        check_in_known(known_event(event), organiser)
        db.session.commit()
        return organiser.id, event.id


@pytest.fixture
def slow_counting(monkeypatch):
    """The real computation, made slower so that every worker arrives while it runs."""
    calls, real = [], cache.live_figures

    def counted(event):
        calls.append(event.id)
        time.sleep(0.5)
        return real(event)

    monkeypatch.setattr(cache, "live_figures", counted)
    return calls


def _in_threads(app, target, count):
    barrier, errors, results = threading.Barrier(count), [], []

    def run(n):
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                results.append(target(n))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            with app.app_context():
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return results


@pytest.mark.parametrize("refresh", [False, True], ids=["expired", "refresh-now"])
def test_simultaneous_requests_count_the_figures_once(pg_app, now, slow_counting, refresh):
    from confapp.events.models import Event
    from confapp.reports.models import FiguresCache

    _, event_id = _seed(pg_app)

    def view(n):
        return cache.dashboard_figures(db.session.get(Event, event_id), now=now, max_age=60, refresh=refresh)

    results = _in_threads(pg_app, view, WORKERS)
    assert slow_counting == [event_id]
    assert {r.computed_at for r in results} == {now}
    assert all(r.figures == results[0].figures for r in results)
    assert results[0].figures["headline"]["registered"] == 10
    with pg_app.app_context():
        assert FiguresCache.query.count() == 1


def test_a_purge_during_a_refresh_leaves_no_cached_copy(pg_app, now, slow_counting, monkeypatch):
    from confapp.accounts.models import User
    from confapp.events.models import Event
    from confapp.reports import services
    from confapp.reports.models import FiguresCache
    from confapp.reports.purge import PURGERS

    organiser_id, event_id = _seed(pg_app)
    # A purge still running (uncommitted) when the refresh writes: without the purger's lock the
    # refresh would see no frozen figures yet and store live ones the purge never deletes.
    monkeypatch.setitem(PURGERS, "zz.tests.slow_purger", lambda event, now: time.sleep(1.0) or 0)

    def refresh_or_purge(n):
        event = db.session.get(Event, event_id)
        if n == 0:
            return cache.dashboard_figures(event, now=now, max_age=60, refresh=True)
        time.sleep(0.2)  # the refresh is counting by now
        services.purge_event(event, actor=db.session.get(User, organiser_id), now=event.ends_at + timedelta(days=1))
        db.session.commit()

    _in_threads(pg_app, refresh_or_purge, 2)
    with pg_app.app_context():
        assert FiguresCache.query.count() == 0
        after = cache.dashboard_figures(db.session.get(Event, event_id), now=now, max_age=60, refresh=True)
        assert after.frozen and after.figures["headline"]["registered"] == 10
        assert FiguresCache.query.count() == 0
