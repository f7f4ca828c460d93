"""Every foundation route x every role -> expected status (the table in issue 2)."""
from confapp.accounts import services as account_services
from confapp.accounts.models import Role
from tests.factories import make_event, make_user
from tests.support.access import (
    LOGIN_REDIRECT, access_world, assert_access, everyone, expect, logged_in, organisers_only, staff_and_organisers,
)

EVENT_FORM = {"title": "Edited title", "timezone": "America/New_York", "starts_at": "2027-01-10T09:00",
              "ends_at": "2027-01-11T17:00", "series_id": "0"}
NEW_EVENT_FORM = dict(EVENT_FORM, title="A brand new convening")
# Organisers of any event (and site admins) may start a new one; the others may not.
CREATORS = expect(LOGIN_REDIRECT, 403, 403, 200, 200, 200)
CREATORS_POST = expect(LOGIN_REDIRECT, 403, 403, 302, 302, 302)


def test_foundation_routes_by_role(client, db):
    world = access_world()
    slug = world.event.slug
    staff_id = world.users["staff"].id
    no_role_email = world.users["no_role"].email
    invitation = account_services.invite_to_role(world.event, "new.colleague@example.org", Role.CHECKIN_STAFF,
                                                 actor=world.users["organiser"])
    token = account_services._invitation_serializer().dumps({"iid": invitation.id})
    signup_token = account_services._signup_serializer().dumps({"e": "new.person@example.org", "n": "New", "next": ""})
    assert_access(client, db, world, [
        ("GET", "/", everyone(200)),
        ("GET", "/healthz", everyone(200)),
        ("GET", "/readyz", everyone(200)),
        ("GET", f"/e/{slug}/", everyone(200)),
        ("GET", "/e/no-such-event/", everyone(404)),
        ("GET", "/manage/", logged_in(200)),
        ("GET", "/manage/events/new", CREATORS),
        ("POST", "/manage/events/new", CREATORS_POST, NEW_EVENT_FORM),
        ("GET", "/manage/series/new", CREATORS),
        ("POST", "/manage/series/new", CREATORS_POST, {"name": "Human Rights Cities Institute"}),
        ("GET", f"/manage/{slug}/", staff_and_organisers(200)),
        ("GET", "/manage/no-such-event/", expect(LOGIN_REDIRECT, 404, 404, 404, 404, 404)),
        ("GET", f"/manage/{slug}/edit", organisers_only(200)),
        ("POST", f"/manage/{slug}/edit", organisers_only(302), EVENT_FORM),
        ("POST", f"/manage/{slug}/unpublish", organisers_only(302), {}),
        ("POST", f"/manage/{slug}/publish", organisers_only(302), {}),
        ("POST", f"/manage/{slug}/archive", organisers_only(302), {}),
        ("GET", f"/manage/{slug}/copy", organisers_only(200)),
        ("POST", f"/manage/{slug}/copy", organisers_only(302), {"title": "Next year", "starts_at": "2027-12-05T09:00"}),
        ("GET", f"/manage/{slug}/team", organisers_only(200)),
        ("POST", f"/manage/{slug}/team", organisers_only(302), {"email": "x@example.org", "role": "checkin_staff"}),
        ("POST", f"/manage/{slug}/team/grant", expect(LOGIN_REDIRECT, 403, 403, 403, 403, 302),
         {"grant-email": no_role_email, "grant-role": "checkin_staff"}),
        ("POST", f"/manage/{slug}/team/{staff_id}/remove", organisers_only(302), {}),
        ("GET", f"/manage/{slug}/audit", organisers_only(200)),
        ("GET", "/account/login", expect(200, 302, 302, 302, 302, 302)),
        ("GET", "/account/signup", expect(200, 302, 302, 302, 302, 302)),
        ("GET", "/account/password-reset", everyone(200)),
        # The language switcher: anyone may choose the interface's language.
        ("POST", "/account/language", everyone(302), {"language": "es", "next": "/"}),
        ("GET", "/account/language/es?next=/", everyone(302)),
        ("GET", "/account/password-reset/not-a-token", everyone(400)),
        # Bound to the invited address: no account of the world holds it.
        ("GET", f"/account/invitations/{token}", expect(LOGIN_REDIRECT, 403, 403, 403, 403, 403)),
        ("POST", f"/account/invitations/{token}", expect(LOGIN_REDIRECT, 403, 403, 403, 403, 403), {}),
        ("GET", f"/account/signup/{signup_token}", everyone(200)),
        ("POST", f"/account/signup/{signup_token}", everyone(302), {"password": "long-enough-password",
                                                                   "confirm": "long-enough-password"}),
        ("POST", "/account/logout", everyone(302), {}),
    ])


def test_drafts_are_hidden_from_the_public_and_shown_to_their_organisers(client, db):
    world = access_world(publish=False)
    assert_access(client, db, world, [
        ("GET", f"/e/{world.event.slug}/", expect(404, 404, 404, 404, 200, 200)),
        ("GET", f"/manage/{world.event.slug}/", staff_and_organisers(200)),
    ])
    client.post("/account/logout")
    assert world.event.title not in client.get("/").get_data(as_text=True)


def test_archived_events_stay_readable_and_listed_as_past(client, db):
    from confapp.events import services

    world = access_world()
    services.archive_event(world.event, actor=world.users["organiser"])
    title = world.event.title
    assert_access(client, db, world, [
        ("GET", f"/e/{world.event.slug}/", everyone(200)),
        ("GET", f"/manage/{world.event.slug}/edit", organisers_only(200)),
    ])
    upcoming, _past = client.get("/").get_data(as_text=True).split('id="past-heading"')
    # An archived event is never offered as upcoming, even before its dates.
    assert title not in upcoming


def test_archived_past_editions_are_listed_among_past_events(client, db):
    from datetime import datetime, timezone

    from confapp.events import services

    organiser = make_user()
    event = make_event(organiser=organiser, title="Institute 2016", starts_at=datetime(2016, 12, 8, 14, tzinfo=timezone.utc))
    services.archive_event(event, actor=organiser)
    db.session.commit()
    _upcoming, past = client.get("/").get_data(as_text=True).split('id="past-heading"')
    assert "Institute 2016" in past


def test_check_in_staff_see_no_organiser_menu_entries(client, db, login_as):
    world = access_world()
    login_as(world.users["staff"])
    page = client.get(f"/manage/{world.event.slug}/").get_data(as_text=True)
    assert f"/manage/{world.event.slug}/edit" not in page
    assert f"/manage/{world.event.slug}/team" not in page
