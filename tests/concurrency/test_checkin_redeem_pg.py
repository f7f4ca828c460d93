"""One ticket, many desks at once, on the real PostgreSQL server: exactly one check-in."""
import threading
from collections import Counter

import pytest

from confapp.checkin import services
from confapp.checkin.models import CheckIn
from confapp.extensions import db
from confapp.accounts.models import Role
from tests.factories import grant, make_event, make_user
from tests.support.checkin import attendee

pytestmark = pytest.mark.postgres


def _seed(app, now):
    with app.app_context():
        staff = make_user(name="Maria")
        event = make_event()
        grant(event, staff, Role.CHECKIN_STAFF)
        checkin_list = services.main_list(event, actor=staff, now=now)
        reg = attendee(event)
        db.session.commit()
        return staff.id, checkin_list.id, reg.ticket_code


@pytest.mark.parametrize("skip_pre_read", [False, True], ids=["normal", "database-decides"])
def test_twenty_concurrent_redeems_of_one_ticket_give_one_check_in(pg_app, now, monkeypatch, skip_pre_read):
    """`database-decides` hides the service's friendly pre-read, so all 20 inserts reach
    PostgreSQL and only the partial unique index stands between them."""
    from confapp.accounts.models import User
    from confapp.checkin.models import CheckInList

    if skip_pre_read:
        real, local = services.active_check_in, threading.local()

        def first_read_sees_nothing(*args):
            local.calls = getattr(local, "calls", 0) + 1
            return None if local.calls == 1 else real(*args)

        monkeypatch.setattr(services, "active_check_in", first_read_sees_nothing)
    staff_id, list_id, code = _seed(pg_app, now)
    clients = 20
    barrier = threading.Barrier(clients)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def desk(n):
        try:
            with pg_app.app_context():
                staff = db.session.get(User, staff_id)
                checkin_list = db.session.get(CheckInList, list_id)
                barrier.wait(timeout=30)
                result = services.redeem(code, checkin_list=checkin_list, station=f"Door {n}", actor=staff, now=now)
                db.session.commit()
                outcomes.append(result.outcome.value)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert Counter(outcomes) == {"ok": 1, "already": 19}
    with pg_app.app_context():
        assert CheckIn.query.count() == 1
