"""Walk-ins at the main entrance (registration's rules) and per-session lists with sign-ups and room capacity."""
import pytest

from confapp.checkin import services
from confapp.checkin.models import CheckIn, ListKind
from confapp.checkin.services import Outcome
from confapp.errors import InvalidState, SoldOut, ValidationFailed
from confapp.registration.models import PriceKind
from tests.factories import make_event, make_session, make_user
from tests.support.checkin import attendee, category, workshop_room


@pytest.fixture
def staff(db):
    # A site administrator: may work every event's desk (the services check it themselves).
    return make_user(name="Maria", site_admin=True)


def test_walk_in_registers_and_checks_in(staff, now):
    event = make_event()
    general = category(event)
    main = services.main_list(event, actor=staff, now=now)
    result = services.walk_in(main, first_name="Noor", last_name="Haddad", email="noor@example.org", category_id=general.id,
                              station="Door 1", actor=staff, now=now)
    assert result.ok and result.registration.is_walk_in and result.registration.full_name == "Noor Haddad"


def test_walk_in_in_a_paid_category_asks_for_payment(staff, now):
    event = make_event()
    paid = category(event, price_kind=PriceKind.FIXED, price_minor=2500)
    main = services.main_list(event, actor=staff, now=now)
    result = services.walk_in(main, first_name="Kofi", last_name="Mensah", email="kofi@example.org", category_id=paid.id,
                              station="", actor=staff, now=now)
    assert (result.outcome, result.amount_due_minor) == (Outcome.UNPAID, 2500)


def test_walk_in_respects_capacity_and_required_fields(staff, now):
    event = make_event(capacity=1)
    general = category(event)
    main = services.main_list(event, actor=staff, now=now)
    attendee(event, cat=general)
    with pytest.raises(SoldOut):
        services.walk_in(main, first_name="Late", last_name="Comer", email="late@example.org", category_id=general.id,
                         station="", actor=staff, now=now)
    with pytest.raises(ValidationFailed):
        services.walk_in(main, first_name="", last_name="", email="", category_id=general.id, station="", actor=staff, now=now)


def _actions(event, action):
    from sqlalchemy import func, select

    from confapp.audit.models import AuditEntry
    from confapp.extensions import db

    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.event_id == event.id,
                                                                             AuditEntry.action == action))


def _keyed_walk_in(main, cat, staff, now, key="door-app-7"):
    return services.walk_in(main, first_name="Noor", last_name="Haddad", email="noor@example.org", category_id=cat.id,
                            station="Door 1", actor=staff, now=now, idempotency_key=key)


def test_a_keyed_walk_in_whose_twin_placed_the_order_answers_the_twins_check_in_and_writes_nothing(staff, now):
    event = make_event()
    general = category(event)
    main = services.main_list(event, actor=staff, now=now)
    first = _keyed_walk_in(main, general, staff, now)
    again = _keyed_walk_in(main, general, staff, now)
    # What the twin answered (checked in), not "already checked in" about the twin's own check-in.
    assert (again.outcome, again.registration.id, again.check_in.id) == (Outcome.OK, first.registration.id,
                                                                        first.check_in.id)
    assert CheckIn.query.filter_by(list_id=main.id).count() == 1
    assert (_actions(event, "checkin.walk_in"), _actions(event, "checkin.redeem")) == (1, 1)


def test_a_keyed_walk_in_whose_twin_still_owes_the_fee_answers_unpaid_once_more(staff, now):
    event = make_event()
    paid = category(event, price_kind=PriceKind.FIXED, price_minor=2500)
    main = services.main_list(event, actor=staff, now=now)
    first, again = _keyed_walk_in(main, paid, staff, now), _keyed_walk_in(main, paid, staff, now)
    assert (again.outcome, again.amount_due_minor, again.registration.id) == (Outcome.UNPAID, 2500, first.registration.id)
    assert _actions(event, "checkin.walk_in") == 1


def test_a_keyed_walk_in_after_its_twins_check_in_was_undone_checks_in_again_without_walking_in_again(staff, now):
    event = make_event()
    general = category(event)
    main = services.main_list(event, actor=staff, now=now)
    first = _keyed_walk_in(main, general, staff, now)
    services.undo(first.check_in, actor=staff, now=now)
    again = _keyed_walk_in(main, general, staff, now)
    assert again.ok and again.registration.id == first.registration.id and again.check_in.id != first.check_in.id
    assert (_actions(event, "checkin.walk_in"), _actions(event, "checkin.redeem")) == (1, 2)


def test_walk_in_only_where_the_desk_offers_it_and_in_an_active_category(staff, now):
    event = make_event()
    general, retired = category(event), category(event, "Retired", is_active=False)
    main = services.main_list(event, actor=staff, now=now)
    with pytest.raises(ValidationFailed) as refused:
        services.walk_in(main, first_name="Noor", last_name="", email="noor@example.org", category_id=retired.id,
                         station="", actor=staff, now=now)
    assert set(refused.value.errors) == {"category_id"}
    main.allow_walk_ins = False
    room, *_ = workshop_room(event, title="Closed meeting", actor=staff, now=now)
    for checkin_list in (main, room):
        with pytest.raises(InvalidState):
            services.walk_in(checkin_list, first_name="Noor", last_name="", email="noor@example.org", category_id=general.id,
                             station="", actor=staff, now=now)


def test_session_list_admits_sign_ups_then_walk_ins_up_to_capacity(staff, now):
    room, signed, walk_in_one, walk_in_two = workshop_room(make_event(), title="Housing rights workshop", actor=staff, now=now)
    assert services.redeem(walk_in_one.ticket_code, checkin_list=room, station="", actor=staff, now=now).ok
    # One signed-up place is reserved: the second walk-in finds the room full.
    full = services.redeem(walk_in_two.ticket_code, checkin_list=room, station="", actor=staff, now=now)
    assert full.outcome == Outcome.FULL and full.extra["capacity"] == 2
    assert services.redeem(signed.ticket_code, checkin_list=room, station="", actor=staff, now=now).ok
    assert CheckIn.query.filter_by(list_id=room.id).count() == 2


def test_deleting_a_draft_session_leaves_its_list_as_a_plain_list(staff, now):
    from confapp.extensions import db
    from confapp.program.services import delete_session
    from tests.factories import make_admin

    event = make_event()
    admin = make_admin()
    draft = make_session(event, title="Draft caucus", capacity=5, actor=admin)
    room = services.create_list(event, name="Caucus room", kind=ListKind.SESSION, program_session_id=draft.id,
                                actor=staff, now=now)
    person = attendee(event)
    assert services.redeem(person.ticket_code, checkin_list=room, station="", actor=staff, now=now).ok
    delete_session(draft, actor=admin, event=event, now=now)
    db.session.refresh(room)
    assert room.program_session_id is None
    assert services.session_capacity(room) is None
    assert CheckIn.query.filter_by(list_id=room.id).count() == 1
