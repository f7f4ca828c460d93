"""What people see: titles, empty states, the order of facts on the event page, dashboard
sections, and list pages that load in a fixed number of queries."""
from __future__ import annotations

import re
from datetime import timedelta

from confapp.types import utcnow
from tests.factories import make_event, make_user
from tests.support.queries import count_queries as count_statements


def count_queries(db):
    """The statements a page sends, transaction control (BEGIN, ROLLBACK) left out."""
    return count_statements(db.engine, ignore=("ROLLBACK", "BEGIN"))


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S).group(1).strip()


def test_pages_have_descriptive_titles(client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser, title="Global Justice Goes Local")
    assert title_of(client.get("/")) == "Events · confapp"
    assert title_of(client.get(f"/e/{event.slug}/")) == "Global Justice Goes Local · confapp"
    assert title_of(client.get("/account/login")).startswith("Log in")
    assert title_of(client.get("/e/nope/")) != "confapp"
    login_as(organiser)
    assert title_of(client.get("/manage/")) == "My events · confapp"
    assert title_of(client.get(f"/manage/{event.slug}/team")) == "Team · Global Justice Goes Local · confapp"


def test_empty_states_explain_what_to_do(client, db, login_as):
    page = client.get("/").get_data(as_text=True)
    assert "No upcoming events are published yet" in page
    login_as(make_user())
    page = client.get("/manage/").get_data(as_text=True)
    assert "No events yet." in page and "When an organiser adds you to an event's team" in page


def test_event_page_shows_when_and_where_before_the_description(client, db):
    event = make_event(description="A long description of the convening. " * 40, venue_name="Community Hall")
    html = client.get(f"/e/{event.slug}/").get_data(as_text=True)
    assert html.index(">When<") < html.index(">Where<") < html.index("A long description")
    assert "(America/New York time)" in html


def test_dashboard_lists_upcoming_soonest_first_and_past_latest_first(client, db, login_as):
    organiser = make_user()
    now = utcnow()
    for title, days in (("Later", 90), ("Sooner", 30), ("Long ago", -700), ("Last year", -300)):
        make_event(organiser=organiser, title=title, starts_at=now + timedelta(days=days))
    login_as(organiser)
    html = client.get("/manage/").get_data(as_text=True)
    upcoming, past = html.split('id="past-heading"')
    assert upcoming.index("Sooner") < upcoming.index("Later")
    assert "Long ago" not in upcoming and past.index("Last year") < past.index("Long ago")


def test_public_list_and_dashboard_use_a_fixed_number_of_queries(client, db, login_as):
    admin = make_user(site_admin=True)
    for n in range(2):
        make_event(title=f"Few {n}", organisers=("PHRGE",), partners=("NHRCN",))
    login_as(admin)
    db.session.commit()
    with count_queries(db) as few_public:
        client.get("/")
    with count_queries(db) as few_dashboard:
        client.get("/manage/")
    for n in range(8):
        make_event(title=f"More {n}", organisers=("PHRGE", "Law school"), partners=("NHRCN",))
    db.session.commit()
    with count_queries(db) as many_public:
        client.get("/")
    with count_queries(db) as many_dashboard:
        client.get("/manage/")
    assert len(many_public) == len(few_public) <= 6, many_public
    assert len(many_dashboard) == len(few_dashboard) <= 6, many_dashboard


def test_event_page_names_the_venue_country_in_words(client, db):
    event = make_event(venue_city="Boston", venue_region="Massachusetts", venue_country="US")
    html = client.get(f"/e/{event.slug}/").get_data(as_text=True)
    assert "Boston, Massachusetts, United States" in html
    other = make_event(venue_city="Geneva", venue_region="", venue_country="CH")
    assert "Geneva, Switzerland" in client.get(f"/e/{other.slug}/").get_data(as_text=True)
