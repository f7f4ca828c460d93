"""The dashboard's cached figures: reused for a minute without a single figure query, computed
again when they expire or the organiser asks, and never left behind by the purge."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from confapp.reports import cache, services
from confapp.reports.cache import dashboard_figures
from confapp.reports.models import FiguresCache
from confapp.reports.queries import compute_figures
from tests.reports_data import PERSONAL_STRINGS, known_event, known_world
from tests.support.queries import count_queries
from tests.unit.reports.test_purge import find_everywhere

FIGURE_TABLES = ("registrations", "answers", "checkins", "orders", "survey_responses")


@pytest.fixture
def known(db):
    return known_world()


def _registered(figures) -> int:
    return figures["headline"]["registered"]


def test_cached_figures_are_reused_without_any_figure_query(db, known, now):
    _, event, _ = known
    first = dashboard_figures(event, now=now, max_age=60)
    assert first.computed_at == now and not first.frozen
    with count_queries(db.engine) as counter:
        again = dashboard_figures(event, now=now + timedelta(seconds=59), max_age=60)
    assert again.computed_at == now
    assert again.figures == first.figures == compute_figures(event)
    # The purge check and the cached row: nothing that scans the event's data.
    assert counter.count == 2, counter.statements
    assert not [s for s in counter.statements if any(t in s for t in FIGURE_TABLES)], counter.statements


def test_computing_the_figures_stores_them_once(db, known, now):
    _, event, _ = known
    with count_queries(db.engine) as fresh:
        dashboard_figures(event, now=now, max_age=60)
    with count_queries(db.engine) as figures_only:
        compute_figures(event)
    # Figures, plus the two reads before them, the two re-reads under the lock and the write.
    assert fresh.count == figures_only.count + 5, fresh.statements
    assert db.session.scalar(select(FiguresCache.computed_at).where(FiguresCache.event_id == event.id)) == now


def test_expired_figures_are_computed_again(db, known, now):
    _, event, builder = known
    before = dashboard_figures(event, now=now, max_age=60)
    known_event(event, builder)
    db.session.commit()
    meanwhile = dashboard_figures(event, now=now + timedelta(seconds=30), max_age=60)
    assert _registered(meanwhile.figures) == _registered(before.figures)
    later = dashboard_figures(event, now=now + timedelta(seconds=60), max_age=60)
    assert later.computed_at == now + timedelta(seconds=60)
    assert _registered(later.figures) == 2 * _registered(before.figures)


def test_refresh_recomputes_at_once(db, known, now):
    _, event, builder = known
    before = dashboard_figures(event, now=now, max_age=60)
    known_event(event, builder)
    db.session.commit()
    refreshed = dashboard_figures(event, now=now + timedelta(seconds=5), max_age=60, refresh=True)
    assert refreshed.computed_at == now + timedelta(seconds=5)
    assert _registered(refreshed.figures) == 2 * _registered(before.figures)
    assert dashboard_figures(event, now=now + timedelta(seconds=6), max_age=60).figures == refreshed.figures


def test_the_max_age_comes_from_the_config(app, db, known, now, monkeypatch):
    _, event, _ = known
    monkeypatch.setitem(app.config, "REPORTS_FIGURES_MAX_AGE", 300)
    assert cache.max_age_seconds() == 300
    dashboard_figures(event, now=now)
    assert dashboard_figures(event, now=now + timedelta(seconds=299)).computed_at == now
    assert dashboard_figures(event, now=now + timedelta(seconds=300)).computed_at == now + timedelta(seconds=300)


def test_older_figures_never_replace_newer_ones(db, known, now):
    _, event, _ = known
    dashboard_figures(event, now=now, max_age=60)
    cache._store(event.id, {"stale": True}, now - timedelta(seconds=10))
    db.session.commit()
    row = db.session.execute(select(FiguresCache.figures, FiguresCache.computed_at)
                             .where(FiguresCache.event_id == event.id)).one()
    assert row.computed_at == now and "stale" not in row.figures


def test_the_purge_deletes_the_cached_figures_and_nothing_personal_remains(db, known, now):
    organiser, event, _ = known
    before = dashboard_figures(event, now=event.ends_at, max_age=60)
    assert find_everywhere(db, ["Boston"])  # the cached copy holds place names, as figures do
    services.purge_event(event, actor=organiser, now=event.ends_at + timedelta(days=1))
    db.session.commit()
    assert db.session.scalar(select(FiguresCache).where(FiguresCache.event_id == event.id)) is None
    assert find_everywhere(db, PERSONAL_STRINGS) == []
    after = dashboard_figures(event, now=event.ends_at + timedelta(days=1), max_age=60, refresh=True)
    assert after.frozen and after.computed_at is None and after.figures == before.figures
    assert db.session.scalar(select(FiguresCache).where(FiguresCache.event_id == event.id)) is None


def test_figures_are_never_stored_for_a_purged_event(db, known, now):
    organiser, event, _ = known
    services.purge_event(event, actor=organiser, now=event.ends_at + timedelta(days=1))
    # A refresh that counted before the purge and writes after it: the write stores nothing.
    cache._store(event.id, {"counted": "before the purge"}, now)
    db.session.commit()
    assert db.session.scalar(select(FiguresCache).where(FiguresCache.event_id == event.id)) is None


def test_forgetting_a_participant_deletes_the_cached_figures(db, known, now):
    _, event, builder = known
    dashboard_figures(event, now=now, max_age=60)
    bob = next(r for r in builder.registrations if r.email == "bob@example.org")
    services.forget_registration(bob, actor=None, now=event.ends_at + timedelta(days=1))
    db.session.commit()
    assert db.session.scalar(select(FiguresCache).where(FiguresCache.event_id == event.id)) is None


def test_figures_that_may_count_someone_forgotten_meanwhile_are_not_stored(db, known, now):
    _, event, builder = known
    bob = next(r for r in builder.registrations if r.email == "bob@example.org")
    forgotten_at = event.ends_at + timedelta(days=1)
    services.forget_registration(bob, actor=None, now=forgotten_at)
    # A refresh that began reading just before (the forget request still running) writes after it.
    cache._store(event.id, {"counted": "Bob"}, forgotten_at - timedelta(seconds=5))
    db.session.commit()
    assert db.session.scalar(select(FiguresCache).where(FiguresCache.event_id == event.id)) is None
    later = dashboard_figures(event, now=forgotten_at + timedelta(minutes=1), max_age=60)
    stored = db.session.scalar(select(FiguresCache.computed_at).where(FiguresCache.event_id == event.id))
    assert stored == later.computed_at
