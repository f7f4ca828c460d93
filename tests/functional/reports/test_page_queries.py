"""Organiser and public report pages run a fixed number of SQL statements, whatever the size of
the event (no per-row loading)."""
from datetime import timedelta

from confapp.reports import services
from confapp.types import utcnow
from tests.factories import make_event, make_user
from tests.reports_data import check_in_known, known_event, program_known
from tests.support.queries import count_queries


def counting(engine):
    return count_queries(engine, ignore=("ROLLBACK",))


def build(organiser, copies: int):
    start = utcnow() - timedelta(days=2)
    event = make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=30))
    builder = known_event(event)
    for _ in range(copies - 1):
        known_event(event, builder)
    check_in_known(builder, organiser)
    program_known(builder, organiser)
    services.publish_report(services.start_report(event, actor=organiser), actor=organiser, now=utcnow())
    return event


def test_dashboard_editor_and_public_report_do_not_grow_with_the_event(client, db, login_as):
    organiser = make_user()
    small, large = build(organiser, 1), build(organiser, 4)
    db.session.commit()
    login_as(organiser)
    for path in ("/manage/{}/dashboard", "/manage/{}/report", "/e/{}/report", "/manage/{}/feedback"):
        counts = []
        for event in (small, large):
            client.get(path.format(event.slug))  # warm up (login, caches)
            with counting(db.engine) as statements:
                assert client.get(path.format(event.slug)).status_code == 200
            counts.append(len(statements))
        assert counts[0] == counts[1], (path, counts)
        assert counts[0] <= 40, (path, counts)
