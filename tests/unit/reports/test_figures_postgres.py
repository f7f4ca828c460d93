"""The same known counts on PostgreSQL, whose SQL differs (time buckets in the event's zone,
NOT IN over a subquery, CASE over an outer join), and the purge's placeholders there."""
from datetime import timedelta

import pytest

from tests.reports_data import known_world

pytestmark = pytest.mark.postgres


def test_known_counts_and_purge_on_postgresql(pg_app):
    from confapp.extensions import db
    from confapp.reports import services
    from confapp.reports.queries import compute_figures

    with pg_app.app_context():
        organiser, event, _ = known_world()
        figures = compute_figures(event)
        h = figures["headline"]
        assert (h["registered"], h["attended"], h["no_shows"], h["walk_ins"], h["cancelled"]) == (10, 7, 3, 2, 1)
        assert (h["group_orders"], h["group_registrations"], h["cities"], h["organisations"]) == (1, 3, 3, 4)
        assert (h["sessions"], h["speakers"]) == (2, 3)
        assert figures["arrivals_by_hour"][0]["label"] == "09:00"  # New York time, computed by PostgreSQL
        assert sum(row["count"] for row in figures["registrations_over_time"]) == 8
        report = services.start_report(event, actor=organiser)
        services.publish_report(report, actor=organiser, now=event.ends_at)
        services.purge_event(event, actor=organiser, now=event.ends_at + timedelta(days=1))
        db.session.commit()
        db.session.expire_all()
        assert compute_figures(event) == figures
        from sqlalchemy import text

        leftover = db.session.execute(text("select count(*) from registrations where email like '%@example.org'")).scalar()
        assert leftover == 0
        db.session.remove()
