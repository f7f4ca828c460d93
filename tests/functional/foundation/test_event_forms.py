"""Organiser forms for events: what a saved form says, and what a refused one shows (the field's
message, the form again, nothing saved)."""
from __future__ import annotations

from html import unescape

from sqlalchemy import select

from confapp.accounts.models import RoleInvitation
from confapp.events.models import Event, Series
from tests.factories import make_admin, make_event, make_user

EVENT_FORM = {"title": "Human Rights Cities Summit", "timezone": "America/Chicago", "starts_at": "2027-05-14T09:00",
              "ends_at": "2027-05-15T17:00", "series_id": "0"}


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_creating_an_event_with_a_taken_address_shows_the_form_again_and_saves_nothing(client, db, login_as):
    taken = make_event()
    login_as(make_admin())
    response = client.post("/manage/events/new", data=dict(EVENT_FORM, slug=taken.slug))
    assert response.status_code == 200
    page = _page(response)
    assert "That web address is already taken." in page and 'value="Human Rights Cities Summit"' in page
    assert "Event created as a draft" not in page
    assert db.session.scalar(select(Event).filter_by(title="Human Rights Cities Summit")) is None


def test_creating_an_event_says_it_is_a_draft(client, db, login_as):
    login_as(make_admin())
    page = _page(client.post("/manage/events/new", data=EVENT_FORM, follow_redirects=True))
    assert "Event created as a draft. Publish it when it is ready." in page


def test_editing_an_event_to_a_taken_address_keeps_the_old_details(client, db, login_as):
    organiser = make_user()
    event, other = make_event(organiser=organiser), make_event()
    title = event.title
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/edit", data=dict(EVENT_FORM, slug=other.slug))
    assert response.status_code == 200
    assert "That web address is already taken." in _page(response)
    db.session.expire_all()
    assert event.title == title and event.slug != other.slug


def test_editing_an_event_says_the_changes_are_saved(client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser)
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/edit", data=EVENT_FORM)
    assert response.headers["Location"] == f"/manage/{event.slug}/"
    assert "Changes saved." in _page(client.get(response.headers["Location"]))


def test_copying_an_event_opens_the_new_edition_with_a_message(client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser)
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/copy", data={"title": "Next year", "starts_at": "2027-12-05T09:00"})
    copy = db.session.scalar(select(Event).filter_by(title="Next year"))
    assert response.headers["Location"] == f"/manage/{copy.slug}/"
    assert "New edition created as a draft with the previous edition's settings." in _page(client.get(response.headers["Location"]))


def test_creating_a_series_returns_to_the_dashboard(client, db, login_as):
    login_as(make_admin())
    response = client.post("/manage/series/new", data={"name": "Human Rights Cities Institute"})
    assert response.headers["Location"] == "/manage/"
    assert db.session.scalar(select(Series).filter_by(name="Human Rights Cities Institute")) is not None
    assert "Series created. Choose it when you create or edit an edition." in _page(client.get("/manage/"))


def test_inviting_a_colleague_says_how_long_the_invitation_lasts(client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser)
    login_as(organiser)
    response = client.post(f"/manage/{event.slug}/team", data={"email": "colleague@example.org", "role": "checkin_staff"})
    assert response.headers["Location"] == f"/manage/{event.slug}/team"
    assert db.session.scalar(select(RoleInvitation).filter_by(event_id=event.id)) is not None
    assert "Invitation sent. It is valid for 14 days." in _page(client.get(response.headers["Location"]))
