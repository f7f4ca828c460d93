"""API tokens: stored hashed, shown once, refused when revoked or expired, limited by scope and
by what their creator may do at the time of the request."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from confapp.accounts.models import EventRole, Role
from confapp.api.models import ApiToken
from confapp.errors import NotAllowed
from confapp.extensions import db as database
from confapp.types import utcnow
from tests.functional.api.conftest import bearer, later, make_token
from tests.support.access import ADMIN, ORGANISER, OTHER_ORGANISER, STAFF


def _all_text(db) -> str:
    rows = db.session.execute(text("SELECT * FROM api_tokens")).all()
    audit = db.session.execute(text("SELECT * FROM audit_entries")).all()
    return repr(rows) + repr(audit)


def test_the_secret_is_shown_once_and_only_its_hash_is_stored(client, db, world, login_as):
    login_as(world.users[ORGANISER])
    slug = world.event.slug
    page = client.post(f"/manage/{slug}/api-tokens", data={"name": "Partner site", "scopes": ["events:read"]})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    secret = html.split('id="token-secret" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith("capi_") and len(secret) > 40
    assert secret not in _all_text(db)
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "Partner site"))
    assert token.token_hash != secret and len(token.token_hash) == 64
    listing = client.get(f"/manage/{slug}/api-tokens").get_data(as_text=True)
    assert "Partner site" in listing and secret not in listing and "Events: read" in listing
    assert client.get("/api/v1/events", headers=bearer(secret)).status_code == 200


def test_revoked_token_is_refused_with_401_json(client, db, world, auth, login_as):
    assert client.get("/api/v1/events", headers=auth).status_code == 200
    login_as(world.users[ORGANISER])
    response = client.post(f"/manage/{world.event.slug}/api-tokens/{world.token.id}/revoke")
    assert response.status_code == 302
    client.post("/account/logout")
    refused = client.get("/api/v1/events", headers=auth)
    assert refused.status_code == 401 and refused.is_json
    assert refused.json["detail"] == "This API token was revoked."
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_refused_with_401(client, db, world):
    token, secret = make_token(world.event, world.users[ORGANISER], expires_at=later(1))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    refused = client.get("/api/v1/events", headers=bearer(secret))
    assert refused.status_code == 401 and refused.json["detail"] == "This API token has expired."


def test_unknown_or_missing_token_is_401(client, world):
    assert client.get("/api/v1/events").status_code == 401
    unknown = client.get("/api/v1/events", headers=bearer("capi_not-a-token"))
    assert unknown.status_code == 401 and unknown.json["code"] == "unauthorized"


def test_a_scope_the_token_lacks_is_403_json(client, db, world):
    _, secret = make_token(world.event, world.users[ORGANISER], scopes=["events:read"])
    db.session.commit()
    slug = world.event.slug
    assert client.get(f"/api/v1/events/{slug}", headers=bearer(secret)).status_code == 200
    refused = client.get(f"/api/v1/events/{slug}/registrations", headers=bearer(secret))
    assert refused.status_code == 403 and "registrations:read" in refused.json["detail"]


def test_a_token_whose_creator_lost_their_role_reads_nothing(client, db, world, auth):
    slug = world.event.slug
    assert client.get(f"/api/v1/events/{slug}/registrations", headers=auth).status_code == 200
    db.session.execute(EventRole.__table__.delete().where(EventRole.user_id == world.users[ORGANISER].id))
    db.session.commit()
    database.session.expire_all()
    assert client.get(f"/api/v1/events/{slug}/registrations", headers=auth).status_code == 403
    assert client.get(f"/api/v1/events/{slug}", headers=auth).status_code == 403
    assert client.get("/api/v1/events", headers=auth).json["results"] == []


def test_staff_cannot_make_tokens_and_a_demoted_creator_keeps_only_check_in(client, db, world, auth):
    """Scopes may ask for more than the creator's role allows: the role wins, at every request."""
    with pytest.raises(NotAllowed):
        make_token(world.event, world.users[STAFF])
    role = db.session.scalar(select(EventRole).where(EventRole.user_id == world.users[ORGANISER].id,
                                                     EventRole.event_id == world.event.id))
    role.role = Role.CHECKIN_STAFF
    db.session.commit()
    slug = world.event.slug
    assert client.get(f"/api/v1/events/{slug}/registrations", headers=auth).status_code == 403
    assert client.get(f"/api/v1/events/{slug}", headers=auth).status_code == 200
    redeem = client.post(f"/api/v1/events/{slug}/checkin/redeem", json={"code": "NO-SUCH"}, headers=auth)
    assert redeem.status_code == 200 and redeem.json["outcome"] == "unknown"


