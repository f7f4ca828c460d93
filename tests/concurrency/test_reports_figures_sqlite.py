"""The dashboard's figures on embedded SQLite (one file, several workers): simultaneous views
and a "Refresh now" count the figures once, and a writer (a check-in, say) is not held up while
they are being counted."""
import threading
import time

import pytest
from sqlalchemy import text

from confapp.extensions import db
from confapp.reports import cache
from confapp.sqlite import mark_request_read_only
from tests.conftest import make_app_for
from tests.factories import make_event, make_user
from tests.reports_data import check_in_known, known_event

COUNTING_SECONDS = 0.8


def test_workers_count_once_and_writers_go_on_meanwhile(tmp_path, smtp_server, now, monkeypatch):
    from flask_migrate import upgrade

    from confapp.events.models import Event
    from confapp.reports.models import FiguresCache

    app = make_app_for(f"sqlite:///{tmp_path / 'figures.db'}", smtp_server)
    with app.app_context():
        upgrade()
        organiser = make_user()
        event = make_event(organiser=organiser)
        check_in_known(known_event(event), organiser)
        db.session.commit()
        event_id, slug = event.id, event.slug

    calls, counting, real = [], threading.Event(), cache.live_figures

    def slow(event):
        calls.append(event.id)
        counting.set()
        time.sleep(COUNTING_SECONDS)
        return real(event)

    monkeypatch.setattr(cache, "live_figures", slow)
    barrier, errors, results, write_seconds = threading.Barrier(4), [], [], []

    def view(method):
        try:
            with app.test_request_context(f"/manage/{slug}/dashboard", method=method):
                if method == "POST":
                    mark_request_read_only()
                event = db.session.get(Event, event_id)
                barrier.wait(timeout=30)
                results.append(cache.dashboard_figures(event, now=now, max_age=60, refresh=method == "POST"))
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def writer():
        try:
            with app.app_context():
                assert counting.wait(30)
                started = time.perf_counter()
                db.session.execute(text("UPDATE events SET title = title WHERE id = :id"), {"id": event_id})
                db.session.commit()
                write_seconds.append(time.perf_counter() - started)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=view, args=(m,)) for m in ("GET", "GET", "GET", "POST")]
    threads.append(threading.Thread(target=writer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert calls == [event_id]
    assert len(results) == 4 and {r.computed_at for r in results} == {now}
    assert results[0].figures["headline"]["registered"] == 10
    assert write_seconds[0] < COUNTING_SECONDS / 2, write_seconds
    with app.app_context():
        assert FiguresCache.query.count() == 1
        db.engine.dispose()
