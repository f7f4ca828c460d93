"""Redeem, undo and offline sync: every outcome the desk shows, and each ticket once per list."""
from datetime import timedelta

import pytest

from confapp.checkin import services
from confapp.checkin import sync as offline_sync
from confapp.checkin.models import CheckIn, ListKind
from confapp.checkin.services import Outcome
from confapp.errors import InvalidState
from confapp.registration.models import RegistrationStatus
from confapp.accounts.models import Role
from tests.factories import grant, make_event, make_user
from tests.support.checkin import attendee, category


@pytest.fixture
def desk(db, now):
    staff = make_user(name="Maria")
    event = make_event()
    grant(event, staff, Role.CHECKIN_STAFF)
    checkin_list = services.main_list(event, actor=staff, now=now)
    return event, checkin_list, staff


def test_redeem_checks_in_once_then_answers_already_with_who_when_where(desk, now):
    event, checkin_list, staff = desk
    reg = attendee(event)
    first = services.redeem(reg.ticket_code, checkin_list=checkin_list, station="Door 2", actor=staff, now=now)
    assert first.outcome == Outcome.OK and first.check_in.registration_id == reg.id
    second = services.redeem(f"  {reg.ticket_code} ", checkin_list=checkin_list, station="Door 1", actor=staff, now=now + timedelta(minutes=5))
    assert second.outcome == Outcome.ALREADY
    assert second.check_in.id == first.check_in.id
    assert (second.check_in.actor_label, second.check_in.station, second.check_in.checked_in_at) == ("Maria", "Door 2", now)


@pytest.mark.parametrize(
    "status, outcome",
    [
        (RegistrationStatus.CANCELLED, Outcome.CANCELLED),
        (RegistrationStatus.REJECTED, Outcome.CANCELLED),
        (RegistrationStatus.EXPIRED, Outcome.CANCELLED),
        (RegistrationStatus.PENDING_APPROVAL, Outcome.PENDING_APPROVAL),
        (RegistrationStatus.AWAITING_PAYMENT, Outcome.UNPAID),
    ],
)
def test_redeem_refuses_tickets_that_may_not_enter(desk, now, status, outcome):
    event, checkin_list, staff = desk
    reg = attendee(event, status=status)
    result = services.redeem(reg.ticket_code, checkin_list=checkin_list, station="", actor=staff, now=now)
    assert result.outcome == outcome
    assert CheckIn.query.count() == 0


def test_redeem_unpaid_confirmed_order_reports_amount_due(desk, now):
    event, checkin_list, staff = desk
    reg = attendee(event, due_minor=4500)
    result = services.redeem(reg.ticket_code, checkin_list=checkin_list, station="", actor=staff, now=now)
    assert (result.outcome, result.amount_due_minor, result.currency) == (Outcome.UNPAID, 4500, "USD")


def test_redeem_unknown_and_other_event_tickets(desk, now):
    event, checkin_list, staff = desk
    other = make_event(title="Another convening")
    stranger = attendee(other)
    assert services.redeem("NOPE", checkin_list=checkin_list, station="", actor=staff, now=now).outcome == Outcome.UNKNOWN
    wrong = services.redeem(stranger.ticket_code, checkin_list=checkin_list, station="", actor=staff, now=now)
    assert wrong.outcome == Outcome.WRONG_EVENT and wrong.registration is None
    assert wrong.other_event_title == "Another convening"


def test_session_list_admits_only_its_categories_and_counts_separately(desk, now):
    event, main, staff = desk
    speakers = category(event, "Speaker")
    workshop = services.create_list(event, name="Workshop A", kind=ListKind.SESSION, category_ids=[speakers.id], actor=staff, now=now)
    general = attendee(event)
    speaker = attendee(event, cat=speakers)
    assert services.redeem(general.ticket_code, checkin_list=workshop, station="", actor=staff, now=now).outcome == Outcome.NOT_ADMITTED
    assert services.redeem(speaker.ticket_code, checkin_list=main, station="", actor=staff, now=now).ok
    assert services.redeem(speaker.ticket_code, checkin_list=workshop, station="", actor=staff, now=now).ok


