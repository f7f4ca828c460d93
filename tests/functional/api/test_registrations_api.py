"""GET /api/v1/events/<slug>/registrations: filters, cursor pages without gaps or repeats, a
fixed number of queries whatever the page size."""
from __future__ import annotations

from datetime import timedelta

from confapp.checkin import services as checkin_services
from confapp.registration.models import RegistrationStatus
from confapp.types import utcnow
from tests.factories import make_registration
from tests.support.access import ORGANISER
from tests.support.checkin import category
from tests.support.queries import count_queries


def _people(db, world, n: int = 7):
    general, speakers = category(world.event, "General"), category(world.event, "Speakers")
    regs = [make_registration(world.event, general if i % 2 else speakers, send_email=False) for i in range(n)]
    regs[0].status = RegistrationStatus.CANCELLED
    db.session.commit()
    return regs, general, speakers


def _all_pages(client, url: str, auth, limit: int = 2, cursor: str | None = None) -> tuple[list[int], int]:
    ids, pages = [], 0
    while True:
        page = client.get(url, query_string={"limit": limit, **({"cursor": cursor} if cursor else {})}, headers=auth)
        assert page.status_code == 200, page.json
        assert set(page.json) == {"results", "next"}
        ids += [row["id"] for row in page.json["results"]]
        pages += 1
        cursor = page.json["next"]
        if cursor is None:
            return ids, pages


def test_cursor_pages_cover_every_registration_once_in_id_order(client, db, world, auth):
    regs, _, _ = _people(db, world, 7)
    ids, pages = _all_pages(client, f"/api/v1/events/{world.event.slug}/registrations", auth, limit=2)
    assert ids == sorted(r.id for r in regs) and pages == 4


def test_a_row_added_between_pages_is_neither_skipped_nor_repeated(client, db, world, auth):
    regs, general, _ = _people(db, world, 4)
    url = f"/api/v1/events/{world.event.slug}/registrations"
    first = client.get(url, query_string={"limit": 2}, headers=auth).json
    late = make_registration(world.event, general, send_email=False)
    db.session.commit()
    rest, _ = _all_pages(client, url, auth, limit=10, cursor=first["next"])
    seen = [row["id"] for row in first["results"]] + rest
    assert seen == sorted([r.id for r in regs] + [late.id]) and len(set(seen)) == len(seen)


def test_filters_by_status_category_and_check_in(client, db, world, auth):
    regs, general, speakers = _people(db, world, 6)
    checkin_services.redeem(regs[1].ticket_code, checkin_list=world.list, station="", actor=world.users[ORGANISER], now=utcnow())
    db.session.commit()
    url = f"/api/v1/events/{world.event.slug}/registrations"

    def ids(**query):
        response = client.get(url, query_string={"limit": 200, **query}, headers=auth)
        assert response.status_code == 200, response.json
        return {row["id"] for row in response.json["results"]}

    assert ids(status="cancelled") == {regs[0].id}
    assert ids(category=general.id) == {r.id for r in regs if r.category_id == general.id}
    assert ids(checked_in="yes") == {regs[1].id}
    assert ids(checked_in="no") == {r.id for r in regs} - {regs[1].id}
    assert ids(category=speakers.id, status="confirmed") == {r.id for r in regs[2::2]}
    one = client.get(f"{url}/{regs[1].id}", headers=auth).json
    assert one["checked_in"] is True and one["category"] == {"id": general.id, "name": "General"}


def test_updated_since_keeps_what_changed(client, db, world, auth, now):
    regs, _, _ = _people(db, world, 3)
    for reg in regs:
        reg.created_at = reg.confirmed_at = now - timedelta(days=10)
        reg.order.updated_at = now - timedelta(days=10)
    regs[2].cancelled_at = now
    db.session.commit()
    since = (now - timedelta(days=1)).isoformat()
    response = client.get(f"/api/v1/events/{world.event.slug}/registrations", query_string={"updated_since": since},
                          headers=auth)
    assert [row["id"] for row in response.json["results"]] == [regs[2].id]


def test_bad_filters_and_cursors_are_422_json_with_the_fields(client, db, world, auth):
    url = f"/api/v1/events/{world.event.slug}/registrations"
    bad = client.get(url, query_string={"status": "nonsense", "checked_in": "maybe"}, headers=auth)
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"status", "checked_in"}
    cursor = client.get(url, query_string={"cursor": "not-ours"}, headers=auth)
    assert cursor.status_code == 422 and "cursor" in cursor.json["errors"]


def test_a_registration_of_another_event_is_404(client, db, world, auth):
    elsewhere = make_registration(world.other_event, send_email=False)
    db.session.commit()
    response = client.get(f"/api/v1/events/{world.event.slug}/registrations/{elsewhere.id}", headers=auth)
    assert response.status_code == 404 and response.is_json


def test_a_page_takes_the_same_queries_for_2_or_40_registrations(client, db, world, auth):
    url = f"/api/v1/events/{world.event.slug}/registrations?limit=200"
    _people(db, world, 2)
    client.get(url, headers=auth)  # warm-up: last_used_at is written once a minute at most
    with count_queries(db.engine) as few:
        assert len(client.get(url, headers=auth).json["results"]) == 2
    _people(db, world, 38)
    with count_queries(db.engine) as many:
        assert len(client.get(url, headers=auth).json["results"]) == 40
    assert many.count == few.count <= 6, many.statements
