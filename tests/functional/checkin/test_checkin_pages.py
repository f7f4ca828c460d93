"""Check-in pages and JSON endpoints through the Flask test client: access per route x role,
volunteer links, JSON errors, and the desk flow."""
from datetime import timedelta

import pytest

from confapp.checkin import services
from confapp.checkin.models import CheckIn, VolunteerLink
from confapp.types import utcnow
from tests.support.access import (
    ADMIN, ANON, LOGIN_REDIRECT, NO_ROLE, ORGANISER, OTHER_ORGANISER, STAFF, access_world, assert_access, expect,
    organisers_only, staff_and_organisers,
)
from tests.support.checkin import attendee, category

JSON = {"Accept": "application/json"}


@pytest.fixture
def world(db):
    world = access_world()
    now = utcnow()
    world.list = services.main_list(world.event, actor=world.users[ORGANISER], now=now)
    world.reg = attendee(world.event, first_name="Amara", last_name="Okafor", answers={"pronouns": "she/her", "organisation": "Tenants Union"})
    link, token = services.create_volunteer_link(world.list, name="Door 2", valid_from=now - timedelta(hours=1),
                                                 valid_until=now + timedelta(hours=4), actor=world.users[ORGANISER], now=now)
    world.link, world.token = link, token
    # Committed (a savepoint of the test's transaction): a refused request's rollback keeps it.
    db.session.commit()
    return world


def test_manage_pages_access_table(client, db, world):
    slug, list_id = world.event.slug, world.list.id
    assert_access(client, db, world, [
        ("GET", f"/manage/{slug}/checkin/", staff_and_organisers(200)),
        ("GET", f"/manage/{slug}/checkin/desk/{list_id}", staff_and_organisers(200)),
        ("GET", f"/manage/{slug}/checkin/dashboard", organisers_only(200)),
        ("POST", f"/manage/{slug}/checkin/lists", organisers_only(302), {"list-name": "Workshop", "list-kind": "session", "list-program_session_id": "0"}),
        ("POST", f"/manage/{slug}/checkin/links", organisers_only(303),
         {"link-name": "Door 3", "link-list_id": str(list_id), "link-valid_from": "2026-12-05T08:00", "link-valid_until": "2026-12-05T18:00"}),
        ("POST", f"/manage/{slug}/checkin/links/{world.link.id}/revoke", organisers_only(302)),
        ("POST", f"/manage/{slug}/checkin/badges.pdf", organisers_only(200), {"layout": "a6"}),
    ])


def test_desk_api_access_table(client, db, world):
    list_id, code = world.list.id, world.reg.ticket_code
    base = f"/checkin/api/lists/{list_id}"
    desk = expect(401, 403, 200, 403, 200, 200)
    assert_access(client, db, world, [
        ("GET", f"{base}/search?q=amara", desk),
        ("GET", f"{base}/stats", desk),
        ("GET", f"{base}/offline", desk),
        ("POST", f"{base}/redeem", desk, {"code": code}),
        ("POST", f"{base}/sync", desk, {"scans": []}),
        ("POST", f"{base}/undo", expect(401, 403, 404, 403, 404, 404), {"check_in_id": 999999}),
        # Nothing is owed on this ticket: the desk roles reach the payment rule (409), others do not.
        ("POST", f"{base}/pay", expect(401, 403, 409, 403, 409, 409), {"registration_id": world.reg.id, "amount": "1", "how": "cash"}),
        ("POST", f"{base}/walkin", expect(401, 403, 422, 403, 422, 422), {"first_name": "", "category_id": 0}),
    ], headers={**JSON, "Content-Type": "application/json"}, check=_json_body)


def _json_body(role, method, url, response):
    assert response.is_json, f"{method} {url} as {role} answered {response.content_type}"


def test_unknown_list_answers_json_404(client, world, login_as):
    login_as(world.users[ORGANISER])
    response = client.get("/checkin/api/lists/99999/stats", headers=JSON)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_redeem_flow_through_the_api(client, world, login_as):
    login_as(world.users[STAFF])
    url = f"/checkin/api/lists/{world.list.id}/redeem"
    first = client.post(url, json={"code": world.reg.ticket_code, "station": "Door 2"}, headers=JSON)
    assert first.status_code == 200
    body = first.json
    assert (body["outcome"], body["tone"], body["title"]) == ("ok", "ok", "Checked in")
    assert body["attendee"]["name"] == "Amara Okafor" and body["attendee"]["pronouns"] == "she/her"
    second = client.post(url, json={"code": world.reg.ticket_code}, headers=JSON).json
    assert second["outcome"] == "already"
    assert second["message"].startswith("Already checked in at ") and "by Access Staff at Door 2" in second["message"]
    undo = client.post(f"/checkin/api/lists/{world.list.id}/undo", json={"check_in_id": body["check_in"]["id"]}, headers=JSON)
    assert undo.status_code == 200 and undo.json["undone"] == body["check_in"]["id"]
    assert client.post(url, json={"code": ""}, headers=JSON).status_code == 422


