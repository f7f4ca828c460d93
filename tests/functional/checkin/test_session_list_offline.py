"""A per-session desk offline: its copy says who signed up and how many places walk-ins may
still take, and the sync says when the room filled up meanwhile."""
from datetime import timedelta

import pytest

from confapp.checkin import services
from confapp.types import utcnow
from tests.factories import make_event, make_user
from tests.support.checkin import attendee, workshop_room


@pytest.fixture
def staff(db):
    return make_user(name="Maria")


def test_offline_copy_of_a_session_list_carries_sign_ups_and_places_left(staff, now, client):
    """What a per-session desk needs to decide walk-ins offline, and the sync saying when the room
    filled up meanwhile (the same walk-ins admitted offline on two devices)."""
    room, signed, walk_in_one, walk_in_two = workshop_room(make_event(), title="Closed-door meeting", actor=staff, now=now)
    # The API checks links against the real clock.
    _, token = services.create_volunteer_link(room, name="Room 4 door", valid_from=utcnow() - timedelta(hours=1),
                                              valid_until=utcnow() + timedelta(hours=2), actor=staff, now=now)
    headers = {"Accept": "application/json", "X-Checkin-Link": token}
    base = f"/checkin/api/lists/{room.id}"

    copy = client.get(f"{base}/offline", headers=headers).get_json()
    assert copy["room"] == {"capacity": 2, "walk_in_places_left": 1}
    signed_up = {row[0]: row[copy["fields"].index("signed_up")] for row in copy["rows"]}
    assert signed_up == {signed.ticket_code: True, walk_in_one.ticket_code: False, walk_in_two.ticket_code: False}

    scans = [{"scan_id": f"dev-a-{n}", "code": reg.ticket_code} for n, reg in enumerate((walk_in_one, walk_in_two))]
    answer = client.post(f"{base}/sync", json={"scans": scans}, headers=headers).get_json()
    assert [(r["outcome"], r["refused"]) for r in answer["results"]] == [("ok", False), ("full", True)]
    assert answer["refused"] == 1 and answer["conflicts"] == 0
    assert client.get(f"{base}/offline", headers=headers).get_json()["room"]["walk_in_places_left"] == 0


def test_the_main_entrance_copy_has_no_room_and_everyone_counts_as_signed_up(staff, now, client):
    event = make_event()
    reg = attendee(event)
    main = services.main_list(event, actor=staff, now=now)
    _, token = services.create_volunteer_link(main, name="Door 1", valid_from=utcnow() - timedelta(hours=1),
                                              valid_until=utcnow() + timedelta(hours=2), actor=staff, now=now)
    copy = client.get(f"/checkin/api/lists/{main.id}/offline", headers={"Accept": "application/json", "X-Checkin-Link": token}).get_json()
    assert copy["room"] is None
    assert copy["rows"][0][copy["fields"].index("signed_up")] is True and copy["rows"][0][0] == reg.ticket_code
