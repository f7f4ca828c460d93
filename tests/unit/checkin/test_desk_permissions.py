"""The check-in services check their actor themselves (redeem, undo, walk-in, and what calls them):
a user with the CHECK_IN action on the list's event, a volunteer link for that very list valid
now, or the system. Anyone else gets NotAllowed and nothing is written."""
from datetime import timedelta

import pytest

from confapp.accounts.models import Role
from confapp.checkin import services
from confapp.checkin import sync as offline_sync
from confapp.checkin.models import CheckIn
from confapp.errors import NotAllowed
from tests.factories import grant, make_event, make_user
from tests.support.checkin import attendee, category


@pytest.fixture
def world(db, now):
    organiser = make_user()
    event, other = make_event(organiser=organiser), make_event(organiser=organiser)
    door = services.main_list(event, actor=organiser, now=now)
    other_door = services.main_list(other, actor=organiser, now=now)
    side = services.create_list(event, name="Side door", actor=organiser, now=now)
    staff_elsewhere = make_user()
    grant(other, staff_elsewhere, Role.CHECKIN_STAFF)
    link, _ = services.create_volunteer_link(door, name="Door 2", valid_from=now - timedelta(hours=1),
                                             valid_until=now + timedelta(hours=1), actor=organiser, now=now)
    side_link, _ = services.create_volunteer_link(side, name="Side", valid_from=now - timedelta(hours=1),
                                                  valid_until=now + timedelta(hours=1), actor=organiser, now=now)
    return dict(event=event, door=door, other_door=other_door, organiser=organiser, staff_elsewhere=staff_elsewhere,
                link=services.LinkActor(link), side_link=services.LinkActor(side_link))


def _refused(world, now):
    return [("anonymous", None), ("no role", make_user()), ("staff of another event", world["staff_elsewhere"]),
            ("a link for another list", world["side_link"])]


def test_redeem_refuses_actors_who_may_not_work_this_desk(world, now):
    reg = attendee(world["event"])
    for label, actor in _refused(world, now):
        with pytest.raises(NotAllowed):
            services.redeem(reg.ticket_code, checkin_list=world["door"], station="", actor=actor, now=now)
    with pytest.raises(NotAllowed):  # the link is no longer valid later
        services.redeem(reg.ticket_code, checkin_list=world["door"], station="", actor=world["link"], now=now + timedelta(hours=2))
    assert CheckIn.query.count() == 0
    assert services.redeem(reg.ticket_code, checkin_list=world["door"], station="", actor=world["link"], now=now).ok


def test_sync_refuses_a_link_for_another_list(world, now):
    reg = attendee(world["event"])
    with pytest.raises(NotAllowed):
        offline_sync.sync([{"scan_id": "s-1", "code": reg.ticket_code}], checkin_list=world["door"], actor=world["side_link"], now=now)
    assert CheckIn.query.count() == 0


def test_undo_refuses_actors_who_may_not_work_that_desk(world, now):
    reg = attendee(world["event"])
    check_in = services.redeem(reg.ticket_code, checkin_list=world["door"], station="", actor=world["organiser"], now=now).check_in
    for label, actor in _refused(world, now):
        with pytest.raises(NotAllowed):
            services.undo(check_in, actor=actor, now=now)
    assert check_in.reverted_at is None
    services.undo(check_in, actor=world["link"], now=now)
    assert check_in.reverted_at == now


def test_walk_in_refuses_actors_who_may_not_work_this_desk(world, now):
    general = category(world["event"])
    for label, actor in _refused(world, now):
        with pytest.raises(NotAllowed):
            services.walk_in(world["door"], first_name="Noor", last_name="Haddad", email="noor@example.org", category_id=general.id,
                             station="", actor=actor, now=now)
    result = services.walk_in(world["door"], first_name="Noor", last_name="Haddad", email="noor@example.org", category_id=general.id,
                              station="", actor=world["link"], now=now)
    assert result.ok