def test_search_by_partial_name_email_and_organisation(client, world, login_as):
    login_as(world.users[STAFF])
    url = f"/checkin/api/lists/{world.list.id}/search"
    for query in ("amar", "OKAF", "tenants un", "amara oka", world.reg.ticket_code):
        results = client.get(url, query_string={"q": query}, headers=JSON).json["results"]
        assert [r["id"] for r in results] == [world.reg.id], query
    assert client.get(url, query_string={"q": "zzz"}, headers=JSON).json["results"] == []
    assert client.get(url, query_string={"q": "100%"}, headers=JSON).json["results"] == []


def test_offline_download_holds_only_desk_fields(client, world, login_as):
    login_as(world.users[STAFF])
    body = client.get(f"/checkin/api/lists/{world.list.id}/offline", headers=JSON).json
    assert "email" not in body["fields"]
    row = dict(zip(body["fields"], body["rows"][0]))
    assert row["code"] == world.reg.ticket_code and row["name"] == "Amara Okafor" and row["state"] == "ok"


# --- volunteer links -------------------------------------------------------------------------

def _link_headers(token):
    return {**JSON, "X-Checkin-Link": token}


def test_volunteer_link_opens_desk_and_acts_under_its_name(client, world):
    page = client.get(f"/checkin/v/{world.token}")
    assert page.status_code == 200 and b"data-desk" in page.data and b"data-link-token" in page.data
    response = client.post(f"/checkin/api/lists/{world.list.id}/redeem", json={"code": world.reg.ticket_code},
                           headers=_link_headers(world.token))
    assert response.status_code == 200 and response.json["check_in"]["by"] == "Door 2"
    by_path = client.get(f"/checkin/api/links/{world.token}/stats", headers=JSON)
    assert by_path.status_code == 200 and by_path.json["checked_in"] == 1


def test_expired_revoked_and_tampered_links_are_refused(client, db, world):
    url = f"/checkin/api/lists/{world.list.id}/stats"
    tampered = world.token[:-2] + ("xy" if world.token[-2:] != "xy" else "zz")
    assert client.get(url, headers=_link_headers(tampered)).status_code == 404
    assert client.get(f"/checkin/v/{tampered}").status_code == 404
    world.link.valid_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(url, headers=_link_headers(world.token)).status_code == 403
    assert client.get(f"/checkin/v/{world.token}").status_code == 403
    world.link.valid_until = utcnow() + timedelta(hours=1)
    services.revoke_volunteer_link(world.link, actor=world.users[ORGANISER], now=utcnow())
    db.session.commit()
    response = client.post(f"/checkin/api/lists/{world.list.id}/redeem", json={"code": world.reg.ticket_code},
                           headers=_link_headers(world.token))
    assert response.status_code == 403 and response.json["error"]["message"].startswith("This check-in link was switched off")
    assert CheckIn.query.count() == 0


def test_a_link_cannot_touch_another_event_or_list(client, db, world):
    other_list = services.main_list(world.other_event, actor=world.users[OTHER_ORGANISER], now=utcnow())
    stranger = attendee(world.other_event)
    db.session.commit()
    response = client.post(f"/checkin/api/lists/{other_list.id}/redeem", json={"code": stranger.ticket_code},
                           headers=_link_headers(world.token))
    assert response.status_code == 403
    # Through its own list, another event's ticket is only "wrong event", and nothing about its holder is shown.
    own = client.post(f"/checkin/api/lists/{world.list.id}/redeem", json={"code": stranger.ticket_code},
                      headers=_link_headers(world.token)).json
    assert own["outcome"] == "wrong_event" and "attendee" not in own
    assert client.get(f"/checkin/api/lists/{world.list.id}/search", query_string={"q": stranger.first_name},
                      headers=_link_headers(world.token)).json["results"] == []


def test_links_cannot_reach_organiser_pages(client, world):
    slug = world.event.slug
    for url in (f"/manage/{slug}/checkin/", f"/manage/{slug}/checkin/dashboard", f"/manage/{slug}/checkin/desk/{world.list.id}",
                f"/manage/{slug}/"):
        response = client.get(url, headers={"X-Checkin-Link": world.token})
        assert response.status_code == LOGIN_REDIRECT, url
    # Visiting the link page does not log anyone in.
    client.get(f"/checkin/v/{world.token}")
    assert client.get(f"/manage/{slug}/checkin/").status_code == LOGIN_REDIRECT


