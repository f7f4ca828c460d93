"""Online attendance under real concurrency on PostgreSQL (issue 15): many clicks of one join
link at once record one attendance (registration row lock, re-check, partial unique index), and
online and in-person places are never oversold, each limited independently."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from confapp.errors import SoldOut
from confapp.extensions import db
from confapp.online.models import OnlineAttendance

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CLICKS = 20


def _hybrid(app, label: str, *, venue: int, online_places: int):
    from confapp.events.models import AttendanceMode
    from confapp.online import services
    from confapp.registration.models import PlaceKind
    from tests.factories import make_category, make_event, make_session, make_user
    from tests.support.clock import TEST_NOW

    with app.app_context():
        organiser = make_user()
        event = make_event(organiser=organiser, slug=f"hybrid-{label}", capacity=venue,
                           starts_at=TEST_NOW + timedelta(minutes=15), ends_at=TEST_NOW + timedelta(days=1))
        in_person = make_category(event, name="Hall")
        online = make_category(event, name="Online", capacity=online_places, attendance_mode=PlaceKind.ONLINE)
        session = make_session(event, title="Town hall", starts_at=TEST_NOW + timedelta(minutes=20), publish=True)
        services.set_attendance_modes(event, AttendanceMode.HYBRID, categories={}, sessions={}, actor=organiser)
        services.save_join_details(event, services.JoinDetailsData(meeting_url="https://meet.example.net/race"),
                                   actor=organiser)
        db.session.commit()
        return event.id, in_person.id, online.id, session.id


def test_twenty_simultaneous_clicks_of_one_join_link_record_one_attendance(pg_app):
    from confapp.online.access import join_token
    from confapp.registration.models import Registration
    from tests.factories import make_registration

    event_id, _, online_id, session_id = _hybrid(pg_app, "clicks", venue=10, online_places=10)
    with pg_app.app_context():
        from confapp.events.models import Event
        from confapp.registration.models import RegistrationCategory

        attendee = make_registration(db.session.get(Event, event_id), db.session.get(RegistrationCategory, online_id),
                                     send_email=False)
        db.session.commit()
        url = f"/j/{join_token(db.session.get(Registration, attendee.id), session_id, generation=0)}"
        registration_id = attendee.id
    barrier = threading.Barrier(CLICKS)
    statuses: list[int] = []

    def click():
        client = pg_app.test_client()
        barrier.wait(timeout=30)
        statuses.append(client.post(url).status_code)

    threads = [threading.Thread(target=click) for _ in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [200] * CLICKS
    with pg_app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(OnlineAttendance)
                                 .where(OnlineAttendance.registration_id == registration_id))
        assert rows == 1


def _order(app, event_id, category_id, n, label, barrier, outcomes):
    from confapp.events.models import Event
    from confapp.registration.services import AttendeeData, CategoryChoice, OrderRequest, place_order
    from confapp.types import utcnow

    with app.app_context():
        try:
            event = db.session.get(Event, event_id)
            request = OrderRequest([CategoryChoice(category_id, 1)],
                                   [AttendeeData(f"Racer{n}", "Example", f"racer{n}-{label}@example.org")], send_email=False)
            barrier.wait(timeout=30)
            place_order(event, request, actor=None, now=utcnow())
            db.session.commit()
            outcomes[(category_id, n)] = "ok"
        except SoldOut:
            db.session.rollback()
            outcomes[(category_id, n)] = "full"
        except Exception as error:  # noqa: BLE001 - asserted on below
            db.session.rollback()
            outcomes[(category_id, n)] = repr(error)
        finally:
            db.session.remove()


def test_online_and_in_person_places_are_never_oversold_and_independent(pg_app):
    from confapp.registration.models import Registration

    event_id, in_person_id, online_id, _ = _hybrid(pg_app, "places", venue=5, online_places=4)
    attempts = [(in_person_id, n) for n in range(15)] + [(online_id, n + 100) for n in range(15)]
    barrier = threading.Barrier(len(attempts))
    outcomes: dict = {}
    threads = [threading.Thread(target=_order, args=(pg_app, event_id, cid, n, "places", barrier, outcomes))
               for cid, n in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    by_category = Counter((cid, outcome) for (cid, _), outcome in outcomes.items())
    assert by_category == {(in_person_id, "ok"): 5, (in_person_id, "full"): 10,
                           (online_id, "ok"): 4, (online_id, "full"): 11}, outcomes
    with pg_app.app_context():
        counts = dict(db.session.execute(select(Registration.category_id, func.count())
                                         .where(Registration.event_id == event_id).group_by(Registration.category_id)).all())
        assert counts == {in_person_id: 5, online_id: 4}
