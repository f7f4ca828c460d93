"""The event page and the event list answer anonymous visitors with a weak ETag, 304 to a
matching conditional GET, and a Cache-Control a reverse proxy may use if it revalidates; every
organiser's change to what a page shows gives the same conditional GET a 200 with the new page
at once. A signed-in user's view is private, no-store."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from confapp import clock
from confapp.events import services as event_services
from confapp.events.models import Series
from confapp.events.services import EDITABLE_FIELDS, EventData
from confapp.extensions import db
from confapp.http_cache import PUBLIC_CACHE_CONTROL
from tests.factories import make_admin, make_event, make_user

PRIVATE = "private, no-store"
# A signed-in user's view of a public page names them: no shared cache, no tag, always fetched
# anew; not no-store (tests/functional/registration/test_personal_links.py keeps public pages
# storable in the user's own browser).
SIGNED_IN = "private, no-cache"


def event_data(event, **changes) -> EventData:
    data = {name: getattr(event, name) for name in EDITABLE_FIELDS}
    data.update(series_id=event.series_id, organisers=tuple(o.name for o in event.organisers),
                partners=tuple(o.name for o in event.partners))
    return dataclasses.replace(EventData(**data), **changes)


def edit(event, **changes):
    event_services.update_event(event, event_data(event, **changes), actor=make_admin())
    db.session.commit()


def shared_cache_control(response) -> str:
    """Public for a page everyone sees alike; a page carrying the visitor's CSRF token (a form
    in it) is theirs: only their own browser may keep it."""
    carries_token = 'name="csrf_token"' in response.get_data(as_text=True)
    return "private, no-cache" if carries_token else PUBLIC_CACHE_CONTROL


def revalidate(client, url, etag):
    return client.get(url, headers={"If-None-Match": etag})


@pytest.fixture
def event(db):
    event = make_event(title="Global Justice Goes Local", description="We meet **in person**.",
                       organisers=("PHRGE",))
    db.session.commit()
    return event


def test_event_page_answers_its_own_etag_with_304_and_no_body(client, event):
    first = client.get(f"/e/{event.slug}/")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"')
    assert PUBLIC_CACHE_CONTROL == "public, max-age=0, must-revalidate"
    assert first.headers["Cache-Control"] == shared_cache_control(first)
    assert "Cookie" in first.headers["Vary"]
    again = revalidate(client, f"/e/{event.slug}/", etag)
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert revalidate(client, f"/e/{event.slug}/", 'W/"something-else"').status_code == 200


def test_event_list_answers_its_own_etag_with_304(client, event):
    first = client.get("/")
    assert first.status_code == 200 and first.headers["Cache-Control"] == shared_cache_control(first)
    assert revalidate(client, "/", first.headers["ETag"]).status_code == 304


@pytest.mark.parametrize("changes, shown, on_list", [
    (dict(title="Human Rights at Home"), "Human Rights at Home", True),
    (dict(subtitle="A second day of talks"), "A second day of talks", True),
    (dict(description="We meet *online* now."), "<em>online</em>", False),
    (dict(venue_name="Law School Auditorium"), "Law School Auditorium", False),
    (dict(venue_city="Chicago"), "Chicago", True),
    (dict(organisers=("PHRGE", "Columbia Law School")), "Columbia Law School", True),
    ("a week later", "12–13 December 2026", True),
])
def test_every_change_to_the_event_shows_at_once(client, event, changes, shown, on_list):
    if changes == "a week later":
        changes = dict(starts_at=event.starts_at + timedelta(days=7), ends_at=event.ends_at + timedelta(days=7))
    urls = [f"/e/{event.slug}/"] + (["/"] if on_list else [])
    etags = {url: client.get(url).headers["ETag"] for url in urls}
    assert all(revalidate(client, url, etag).status_code == 304 for url, etag in etags.items())
    edit(event, **changes)
    for url, etag in etags.items():
        page = revalidate(client, url, etag)
        assert page.status_code == 200 and shown in page.get_data(as_text=True), url


def test_a_change_gives_the_same_conditional_get_the_new_page(client, event):
    url = f"/e/{event.slug}/"
    etag = client.get(url).headers["ETag"]
    list_etag = client.get("/").headers["ETag"]
    edit(event, title="Renamed convening", venue_name="Union Hall")
    page = revalidate(client, url, etag)
    assert page.status_code == 200 and "Renamed convening" in page.get_data(as_text=True)
    assert page.headers["ETag"] != etag
    assert revalidate(client, url, page.headers["ETag"]).status_code == 304
    listing = revalidate(client, "/", list_etag)
    assert listing.status_code == 200 and "Renamed convening" in listing.get_data(as_text=True)


def test_renaming_the_series_changes_the_event_page(client, event):
    series = event_services.create_series("Human Rights in the US", actor=make_admin())
    edit(event, series_id=series.id)
    url = f"/e/{event.slug}/"
    etag = client.get(url).headers["ETag"]
    db.session.get(Series, series.id).name = "Bringing Human Rights Home"
    db.session.commit()
    page = revalidate(client, url, etag)
    assert page.status_code == 200 and "Bringing Human Rights Home" in page.get_data(as_text=True)


def test_unpublishing_takes_the_event_off_the_list_and_its_page(client, event):
    etag = client.get("/").headers["ETag"]
    page_etag = client.get(f"/e/{event.slug}/").headers["ETag"]
    event_services.unpublish_event(event, actor=make_admin())
    db.session.commit()
    listing = revalidate(client, "/", etag)
    assert listing.status_code == 200 and event.title not in listing.get_data(as_text=True)
    assert revalidate(client, f"/e/{event.slug}/", page_etag).status_code == 404


def test_registration_opening_with_the_clock_alone_changes_the_page(client, db, monkeypatch):
    now = clock.utcnow()
    event = make_event(registration_opens_at=now + timedelta(hours=1))
    db.session.commit()
    url = f"/e/{event.slug}/"
    first = client.get(url)
    assert "Registration opens on" in first.get_data(as_text=True)
    monkeypatch.setattr(clock, "_offset", clock._offset + timedelta(hours=2))
    page = revalidate(client, url, first.headers["ETag"])
    assert page.status_code == 200 and "Registration opens on" not in page.get_data(as_text=True)


def test_an_event_moving_into_the_past_moves_on_the_list(client, db, monkeypatch):
    event = make_event(title="Soon over")
    db.session.commit()
    first = client.get("/")
    upcoming = first.get_data(as_text=True).split('id="past-heading"')[0]
    assert "Soon over" in upcoming
    monkeypatch.setattr(clock, "_offset", clock._offset + (event.ends_at - clock.utcnow()) + timedelta(minutes=1))
    listing = revalidate(client, "/", first.headers["ETag"])
    assert listing.status_code == 200
    assert "Soon over" in listing.get_data(as_text=True).split('id="past-heading"')[1]


def test_a_signed_in_organiser_gets_a_private_page_without_a_tag(client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser)
    db.session.commit()
    anonymous = client.get(f"/e/{event.slug}/")
    login_as(organiser)
    client.get("/manage/")  # shows and so clears the welcome flash
    for url in (f"/e/{event.slug}/", "/", f"/e/{event.slug}/agenda/"):
        response = revalidate(client, url, anonymous.headers["ETag"])
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == SIGNED_IN, url
        assert "ETag" not in response.headers and "Cookie" in response.headers["Vary"], url


def test_a_draft_seen_by_its_organiser_is_private(client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser, publish=False)
    db.session.commit()
    assert client.get(f"/e/{event.slug}/").status_code == 404
    login_as(organiser)
    client.get("/manage/")  # shows and so clears the welcome flash
    response = client.get(f"/e/{event.slug}/")
    assert response.status_code == 200 and response.headers["Cache-Control"] == SIGNED_IN


def test_a_page_with_a_flash_message_waiting_is_not_validated(client, event):
    etag = client.get(f"/e/{event.slug}/").headers["ETag"]
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your registration is cancelled.")]
    response = revalidate(client, f"/e/{event.slug}/", etag)
    assert response.status_code == 200 and "Your registration is cancelled." in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == PRIVATE


def test_a_visitor_whose_session_changed_never_gets_a_304_for_the_old_session(client, event):
    url = f"/e/{event.slug}/"
    with client.session_transaction() as session:
        session["csrf_token"] = "a" * 40
    etag = client.get(url).headers["ETag"]
    assert revalidate(client, url, etag).status_code == 304
    with client.session_transaction() as session:
        session["csrf_token"] = "b" * 40
    response = revalidate(client, url, etag)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-cache"


def test_publishing_and_unpublishing_the_report_changes_the_event_page(client, db):
    from confapp.reports import services as reports

    organiser = make_user()
    start = clock.utcnow() - timedelta(days=2)
    event = make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=30))
    db.session.commit()
    url = f"/e/{event.slug}/"
    before = client.get(url)
    assert "Read the summary report" not in before.get_data(as_text=True)
    report = reports.publish_report(reports.start_report(event, actor=organiser), actor=organiser, now=clock.utcnow())
    db.session.commit()
    published = revalidate(client, url, before.headers["ETag"])
    assert published.status_code == 200 and "Read the summary report" in published.get_data(as_text=True)
    reports.unpublish_report(report, actor=organiser)
    db.session.commit()
    withdrawn = revalidate(client, url, published.headers["ETag"])
    assert withdrawn.status_code == 200 and "Read the summary report" not in withdrawn.get_data(as_text=True)