def test_another_events_token_does_not_reach_this_event(client, db, world):
    _, secret = make_token(world.other_event, world.users[OTHER_ORGANISER])
    db.session.commit()
    response = client.get(f"/api/v1/events/{world.event.slug}/registrations", headers=bearer(secret))
    assert response.status_code == 404
    listed = client.get("/api/v1/events", headers=bearer(secret)).json["results"]
    assert [e["slug"] for e in listed] == [world.other_event.slug]


def test_site_wide_tokens_are_for_site_admins(client, db, world):
    with pytest.raises(NotAllowed):
        make_token(None, world.users[ORGANISER])
    _, secret = make_token(None, world.users[ADMIN], scopes=["events:read", "registrations:read"])
    db.session.commit()
    slugs = {e["slug"] for e in client.get("/api/v1/events?limit=200", headers=bearer(secret)).json["results"]}
    assert {world.event.slug, world.other_event.slug} <= slugs
    assert client.get(f"/api/v1/events/{world.other_event.slug}/registrations", headers=bearer(secret)).status_code == 200


def test_last_use_is_recorded_and_shown(client, db, world, auth, login_as):
    assert world.token.last_used_at is None
    client.get("/api/v1/events", headers=auth)
    database.session.expire_all()
    assert db.session.get(ApiToken, world.token.id).last_used_at is not None
    login_as(world.users[ORGANISER])
    page = client.get(f"/manage/{world.event.slug}/api-tokens").get_data(as_text=True)
    assert "Never" not in page.split("CRM sync")[1].split("</tr>")[0].split("</td>")[2]


def test_the_form_needs_a_name_and_a_permission(client, db, world, login_as):
    login_as(world.users[ORGANISER])
    page = client.post(f"/manage/{world.event.slug}/api-tokens", data={"name": "", "scopes": []})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "token-secret" not in html and "error-summary" in html
    assert db.session.scalar(select(ApiToken).where(ApiToken.name == "")) is None


def test_an_expiry_in_the_past_is_refused_on_its_field_and_a_future_one_is_the_end_of_that_day(client, db, world, login_as):
    login_as(world.users[ORGANISER])
    url = f"/manage/{world.event.slug}/api-tokens"
    past = client.post(url, data={"name": "Old", "scopes": ["events:read"], "expires_on": "2020-01-01"})
    html = past.get_data(as_text=True)
    assert "token-secret" not in html and "The expiry must be in the future." in html
    client.post(url, data={"name": "Later", "scopes": ["events:read"], "expires_on": "2030-06-30"})
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "Later"))
    local_end = token.expires_at.astimezone(world.event.tz)
    assert (local_end.date().isoformat(), local_end.hour, local_end.minute) == ("2030-07-01", 0, 0)


def test_revoking_is_for_this_events_tokens_and_happens_once(client, db, world, login_as):
    other, _ = make_token(world.other_event, world.users[OTHER_ORGANISER])
    db.session.commit()
    login_as(world.users[ORGANISER])
    slug = world.event.slug
    assert client.post(f"/manage/{slug}/api-tokens/{other.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, other.id).revoked_at is None
    client.post(f"/manage/{slug}/api-tokens/{world.token.id}/revoke")
    again = client.post(f"/manage/{slug}/api-tokens/{world.token.id}/revoke", follow_redirects=True)
    assert "That token was already revoked." in again.get_data(as_text=True)
