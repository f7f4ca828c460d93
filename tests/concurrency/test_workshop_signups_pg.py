"""Workshop sign-ups under real concurrency on PostgreSQL: many attendees race for the last
places; the session row lock (SELECT ... FOR UPDATE) means the workshop is never oversold."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from confapp.errors import SoldOut
from confapp.extensions import db
from confapp.program.models import SessionKind, SessionSignup

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ATTEMPTS = 30


def _setup(app, *, capacity: int, taken: int, label: str):
    from tests.factories import make_category, make_event, make_registration, make_session, make_user

    with app.app_context():
        organiser = make_user()
        event = make_event(organiser=organiser, slug=f"workshop-race-{label}")
        category = make_category(event)
        workshop = make_session(event, kind=SessionKind.WORKSHOP, capacity=capacity, publish=True, actor=organiser)
        registrations = [make_registration(event, category, email=f"w{i}-{label}@example.org", send_email=False)
                         for i in range(taken + ATTEMPTS)]
        from confapp.program.attendance import sign_up

        for registration in registrations[:taken]:
            sign_up(workshop, registration)
        db.session.commit()
        result = workshop.id, [r.id for r in registrations[taken:]]
    return result


def _attempt(app, session_id, registration_id, barrier, outcomes):
    from confapp.program.attendance import sign_up
    from confapp.program.models import ProgramSession
    from confapp.registration.models import Registration

    with app.app_context():
        try:
            session = db.session.get(ProgramSession, session_id)
            registration = db.session.get(Registration, registration_id)
            barrier.wait(timeout=30)
            sign_up(session, registration)
            db.session.commit()
            outcomes[registration_id] = "ok"
        except SoldOut:
            db.session.rollback()
            outcomes[registration_id] = "full"
        except Exception as error:  # noqa: BLE001 - asserted on below
            db.session.rollback()
            outcomes[registration_id] = repr(error)
        finally:
            db.session.remove()


@pytest.mark.parametrize("round_", range(3))
def test_thirty_concurrent_signups_for_the_last_three_places_take_exactly_three(pg_app, round_):
    session_id, registration_ids = _setup(pg_app, capacity=20, taken=17, label=f"r{round_}")
    barrier = threading.Barrier(len(registration_ids))
    outcomes: dict[int, str] = {}
    threads = [threading.Thread(target=_attempt, args=(pg_app, session_id, rid, barrier, outcomes)) for rid in registration_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Counter(outcomes.values()) == {"ok": 3, "full": ATTEMPTS - 3}, outcomes
    with pg_app.app_context():
        taken = db.session.scalar(select(func.count()).select_from(SessionSignup).where(SessionSignup.session_id == session_id))
        assert taken == 20
