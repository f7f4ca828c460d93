"""Every id a desk sends is looked up within its own event and list: another event's offline scan
id, ticket code, check-in id or category reveals nothing and changes nothing there."""
from datetime import timedelta

import pytest

from confapp.checkin import services
from confapp.checkin.models import CheckIn
from confapp.types import utcnow
from tests.support.access import ORGANISER, OTHER_ORGANISER, access_world
from tests.support.checkin import attendee, category


@pytest.fixture
def two_desks(db):
    world = access_world()
    now = utcnow()
    world.other_event.title = "Closed Strategy Retreat"
    for side, event, organiser in (("a", world.event, world.users[ORGANISER]),
                                   ("b", world.other_event, world.users[OTHER_ORGANISER])):
        checkin_list = services.main_list(event, actor=organiser, now=now)
        _, token = services.create_volunteer_link(checkin_list, name=f"Door {side}", valid_from=now - timedelta(hours=1),
                                                  valid_until=now + timedelta(hours=4), actor=organiser, now=now)
        setattr(world, f"list_{side}", checkin_list)
        setattr(world, f"token_{side}", token)
    world.reg_a = attendee(world.event, first_name="Amara", last_name="Okafor")
    world.reg_b = attendee(world.other_event, first_name="Bashir", last_name="Secretname")
    db.session.commit()
    return world


def _post(client, world, side, path, body):
    checkin_list, token = getattr(world, f"list_{side}"), getattr(world, f"token_{side}")
    return client.post(f"/checkin/api/lists/{checkin_list.id}/{path}", json=body,
                       headers={"Accept": "application/json", "X-Checkin-Link": token})


def _b_scanned_offline(client, world):
    synced = _post(client, world, "b", "sync", {"scans": [{"scan_id": "b-scan-1", "code": world.reg_b.ticket_code}]})
    assert synced.status_code == 200 and synced.json["results"][0]["outcome"] == "ok"


def test_replaying_another_events_scan_id_through_sync_reveals_nothing(client, two_desks):
    world = two_desks
    _b_scanned_offline(client, world)
    response = _post(client, world, "a", "sync", {"scans": [{"scan_id": "b-scan-1", "code": "NOT-A-CODE"}]})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Bashir" not in text and "Secretname" not in text and world.reg_b.ticket_code not in text
    result = response.json["results"][0]
    assert result["outcome"] == "unknown" and not result.get("replayed") and "attendee" not in result


def test_replaying_another_events_scan_id_through_redeem_reveals_nothing(client, two_desks):
    world = two_desks
    _b_scanned_offline(client, world)
    response = _post(client, world, "a", "redeem", {"code": "NOT-A-CODE", "scan_id": "b-scan-1"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.json["outcome"] == "unknown"
    assert "Bashir" not in text and "Secretname" not in text


def test_another_events_scan_id_with_an_own_ticket_checks_in_the_own_ticket(client, two_desks):
    world = two_desks
    _b_scanned_offline(client, world)
    response = _post(client, world, "a", "sync", {"scans": [{"scan_id": "b-scan-1", "code": world.reg_a.ticket_code}]})
    result = response.json["results"][0]
    assert response.status_code == 200 and result["outcome"] == "ok" and not result["replayed"]
    assert result["attendee"]["name"] == "Amara Okafor"
    assert CheckIn.query.filter_by(list_id=world.list_a.id, registration_id=world.reg_a.id).count() == 1


def test_another_events_ticket_is_only_not_a_ticket_for_this_event(client, two_desks):
    world = two_desks
    response = _post(client, world, "a", "redeem", {"code": world.reg_b.ticket_code})
    assert response.status_code == 200 and response.json["outcome"] == "wrong_event"
    text = response.get_data(as_text=True)
    assert "This is not a ticket for this event." in text
    assert "Closed Strategy Retreat" not in text and "Bashir" not in text
    offline = _post(client, world, "a", "sync", {"scans": [{"scan_id": "a-1", "code": world.reg_b.ticket_code}]})
    assert "Closed Strategy Retreat" not in offline.get_data(as_text=True)


def test_another_lists_check_in_id_and_another_events_category_are_not_found(client, two_desks):
    world = two_desks
    _b_scanned_offline(client, world)
    b_check_in = CheckIn.query.filter_by(list_id=world.list_b.id).one()
    undo = _post(client, world, "a", "undo", {"check_in_id": b_check_in.id})
    assert undo.status_code == 404 and "error" in undo.json
    assert CheckIn.query.get(b_check_in.id).reverted_at is None
    b_category = category(world.other_event, "Retreat guest")
    walk_in = _post(client, world, "a", "walkin", {"first_name": "Nadia", "last_name": "Haddad", "email": "nadia@example.org",
                                                   "category_id": b_category.id})
    assert walk_in.status_code == 422 and "error" in walk_in.json
