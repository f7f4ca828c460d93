"""Accounts through the real pages: sign-up, login, logout, password reset, invitations, roles."""
import re
from urllib.parse import urlsplit

import pytest

from confapp.accounts import services
from confapp.accounts.models import EventRole, Role, User
from confapp.errors import InvalidState, NotAllowed
from confapp.events.models import Event
from tests.conftest import TEST_PASSWORD, login
from tests.factories import grant, make_admin, make_event, make_user
from tests.support.tokens import forge

NEW_PASSWORD = "a-new-and-long-password"


def link_in(mail_text: str, path_prefix: str) -> str:
    match = re.search(r"https?://\S+" + re.escape(path_prefix) + r"\S+", mail_text)
    assert match, f"no {path_prefix} link in:\n{mail_text}"
    return urlsplit(match.group(0)).path


# --- sign-up, login, logout -----------------------------------------------------------------

def test_sign_up_creates_an_account_by_the_emailed_link_and_logs_in(client, db, mail):
    page = client.post("/account/signup", data={"name": "Ana Ruiz", "email": "Ana@Example.org"})
    assert page.status_code == 200 and "Check your email" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(User).filter_by(email="ana@example.org")) is None  # not before the link
    [message] = mail.wait_for(1)
    assert message.envelope_to == ["ana@example.org"] and "Ana Ruiz" in message.text
    path = link_in(message.text, "/account/signup/")
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": "long-enough-password", "confirm": "long-enough-password"})
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).filter_by(email="ana@example.org"))
    assert user is not None and user.name == "Ana Ruiz"
    assert user.password_hash.startswith("scrypt:") and "long-enough-password" not in user.password_hash
    assert client.get("/manage/").status_code == 200
    # The link works once: the account exists now.
    client.post("/account/logout")
    assert client.get(path).status_code == 400


def test_sign_up_with_a_taken_email_reveals_nothing_and_tells_the_owner(client, db, mail):
    make_user(email="taken@example.org", name="Tomás Owner")
    taken = client.post("/account/signup", data={"name": "X", "email": "Taken@example.org"})
    fresh = client.post("/account/signup", data={"name": "X", "email": "fresh@example.org"})
    assert taken.status_code == fresh.status_code == 200
    taken_page = taken.get_data(as_text=True).replace("taken@example.org", "ADDRESS")
    assert taken_page == fresh.get_data(as_text=True).replace("fresh@example.org", "ADDRESS")
    assert "already" not in taken_page and "Check your email" in taken_page
    messages = {m.envelope_to[0]: m for m in mail.wait_for(2)}
    owner = messages["taken@example.org"]
    assert "Someone tried to create a confapp account with your email address" in owner.text
    assert "/account/login" in owner.text and "/account/password-reset" in owner.text
    assert "/account/signup/" not in owner.text  # nothing there creates or changes an account
    assert "/account/signup/" in messages["fresh@example.org"].text


def test_finishing_sign_up_checks_the_password(client, db, mail):
    client.post("/account/signup", data={"name": "X", "email": "new@example.org"})
    path = link_in(mail.wait_for(1)[0].text, "/account/signup/")
    page = client.post(path, data={"password": "short", "confirm": "short"})
    assert page.status_code == 200 and "at least 10 characters" in page.get_data(as_text=True)
    page = client.post(path, data={"password": "long-enough-password", "confirm": "other-long-password"})
    assert page.status_code == 200 and "differ" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(User).filter_by(email="new@example.org")) is None


def test_a_forged_sign_up_link_is_refused(client, db):
    token = services._signup_serializer().dumps({"e": "someone@example.org", "n": "Someone", "next": ""})
    assert client.get(f"/account/signup/{forge(token)}").status_code == 400
    response = client.post(f"/account/signup/{forge(token)}", data={"password": "long-enough-password",
                                                                    "confirm": "long-enough-password"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(User).filter_by(email="someone@example.org")) is None


def test_sign_up_from_an_invitation_returns_to_it(client, db, mail):
    organiser = make_user()
    event = make_event(organiser=organiser)
    services.invite_to_role(event, "newbie@example.org", Role.CHECKIN_STAFF, actor=organiser)
    db.session.commit()
    invitation_path = link_in(mail.wait_for(1)[0].text, "/account/invitations/")
    client.post(f"/account/signup?next={invitation_path}", data={"name": "New Bie", "email": "newbie@example.org"})
    path = link_in(mail.wait_for(2)[1].text, "/account/signup/")
    response = client.post(path, data={"password": "long-enough-password", "confirm": "long-enough-password"})
    assert response.headers["Location"] == invitation_path
    assert client.post(invitation_path).status_code == 302


def test_login_with_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, db):
    user = make_user()
    page = client.post("/account/login", data={"email": user.email, "password": "wrong-password!"})
    assert page.status_code == 200
    assert "do not match an account" in page.get_data(as_text=True)
    page = client.post("/account/login", data={"email": "nobody@example.org", "password": "wrong-password!"})
    assert "do not match an account" in page.get_data(as_text=True)
    assert client.get("/manage/").status_code == 302