def test_undo_keeps_history_and_allows_a_new_check_in(desk, now):
    event, checkin_list, staff = desk
    reg = attendee(event)
    first = services.redeem(reg.ticket_code, checkin_list=checkin_list, station="", actor=staff, now=now)
    services.undo(first.check_in, actor=staff, now=now)
    with pytest.raises(InvalidState):
        services.undo(first.check_in, actor=staff, now=now)
    again = services.redeem(reg.ticket_code, checkin_list=checkin_list, station="", actor=staff, now=now)
    assert again.ok and again.check_in.id != first.check_in.id
    assert CheckIn.query.filter_by(registration_id=reg.id).count() == 2


def test_a_database_level_duplicate_becomes_already(desk, now, monkeypatch):
    """The race: our read saw no check-in, another worker's insert wins; the unique index answers."""
    event, checkin_list, staff = desk
    reg = attendee(event)
    services.redeem(reg.ticket_code, checkin_list=checkin_list, station="Door 2", actor=staff, now=now)
    monkeypatch.setattr(services, "active_check_in", _none_then_real(services.active_check_in))
    result = services.redeem(reg.ticket_code, checkin_list=checkin_list, station="Door 1", actor=staff, now=now)
    assert result.outcome == Outcome.ALREADY and result.check_in.station == "Door 2"


def _none_then_real(real):
    calls = {"n": 0}

    def fake(*args):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(*args)

    return fake


def test_sync_applies_each_scan_once_and_reports_conflicts(desk, now):
    event, checkin_list, staff = desk
    a, b = attendee(event), attendee(event)
    device_one = [
        {"scan_id": "d1-1", "code": a.ticket_code, "scanned_at": (now - timedelta(minutes=3)).isoformat()},
        {"scan_id": "d1-2", "code": b.ticket_code},
    ]
    device_two = [{"scan_id": "d2-1", "code": a.ticket_code}]
    first = offline_sync.sync(device_one, checkin_list=checkin_list, actor=staff, now=now)
    assert [(i.result.outcome, i.conflict, i.result.replayed) for i in first] == [(Outcome.OK, False, False)] * 2
    assert first[0].result.check_in.checked_in_at == now - timedelta(minutes=3)
    replay = offline_sync.sync(device_one, checkin_list=checkin_list, actor=staff, now=now)
    assert [(i.result.outcome, i.result.replayed) for i in replay] == [(Outcome.OK, True)] * 2
    conflict = offline_sync.sync(device_two, checkin_list=checkin_list, actor=staff, now=now)
    assert conflict[0].conflict and conflict[0].result.check_in.scan_id == "d1-1"
    assert CheckIn.query.count() == 2


def test_volunteer_link_token_is_hashed_and_checked(desk, now):
    from confapp.errors import NotAllowed, NotFound

    event, checkin_list, staff = desk
    link, token = services.create_volunteer_link(
        checkin_list, name="Door 2", valid_from=now - timedelta(hours=1), valid_until=now + timedelta(hours=8), actor=staff, now=now
    )
    assert link.token_hash != token and len(link.token_hash) == 64
    assert services.link_from_token(token, now=now).id == link.id
    with pytest.raises(NotFound):
        services.link_from_token(token[:-1] + ("A" if token[-1] != "A" else "B"), now=now)
    with pytest.raises(NotAllowed):
        services.link_from_token(token, now=now + timedelta(hours=9))
    services.revoke_volunteer_link(link, actor=staff, now=now)
    with pytest.raises(NotAllowed):
        services.link_from_token(token, now=now)


def test_link_check_ins_are_audited_under_the_link_name(desk, now):
    from confapp.audit.models import AuditEntry

    event, checkin_list, staff = desk
    link, _ = services.create_volunteer_link(
        checkin_list, name="Door 2", valid_from=now - timedelta(hours=1), valid_until=now + timedelta(hours=8), actor=staff, now=now
    )
    reg = attendee(event)
    result = services.redeem(reg.ticket_code, checkin_list=checkin_list, station="Door 2", actor=services.LinkActor(link), now=now)
    assert result.check_in.volunteer_link_id == link.id and result.check_in.user_id is None
    entry = AuditEntry.query.filter_by(action="checkin.redeem").one()
    assert entry.actor_label == "Link: Door 2" and entry.actor_user_id is None
