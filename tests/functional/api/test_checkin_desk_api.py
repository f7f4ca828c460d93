"""The check-in endpoints of /api/v1 (lists, search, undo, batch sync, stats) answer what the
desk's JSON endpoints answer: one module of handlers (confapp.checkin.handlers) behind both."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from confapp.audit.models import AuditEntry
from confapp.checkin.models import CheckIn
from tests.functional.api.conftest import bearer, make_token
from tests.support.access import ORGANISER
from tests.support.checkin import attendee
from tests.support.clock import TEST_NOW

PROBLEM = "application/problem+json"


def _base(world) -> str:
    return f"/api/v1/events/{world.event.slug}/checkin"


def test_lists_search_and_stats_are_the_desks_answers(client, db, world, auth, login_as):
    person = attendee(world.event, first_name="Amara", last_name="Okafor")
    db.session.commit()
    lists = client.get(f"{_base(world)}/lists", headers=auth)
    assert lists.status_code == 200 and lists.json["results"][0]["id"] == world.list.id
    client.post(f"{_base(world)}/redeem", json={"code": person.ticket_code}, headers=auth)
    api_search = client.get(f"{_base(world)}/lists/{world.list.id}/search?q=ama", headers=auth)
    api_stats = client.get(f"{_base(world)}/lists/{world.list.id}/stats", headers=auth)
    assert api_search.status_code == api_stats.status_code == 200
    assert [r["id"] for r in api_search.json["results"]] == [person.id]
    assert api_search.json["results"][0]["checked_in_at"] and "…@" in api_search.json["results"][0]["email"]
    assert api_stats.json["checked_in"] == 1
    login_as(world.users[ORGANISER])
    desk = f"/checkin/api/lists/{world.list.id}"
    assert client.get(f"{desk}/search?q=ama", headers={"Accept": "application/json"}).json == api_search.json
    assert client.get(f"{desk}/stats", headers={"Accept": "application/json"}).json == api_stats.json


def test_undo_and_batch_sync(client, db, world, auth):
    first, second = attendee(world.event, first_name="Amara"), attendee(world.event, first_name="Tomás")
    db.session.commit()
    redeemed = client.post(f"{_base(world)}/redeem", json={"code": first.ticket_code}, headers=auth).json
    url = f"{_base(world)}/lists/{world.list.id}"
    undone = client.post(f"{url}/undo", json={"check_in_id": redeemed["check_in"]["id"]}, headers=auth)
    assert undone.status_code == 200 and undone.json["undone"] == redeemed["check_in"]["id"]
    assert "undone" in undone.json["message"]
    again = client.post(f"{url}/undo", json={"check_in_id": redeemed["check_in"]["id"]}, headers=auth)
    assert again.status_code in (404, 409) and again.mimetype == PROBLEM
    scans = [{"scan_id": "dev1-1", "code": first.ticket_code, "station": "Door 1",
              "scanned_at": (TEST_NOW - timedelta(minutes=5)).isoformat()},
             {"scan_id": "dev1-2", "code": second.ticket_code},
             {"scan_id": "dev1-3", "code": "NOPE-NOPE"}]
    synced = client.post(f"{url}/sync", json={"scans": scans}, headers=auth)
    assert synced.status_code == 200, synced.get_data(as_text=True)
    assert [r["outcome"] for r in synced.json["results"]] == ["ok", "ok", "unknown"]
    replay = client.post(f"{url}/sync", json={"scans": scans[:2]}, headers=auth)
    assert replay.status_code == 200 and len(db.session.scalars(
        select(CheckIn).where(CheckIn.reverted_at.is_(None))).all()) == 2
    labels = {e.actor_label for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(["checkin.redeem", "checkin.undo"])))}
    assert labels == {"API token: CRM sync"}
    bad = client.post(f"{url}/sync", json={"scans": [{"code": ""}]}, headers=auth)
    assert bad.status_code == 422 and bad.mimetype == PROBLEM and "scans" in bad.json["errors"]


def test_checkin_endpoints_need_their_scope_and_reach_only_their_event(client, db, world, auth):
    _, read_only = make_token(world.event, world.users[ORGANISER], scopes=["checkin:read"])
    db.session.commit()
    url = f"{_base(world)}/lists/{world.list.id}"
    assert client.get(f"{url}/stats", headers=bearer(read_only)).status_code == 200
    refused = client.post(f"{url}/sync", json={"scans": []}, headers=bearer(read_only))
    assert refused.status_code == 403 and refused.mimetype == PROBLEM
    other = client.get(f"/api/v1/events/{world.other_event.slug}/checkin/lists/{world.list.id}/stats", headers=auth)
    assert other.status_code == 404
    assert client.get(f"{_base(world)}/lists/999999/stats", headers=auth).status_code == 404