def _create_link(client, world, valid_from: str, valid_until: str):
    """The organiser's "new volunteer link" form, for a link named Maria on the world's list."""
    return client.post(f"/manage/{world.event.slug}/checkin/links", data={
        "link-name": "Maria", "link-list_id": str(world.list.id),
        "link-valid_from": valid_from, "link-valid_until": valid_until,
    })


def test_link_creation_shows_the_url_once_and_stores_a_hash(client, db, world, login_as):
    login_as(world.users[ORGANISER])
    response = _create_link(client, world, "2026-12-05T08:00", "2026-12-05T18:00")
    # Redirect after POST: reloading the page that shows the link never creates a second one.
    assert response.status_code == 303
    response = client.get(response.headers["Location"])
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    token = text.split("/checkin/v/")[1].split('"')[0]
    link = VolunteerLink.query.filter_by(name="Maria").one()
    assert link.token_hash == services.hash_token(token) and token not in link.token_hash
    assert token not in client.get(f"/manage/{world.event.slug}/checkin/").get_data(as_text=True)
    assert VolunteerLink.query.filter_by(name="Maria").count() == 1


def test_list_with_categories(client, db, world, login_as):
    speakers = category(world.event, "Speaker")
    db.session.commit()
    login_as(world.users[ORGANISER])
    response = client.post(f"/manage/{world.event.slug}/checkin/lists", data={
        "list-name": "Closed-door meeting", "list-kind": "session", "list-categories": [str(speakers.id)], "list-program_session_id": "0",
    })
    assert response.status_code == 302
    page = client.get(f"/manage/{world.event.slug}/checkin/").get_data(as_text=True)
    assert "Closed-door meeting" in page and "Speaker" in page


def test_walk_in_through_the_api_reports_field_errors_as_json(client, world, login_as):
    general = category(world.event, "Community member")
    from confapp.extensions import db

    db.session.commit()
    login_as(world.users[STAFF])
    url = f"/checkin/api/lists/{world.list.id}/walkin"
    bad = client.post(url, json={"first_name": "", "email": "", "category_id": general.id}, headers=JSON)
    assert bad.status_code == 422 and bad.json["error"]["fields"]
    good = client.post(url, json={"first_name": "Noor", "last_name": "Haddad", "email": "noor@example.org",
                                  "category_id": general.id, "station": "Door 1"}, headers=JSON)
    assert good.status_code == 200 and good.json["outcome"] == "ok" and good.json["attendee"]["name"] == "Noor Haddad"


def test_unpaid_ticket_paid_now_at_the_door_is_checked_in(client, db, world, login_as):
    from confapp.payments.models import Payment

    owing = attendee(world.event, first_name="Kofi", due_minor=2500)
    db.session.commit()
    login_as(world.users[STAFF])
    base = f"/checkin/api/lists/{world.list.id}"
    first = client.post(f"{base}/redeem", json={"code": owing.ticket_code}, headers=JSON).json
    assert (first["outcome"], first["tone"], first["amount_due_minor"]) == ("unpaid", "bad", 2500)
    too_much = client.post(f"{base}/pay", json={"registration_id": owing.id, "amount": "30.00", "how": "cash"}, headers=JSON)
    assert too_much.status_code == 422
    paid = client.post(f"{base}/pay", json={"registration_id": owing.id, "amount": "25.00", "how": "cash", "station": "Door 1"},
                       headers=JSON)
    assert paid.status_code == 200 and paid.json["outcome"] == "ok"
    payment = Payment.query.filter_by(order_id=owing.order_id).one()
    assert payment.amount_minor == 2500 and "cash" in payment.note and payment.method == "at_door"


def test_paid_at_the_door_in_yen_is_typed_in_whole_yen(client, db, world, login_as):
    from confapp.payments.models import Payment
    from confapp.registration.models import PriceKind

    yen = category(world.event, "Yen fee", price_kind=PriceKind.FIXED, price_minor=1000, currency="JPY")
    owing = attendee(world.event, first_name="Haruki", cat=yen, due_minor=1000)
    db.session.commit()
    login_as(world.users[STAFF])
    base = f"/checkin/api/lists/{world.list.id}"
    first = client.post(f"{base}/redeem", json={"code": owing.ticket_code}, headers=JSON).json
    assert (first["outcome"], first["amount_due_minor"], first["amount_due"], first["currency"]) == ("unpaid", 1000, "1000", "JPY")
    assert "¥1,000" in first["message"]
    cents = client.post(f"{base}/pay", json={"registration_id": owing.id, "amount": "999.50", "how": "cash"}, headers=JSON)
    assert cents.status_code == 422 and "JPY has no decimal places" in cents.json["error"]["fields"]["amount"]
    paid = client.post(f"{base}/pay", json={"registration_id": owing.id, "amount": "1000", "how": "cash"}, headers=JSON)
    assert paid.status_code == 200 and paid.json["outcome"] == "ok"
    assert Payment.query.filter_by(order_id=owing.order_id).one().amount_minor == 1000


