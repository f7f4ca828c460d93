"""The desk's refusal rules are decided again by the write: a ticket cancelled (or left unpaid)
between the redeem's first read and its write is refused, not admitted (SQLite here; the
PostgreSQL race is in tests/concurrency/test_lock_then_decide_pg.py)."""
import pytest
from sqlalchemy import update

from confapp.accounts.models import Role
from confapp.checkin import services
from confapp.checkin.models import CheckIn
from confapp.checkin.services import Outcome
from confapp.extensions import db
from confapp.registration.models import Order, PaymentState, Registration, RegistrationStatus
from tests.factories import grant, make_event, make_user
from tests.support.checkin import attendee


@pytest.fixture
def desk(db, now):
    staff = make_user(name="Maria")
    event = make_event()
    grant(event, staff, Role.CHECKIN_STAFF)
    return event, services.main_list(event, actor=staff, now=now), staff


def _meanwhile(monkeypatch, statement):
    """Run `statement` behind the ORM's back right when redeem takes the write lock."""
    real = services.decision_point

    def begin_writing():
        real()
        db.session.execute(statement)

    monkeypatch.setattr(services, "decision_point", begin_writing)


def test_a_cancellation_between_read_and_write_is_refused(desk, now, monkeypatch):
    event, checkin_list, staff = desk
    reg = attendee(event)
    _meanwhile(monkeypatch, update(Registration).where(Registration.id == reg.id)
               .values(status=RegistrationStatus.CANCELLED).execution_options(synchronize_session=False))
    result = services.redeem(reg.ticket_code, checkin_list=checkin_list, station="", actor=staff, now=now)
    assert result.outcome == Outcome.CANCELLED
    assert CheckIn.query.count() == 0


def test_an_order_left_unpaid_between_read_and_write_is_refused(desk, now, monkeypatch):
    event, checkin_list, staff = desk
    reg = attendee(event)
    _meanwhile(monkeypatch, update(Order).where(Order.id == reg.order_id)
               .values(payment_state=PaymentState.UNPAID, total_minor=1500, paid_minor=0)
               .execution_options(synchronize_session=False))
    result = services.redeem(reg.ticket_code, checkin_list=checkin_list, station="", actor=staff, now=now)
    assert (result.outcome, result.amount_due_minor) == (Outcome.UNPAID, 1500)
    assert CheckIn.query.count() == 0
