"""The dashboard through the Flask test client: figures reused between views, "Figures as of"
in the event's time zone, and the "Refresh now" button."""
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from confapp.types import utcnow
from tests.factories import make_event, make_user
from tests.reports_data import check_in_known, known_event
from tests.support.access import access_world, assert_access, organisers_only
from tests.support.queries import count_queries

FIGURE_TABLES = ("registrations", "answers", "checkins", "orders", "survey_responses")


def _registered(html: str) -> int:
    return int(re.search(r"<dt>Registered</dt><dd>([\d,]+)</dd>", html).group(1).replace(",", ""))


def test_refresh_is_for_organisers_only(client, db):
    world = access_world(event=make_event())
    assert_access(client, db, world, [
        ("POST", f"/manage/{world.event.slug}/dashboard/refresh", organisers_only(302)),
    ])


def test_views_reuse_the_figures_until_the_organiser_refreshes(client, db, login_as):
    organiser = make_user()
    start = utcnow() - timedelta(days=1)
    event = make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=30), timezone="Asia/Tokyo")
    builder = known_event(event)
    check_in_known(builder, organiser)
    db.session.commit()
    login_as(organiser)
    url = f"/manage/{event.slug}/dashboard"

    first = client.get(url).get_data(as_text=True)
    assert _registered(first) == 10
    shown = re.search(r"Figures as of (\d\d:\d\d) \(Asia/Tokyo\)", first).group(1)
    later = utcnow().astimezone(ZoneInfo("Asia/Tokyo"))
    assert shown in {later.strftime("%H:%M"), (later - timedelta(minutes=1)).strftime("%H:%M")}
    assert 'action="/manage/{}/dashboard/refresh"'.format(event.slug) in first and "Refresh now" in first

    known_event(event, builder)
    db.session.commit()
    with count_queries(db.engine) as counter:
        cached = client.get(url).get_data(as_text=True)
    assert _registered(cached) == 10  # the same figures, not counted again
    assert not [s for s in counter.statements if any(f" {t}" in s for t in FIGURE_TABLES)], counter.statements

    response = client.post(f"/manage/{event.slug}/dashboard/refresh")
    assert response.status_code == 302 and response.location.endswith(url)
    refreshed = client.get(url).get_data(as_text=True)
    assert "Figures refreshed." in refreshed
    assert _registered(refreshed) == 20


def test_the_feedback_page_shares_the_cached_figures_and_refreshes_back_to_itself(client, db, login_as):
    from confapp.reports.models import SurveyResponse

    organiser = make_user()
    start = utcnow() - timedelta(days=1)
    event = make_event(organiser=organiser, starts_at=start, ends_at=start + timedelta(hours=30))
    check_in_known(known_event(event), organiser)
    db.session.commit()
    login_as(organiser)
    url = f"/manage/{event.slug}/feedback"
    assert "0 responses" in client.get(url).get_data(as_text=True)
    db.session.add(SurveyResponse(event_id=event.id, respondent_key="k1", overall_rating=5))
    db.session.commit()
    cached = client.get(url).get_data(as_text=True)
    assert "0 responses" in cached and "Figures as of" in cached
    response = client.post(f"/manage/{event.slug}/dashboard/refresh?back=feedback")
    assert response.status_code == 302 and response.location.endswith(url)
    assert "1 response;" in client.get(url).get_data(as_text=True)  # one response, in the singular
    # Anything else goes back to the dashboard: no redirect to elsewhere.
    response = client.post(f"/manage/{event.slug}/dashboard/refresh?back=https://example.com/")
    assert response.location.endswith(f"/manage/{event.slug}/dashboard")