def test_login_follows_only_local_next_links(client, db):
    user = make_user()
    response = client.post("/account/login?next=https://evil.example/steal", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/manage/"
    client.post("/account/logout")
    response = client.post("/account/login?next=/manage/events/new", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/manage/events/new"


def test_logout_is_a_post(client, db):
    login(client, make_user())
    assert client.get("/account/logout").status_code == 405
    assert client.get("/manage/").status_code == 200
    assert client.post("/account/logout").status_code == 302
    assert client.get("/manage/").status_code == 302


def test_a_deactivated_account_cannot_log_in(client, db):
    user = make_user()
    user.is_active_account = False
    db.session.commit()
    page = client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert page.status_code == 200


# --- password reset ---------------------------------------------------------------------------

def test_password_reset_by_emailed_link_works_once(client, db, mail):
    user = make_user(email="reset.me@example.org")
    page = client.post("/account/password-reset", data={"email": "Reset.Me@example.org"})
    assert page.status_code == 200
    [message] = mail.wait_for(1)
    assert message.envelope_to == ["reset.me@example.org"]
    assert message.html and "/account/password-reset/" in message.html
    path = link_in(message.text, "/account/password-reset/")

    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account/login"
    assert services.authenticate(user.email, NEW_PASSWORD) is not None
    assert services.authenticate(user.email, TEST_PASSWORD) is None

    # The link stops working once the password has changed.
    assert client.get(path).status_code == 400
    again = client.post(path, data={"password": "yet-another-password", "confirm": "yet-another-password"})
    assert again.status_code == 400
    assert services.authenticate(user.email, NEW_PASSWORD) is not None


def test_password_reset_for_an_unknown_email_sends_nothing_and_reveals_nothing(client, db, mail):
    make_user(email="known@example.org")
    unknown = client.post("/account/password-reset", data={"email": "unknown@example.org"}).get_data(as_text=True)
    known = client.post("/account/password-reset", data={"email": "known@example.org"}).get_data(as_text=True)
    assert unknown == known
    mail.wait_for(1)
    assert [m.envelope_to for m in mail.messages] == [["known@example.org"]]


def test_a_tampered_reset_link_is_refused(client, db):
    user = make_user()
    token = services.make_password_reset_token(user)
    assert client.get(f"/account/password-reset/{forge(token)}").status_code == 400


def test_password_reset_form_checks_the_repeat(client, db):
    user = make_user()
    token = services.make_password_reset_token(user)
    page = client.post(f"/account/password-reset/{token}", data={"password": NEW_PASSWORD, "confirm": "different-password"})
    assert page.status_code == 200 and "differ" in page.get_data(as_text=True)


# --- invitations and roles --------------------------------------------------------------------

def test_organiser_invites_a_colleague_who_accepts_while_logged_in(client, db, mail):
    organiser = make_user(name="Martha Davis")
    event = make_event(organiser=organiser, title="Global Justice Goes Local")
    login(client, organiser)
    response = client.post(f"/manage/{event.slug}/team", data={"email": "colleague@example.org", "role": "checkin_staff"})
    assert response.status_code == 302
    [message] = mail.wait_for(1)
    assert message.envelope_to == ["colleague@example.org"]
    assert "Global Justice Goes Local" in message.subject
    assert message.message["Reply-To"] == organiser.email
    path = link_in(message.text, "/account/invitations/")
    team_page = client.get(f"/manage/{event.slug}/team").get_data(as_text=True)
    assert "colleague@example.org" in team_page and "Open invitations" in team_page

    client.post("/account/logout")
    assert client.get(path).status_code == 302  # log in first
    colleague = make_user(email="colleague@example.org", name="Maria Lopez")
    login(client, colleague)
    assert "check-in staff" in client.get(path).get_data(as_text=True)
    response = client.post(path)
    assert response.status_code == 302 and response.headers["Location"] == f"/manage/{event.slug}/"
    assert db.session.scalar(db.select(EventRole).filter_by(user_id=colleague.id, event_id=event.id)).role == Role.CHECKIN_STAFF
    # Staff may open the overview but not the team page.
    assert client.get(f"/manage/{event.slug}/").status_code == 200
    assert client.get(f"/manage/{event.slug}/team").status_code == 403

    # The organiser sees the new team member, and the invitation is no longer open.
    client.post("/account/logout")
    login(client, organiser)
    team_page = client.get(f"/manage/{event.slug}/team")
    assert team_page.status_code == 200
    assert "<th scope=\"row\">Maria Lopez</th>" in team_page.get_data(as_text=True)
    assert "Open invitations" not in team_page.get_data(as_text=True)


def test_an_invitation_is_used_once(client, db):
    organiser = make_user()
    event = make_event(organiser=organiser)
    invitation = services.invite_to_role(event, "one@example.org", Role.ORGANISER, actor=organiser)
    first, second = make_user(email="one@example.org"), make_user()
    services.accept_invitation(invitation, first)
    with pytest.raises(InvalidState):
        services.accept_invitation(invitation, second)


def test_invitation_to_organise_lets_the_colleague_see_the_team_page(client, db, mail):
    organiser = make_user()
    event = make_event(organiser=organiser)
    login(client, organiser)
    client.post(f"/manage/{event.slug}/team", data={"email": "co@example.org", "role": "organiser"})
    path = link_in(mail.wait_for(1)[0].text, "/account/invitations/")
    client.post("/account/logout")
    co = make_user(email="co@example.org")
    login(client, co)
    client.post(path)
    assert client.get(f"/manage/{event.slug}/team").status_code == 200


def test_an_invitation_opened_by_another_logged_in_account_is_refused_and_grants_nothing(client, db, mail):
    organiser = make_user()
    event = make_event(organiser=organiser, title="Global Justice Goes Local")
    login(client, organiser)
    client.post(f"/manage/{event.slug}/team", data={"email": "invited@example.org", "role": "organiser"})
    path = link_in(mail.wait_for(1)[0].text, "/account/invitations/")
    client.post("/account/logout")
    stranger = make_user(email="stranger@example.org")
    login(client, stranger)
    page = client.get(path)
    assert page.status_code == 403
    text = page.get_data(as_text=True)
    assert "sent to another email address" in text and "stranger@example.org" in text
    assert "Accept the invitation" not in text and "invited@example.org" not in text
    assert client.post(path).status_code == 403
    assert db.session.scalar(db.select(EventRole).filter_by(user_id=stranger.id)) is None
    assert client.get(f"/manage/{event.slug}/team").status_code == 403
    # The invited person can still accept it, with any capitalisation of the address.
    client.post("/account/logout")
    login(client, make_user(email="Invited@Example.org"))
    assert client.post(path).status_code == 302
    assert client.get(f"/manage/{event.slug}/team").status_code == 200


def test_a_forged_invitation_link_is_refused(client, db):
    login(client, make_user())
    response = client.get("/account/invitations/forged-token")
    assert response.status_code == 403


def test_revoking_keeps_at_least_one_organiser(client, db):
    organiser = make_user()
    event = make_event(organiser=organiser)
    # make_event's creator (a site admin) is an organiser too: remove them first.
    creator_grant = next(r for r in event.roles if r.user_id != organiser.id)
    services.revoke_role(event, creator_grant.user, actor=organiser)
    with pytest.raises(InvalidState):
        services.revoke_role(event, organiser, actor=organiser)

    login(client, organiser)
    response = client.post(f"/manage/{event.slug}/team/{organiser.id}/remove", follow_redirects=True)
    assert "at least one organiser" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(EventRole).filter_by(user_id=organiser.id, event_id=event.id)) is not None


def test_organiser_removes_a_staff_member(client, db):
    organiser, staff = make_user(), make_user()
    event = make_event(organiser=organiser)
    grant(event, staff, Role.CHECKIN_STAFF)
    login(client, organiser)
    client.post(f"/manage/{event.slug}/team/{staff.id}/remove")
    assert db.session.scalar(db.select(EventRole).filter_by(user_id=staff.id, event_id=event.id)) is None


def test_site_admin_grants_a_role_directly_and_organisers_cannot(client, db):
    admin, organiser, person = make_admin(), make_user(), make_user(email="person@example.org", name="Rukia Lumumba")
    event = make_event(organiser=organiser)
    login(client, admin)
    assert "Grant a role to an existing account" in client.get(f"/manage/{event.slug}/team").get_data(as_text=True)
    response = client.post(f"/manage/{event.slug}/team/grant", data={"grant-email": "person@example.org", "grant-role": "organiser"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(EventRole).filter_by(user_id=person.id, event_id=event.id)).role == Role.ORGANISER
    unknown = client.post(f"/manage/{event.slug}/team/grant", data={"grant-email": "ghost@example.org", "grant-role": "organiser"})
    assert unknown.status_code == 422 and "Send an invitation instead" in unknown.get_data(as_text=True)

    client.post("/account/logout")
    login(client, organiser)
    assert "Grant a role to an existing account" not in client.get(f"/manage/{event.slug}/team").get_data(as_text=True)
    assert client.post(f"/manage/{event.slug}/team/grant", data={"grant-email": "person@example.org", "grant-role": "checkin_staff"}).status_code == 403
    with pytest.raises(NotAllowed):
        services.grant_role(event, person, Role.CHECKIN_STAFF, actor=organiser)


def test_site_admin_cannot_demote_the_last_organiser(db):
    admin, organiser = make_admin(), make_user()
    event = make_event(organiser=organiser)
    for role in list(event.roles):
        if role.user_id != organiser.id:
            services.revoke_role(event, role.user, actor=admin)
    with pytest.raises(InvalidState):
        services.grant_role(event, organiser, Role.CHECKIN_STAFF, actor=admin)


# --- creating events ----------------------------------------------------------------------------

EVENT_FORM = {"title": "Human Rights Cities Summit", "timezone": "America/Chicago", "starts_at": "2027-05-14T09:00",
              "ends_at": "2027-05-15T17:00", "series_id": "0"}


@pytest.mark.parametrize("who", ["site_admin", "organiser"])
def test_admins_and_organisers_create_events_and_organise_them(client, db, who):
    user = make_admin() if who == "site_admin" else make_user()
    if who == "organiser":
        make_event(organiser=user)
    login(client, user)
    response = client.post("/manage/events/new", data=EVENT_FORM)
    assert response.status_code == 302
    event = db.session.scalar(db.select(Event).filter_by(title="Human Rights Cities Summit"))
    assert response.headers["Location"] == f"/manage/{event.slug}/"
    assert event.status == "draft"
    assert db.session.scalar(db.select(EventRole).filter_by(user_id=user.id, event_id=event.id)).role == Role.ORGANISER


def test_a_user_without_roles_cannot_create_events(client, db):
    login(client, make_user())
    assert client.post("/manage/events/new", data=EVENT_FORM).status_code == 403
    assert db.session.scalar(db.select(Event).filter_by(title="Human Rights Cities Summit")) is None


def test_outside_tests_passwords_are_hashed_with_full_strength_scrypt(app, db):
    from confapp.config import Config

    assert Config().PASSWORD_HASH_METHOD == "scrypt"
    original = app.config["PASSWORD_HASH_METHOD"]
    app.config["PASSWORD_HASH_METHOD"] = Config().PASSWORD_HASH_METHOD
    try:
        user = make_user()
    finally:
        app.config["PASSWORD_HASH_METHOD"] = original
    assert user.password_hash.startswith("scrypt:32768:8:1$")


def test_a_password_reset_ends_sessions_opened_before_it(app, db):
    user = make_user()
    other_device = app.test_client()
    login(other_device, user)
    assert other_device.get("/manage/").status_code == 200
    services.set_password(user, NEW_PASSWORD)
    db.session.commit()
    assert other_device.get("/manage/").status_code == 302  # sent to log in again


def test_the_remember_cookie_is_http_only_and_same_site(client, db):
    user = make_user()
    response = client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    remember = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]