def test_sync_over_the_api_replays_safely_and_reports_conflicts(client, world):
    other = attendee(world.event, first_name="Bea")
    from confapp.extensions import db

    db.session.commit()
    url = f"/checkin/api/lists/{world.list.id}/sync"
    headers = _link_headers(world.token)
    device_a = {"scans": [{"scan_id": "a-1", "code": world.reg.ticket_code}, {"scan_id": "a-2", "code": other.ticket_code}]}
    device_b = {"scans": [{"scan_id": "b-1", "code": other.ticket_code}]}
    first = client.post(url, json=device_a, headers=headers).json
    assert [r["outcome"] for r in first["results"]] == ["ok", "ok"] and first["conflicts"] == 0
    again = client.post(url, json=device_a, headers=headers).json
    assert [(r["outcome"], r["replayed"]) for r in again["results"]] == [("ok", True), ("ok", True)]
    clash = client.post(url, json=device_b, headers=headers).json
    assert clash["conflicts"] == 1 and clash["results"][0]["conflict"] and clash["results"][0]["outcome"] == "already"
    assert CheckIn.query.filter_by(list_id=world.list.id).count() == 2
    assert client.post(url, json={"scans": [{"code": "x"}]}, headers=headers).status_code == 422


def test_one_badge_from_the_desk(client, world, login_as):
    response = client.post(f"/checkin/v/{world.token}/badge", data={"registration_id": world.reg.id})
    assert response.status_code == 200 and response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    login_as(world.users[STAFF])
    staff = client.post(f"/checkin/desk/{world.list.id}/badge", data={"registration_id": world.reg.id})
    assert staff.status_code == 200 and staff.data.startswith(b"%PDF")
    assert client.post(f"/checkin/desk/{world.list.id}/badge", data={"registration_id": 999999}).status_code == 404


def test_a_link_that_stops_before_it_starts_is_refused_on_the_form(client, db, world, login_as):
    login_as(world.users[ORGANISER])
    response = _create_link(client, world, "2026-12-05T18:00", "2026-12-05T08:00")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The link must stop working after it starts." in page and "/checkin/v/" not in page
    assert VolunteerLink.query.filter_by(name="Maria").count() == 0


def test_creating_a_list_and_revoking_a_link_say_so(client, db, world, login_as):
    login_as(world.users[ORGANISER])
    page = client.post(f"/manage/{world.event.slug}/checkin/lists", data={
        "list-name": "Side door", "list-kind": "main", "list-program_session_id": "0"}, follow_redirects=True)
    assert "List created." in page.get_data(as_text=True)
    response = client.post(f"/manage/{world.event.slug}/checkin/links/{world.link.id}/revoke")
    assert response.headers["Location"] == f"/manage/{world.event.slug}/checkin/"
    assert "The link “Door 2” no longer works." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.get(VolunteerLink, world.link.id).revoked_at is not None


def test_the_desk_shows_the_attendees_language_next_to_their_needs_online_and_offline(client, db, world, login_as):
    """The language the person chose (their ticket page) or booked in, named in the desk's language, so staff
    know before the first word whom to call over (interpretation answers sit beside it)."""
    from confapp.registration import services as registration

    registration.set_language(world.reg, "es", now=utcnow())
    english = attendee(world.event, first_name="Beth", last_name="Lyons")
    db.session.commit()
    login_as(world.users[STAFF])
    url = f"/checkin/api/lists/{world.list.id}/redeem"
    assert client.post(url, json={"code": world.reg.ticket_code}, headers=JSON).json["attendee"]["language"] == "Spanish"
    assert client.post(url, json={"code": english.ticket_code}, headers=JSON).json["attendee"]["language"] == "English"
    body = client.get(f"/checkin/api/lists/{world.list.id}/offline", headers=JSON).json
    languages = {row["name"]: row["language"] for row in (dict(zip(body["fields"], r)) for r in body["rows"])}
    assert languages == {"Amara Okafor": "Spanish", "Beth Lyons": "English"}  # in the staff member's language
