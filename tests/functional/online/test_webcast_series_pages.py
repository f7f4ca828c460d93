"""The organiser's recurrence page and the public series page (issue 15)."""
from __future__ import annotations

from sqlalchemy import select

from tests.support.clock import TEST_NOW

RULE_FORM = dict(template_event_id="", frequency="monthly", ordinal="1", weekday="1", interval="1", at_time="19:00",
                 timezone="America/New_York", duration_minutes="60", starts_on="2026-12-01", until="", count="",
                 exceptions="2027-01-05")


def test_the_organiser_defines_the_rule_with_exceptions_and_creates_editions(client, db, webcast, login_as):
    from confapp.online.models import SeriesRule

    login_as(webcast.organiser)
    slug = webcast.template.slug
    page = client.get(f"/manage/{slug}/online/series")
    assert page.status_code == 200 and "Recurring webcast" in page.text and "Next dates" in page.text
    bad = client.post(f"/manage/{slug}/online/series", data=RULE_FORM | {"template_event_id": webcast.template.id,
                                                                         "exceptions": "next week", "timezone": "Mars/Base"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
    bad = client.post(f"/manage/{slug}/online/series", data=RULE_FORM | {"template_event_id": webcast.template.id,
                                                                         "timezone": "Mars/Base"})
    assert bad.status_code == 422 and "Choose a time zone such as America/New_York." in bad.text
    saved = client.post(f"/manage/{slug}/online/series", data=RULE_FORM | {"template_event_id": webcast.template.id},
                        follow_redirects=True)
    assert "Recurrence saved." in saved.text
    assert db.session.scalar(select(SeriesRule.exceptions).where(SeriesRule.id == webcast.rule.id)) == ["2027-01-05"]
    created = client.post(f"/manage/{slug}/online/series/editions", data={"ahead": "2"}, follow_redirects=True)
    assert "2 editions created." in created.text
    again = client.post(f"/manage/{slug}/online/series/editions", data={"ahead": "2"}, follow_redirects=True)
    assert "No new editions: the upcoming dates exist already." in again.text


def test_someone_else_cannot_reach_the_recurrence_page(client, db, webcast, login_as):
    from tests.factories import make_user

    login_as(make_user())
    assert client.get(f"/manage/{webcast.template.slug}/online/series").status_code == 403
    assert client.post(f"/manage/{webcast.template.slug}/online/series/editions", data={"ahead": "2"}).status_code == 403


def test_the_series_page_lists_editions_and_registers_for_all(client, db, webcast):
    from confapp.online import follow_up, series
    from confapp.online.models import LinksVisibility
    from confapp.registration.models import Registration

    follow_up.save_links(webcast.template, follow_up.LinksData(
        recording_url="https://video.example.org/upr-november", materials="", visibility=LinksVisibility.PUBLIC),
        actor=webcast.organiser)
    editions = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=2)
    db.session.commit()
    page = client.get(f"/series/{webcast.series.slug}")
    assert page.status_code == 200
    assert "Upcoming editions" in page.text and "Past editions" in page.text
    assert "https://video.example.org/upr-november" in page.text
    assert all(f"/e/{e.slug}/" in page.text for e in editions)
    assert "meet.example.net" not in page.text  # never the join details
    answer = client.post(f"/series/{webcast.series.slug}/subscribe", data={
        "first_name": "Rosa", "last_name": "Parks", "email": "rosa@example.org", "category": "Online"}, follow_redirects=True)
    assert "You are registered for 2 upcoming editions" in answer.text
    assert {r.event_id for r in db.session.scalars(select(Registration).where(Registration.email == "rosa@example.org"))} == {
        e.id for e in editions}
    bad = client.post(f"/series/{webcast.series.slug}/subscribe", data={"first_name": "", "email": "nope", "category": "Online"})
    assert bad.status_code == 422


def test_a_subscriber_leaves_the_series_from_an_editions_ticket_page(client, db, webcast):
    from confapp.online import series
    from confapp.registration.links import ticket_token
    from confapp.registration.models import Registration
    from confapp.registration.services import AttendeeData

    first = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=1)[0]
    series.subscribe(webcast.rule, AttendeeData("Ana", "Ruiz", "ana@example.org"), "Online", now=TEST_NOW, send_email=False)
    db.session.commit()
    mine = db.session.scalar(select(Registration).where(Registration.event_id == first.id))
    token = ticket_token(mine)
    ticket = client.get(f"/e/{first.slug}/ticket/{token}").get_data(as_text=True)
    assert "Stop registering me for new editions" in ticket
    left = client.post(f"/e/{first.slug}/ticket/{token}/leave-series", follow_redirects=True).get_data(as_text=True)
    assert "You will not be registered for new editions." in left and "Stop registering me" not in left
    series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=2)
    db.session.commit()
    assert db.session.scalar(select(Registration.event_id).where(Registration.email == "ana@example.org")) == first.id
    assert client.post(f"/e/{first.slug}/ticket/{token}/leave-series").status_code == 404
    assert client.post(f"/e/{first.slug}/ticket/not-a-token/leave-series").status_code == 404


def test_a_series_of_drafts_has_no_public_page_and_hidden_categories_are_not_offered(client, db, webcast):
    from confapp.events.services import create_series
    from confapp.online import series
    from tests.factories import make_admin, make_category, make_event

    drafts = create_series("Not yet", actor=make_admin())
    make_event(series_id=drafts.id, publish=False)
    db.session.commit()
    assert client.get(f"/series/{drafts.slug}").status_code == 404
    make_category(webcast.template, name="Speakers", visibility="hidden", position=2)
    series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=1)
    db.session.commit()
    page = client.get(f"/series/{webcast.series.slug}").get_data(as_text=True)
    assert '<option value="Online"' in page and "Speakers" not in page
