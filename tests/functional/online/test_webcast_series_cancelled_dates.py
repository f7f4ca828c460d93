"""On the recurrence page (issue 15): an organiser who skips a date and later takes the exception
off finds that edition still cancelled: its attendees keep their cancellation, no edition is
moved onto the date, and the page's upcoming dates leave it out."""
from __future__ import annotations

from html import unescape

from sqlalchemy import select

from tests.support.clock import TEST_NOW

from .test_webcast_series_pages import RULE_FORM


def test_taking_an_exception_off_on_the_page_does_not_revive_the_cancelled_edition(client, db, webcast, login_as, mail,
                                                                                    clock_at):
    from confapp.online import series
    from confapp.registration.models import Registration, RegistrationStatus
    from confapp.registration.services import AttendeeData

    clock_at(TEST_NOW)
    december, january, february = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW)
    series.subscribe(webcast.rule, AttendeeData("Rosa", "Parks", "rosa@example.org"), "Online", now=TEST_NOW,
                     send_email=False)
    db.session.commit()
    login_as(webcast.organiser)
    url = f"/manage/{webcast.template.slug}/online/series"
    form = RULE_FORM | {"template_event_id": webcast.template.id}
    assert client.post(url, data=form | {"exceptions": "2027-01-05"}).status_code == 302
    mail.clear()
    saved = client.post(url, data=form | {"exceptions": ""}, follow_redirects=True)
    page = unescape(saved.text)
    assert saved.status_code == 200 and "moved" not in page.split("</h1>", 1)[0]
    assert "A date whose edition was cancelled stays cancelled" in page
    upcoming = page.split('id="next-heading"', 1)[1].split("</ul>", 1)[0]
    assert "5 January 2027" not in upcoming and "2 February 2027" in upcoming
    db.session.expire_all()
    place = db.session.scalar(select(Registration).where(Registration.event_id == january.id))
    assert place.status == RegistrationStatus.CANCELLED
    others = db.session.scalars(select(Registration).where(Registration.email == "rosa@example.org",
                                                           Registration.status == RegistrationStatus.CONFIRMED)).all()
    assert january.id not in {r.event_id for r in others}
    assert not [m for m in mail.messages if "New date" in (m.subject or "")]  # nobody moved, nobody told


def _section(page: str, heading_id: str) -> str:
    """The text of the page's <section> whose heading has this id ('' when there is none)."""
    if f'id="{heading_id}"' not in page:
        return ""
    return page.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def _cancel_january_and_march(client, webcast, login_as, db, clock_at):
    """Editions on the first Tuesdays of December to March, then January's and March's skipped
    on the recurrence page: both editions cancelled (their dates recorded), the rule topped up."""
    from confapp.online import series

    clock_at(TEST_NOW)
    editions = series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=4)
    db.session.commit()
    login_as(webcast.organiser)
    url = f"/manage/{webcast.template.slug}/online/series"
    before = unescape(client.get(url).text)
    form = RULE_FORM | {"template_event_id": webcast.template.id, "exceptions": "2027-01-05, 2027-03-02"}
    assert client.post(url, data=form).status_code == 302
    return url, before, editions


def test_the_recurrence_page_lists_the_cancelled_dates_in_one_query(client, db, webcast, login_as, clock_at):
    from tests.support.queries import count_queries

    url, before, (_, january, _, march) = _cancel_january_and_march(client, webcast, login_as, db, clock_at)
    empty = _section(before, "cancelled-heading")
    assert "Cancelled dates</h2>" in empty and "No date of this series has been cancelled." in empty
    with count_queries(db.engine) as counter:
        page = unescape(client.get(url).text)
    cancelled = _section(page, "cancelled-heading")
    assert "<ul>" in cancelled and "No date of this series has been cancelled." not in cancelled
    # In date order, in the series' zone, each linked to its edition (kept as a draft).
    assert cancelled.index("Tuesday 5 January 2027") < cancelled.index("Tuesday 2 March 2027")
    assert f'href="/manage/{january.slug}/"' in cancelled and f'href="/manage/{march.slug}/"' in cancelled
    upcoming = _section(page, "next-heading")
    assert "5 January 2027" not in upcoming and "2 March 2027" not in upcoming and "2 February 2027" in upcoming
    # One query reads the cancelled dates, for the list and for the upcoming dates both.
    assert len([s for s in counter if "online_series_cancelled_editions" in s]) == 1, counter.statements


def test_the_public_series_page_lists_the_cancelled_dates_still_ahead(client, db, webcast, login_as, clock_at):
    from datetime import datetime, timezone

    from tests.support.queries import count_queries

    public = f"/series/{webcast.series.slug}"
    clock_at(TEST_NOW)
    from confapp.online import series

    series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=1)
    db.session.commit()
    assert "cancelled-heading" not in client.get(public).text  # none: no section at all
    _cancel_january_and_march(client, webcast, login_as, db, clock_at)
    client.post("/account/logout")
    with count_queries(db.engine) as counter:
        page = unescape(client.get(public).text)
    cancelled = _section(page, "cancelled-heading")
    assert "Cancelled dates</h2>" in cancelled and "No edition takes place on these dates." in cancelled
    assert cancelled.index("Tuesday 5 January 2027") < cancelled.index("Tuesday 2 March 2027")
    assert "/manage/" not in cancelled  # the kept drafts are the organisers' business
    assert len([s for s in counter if "online_series_cancelled_editions" in s]) == 1, counter.statements
    # After January's date, only March's is still ahead.
    clock_at(datetime(2027, 1, 10, 12, 0, tzinfo=timezone.utc))
    later = _section(unescape(client.get(public).text), "cancelled-heading")
    assert "5 January 2027" not in later and "Tuesday 2 March 2027" in later


def test_the_cancelled_dates_are_written_in_the_readers_language(client, db, webcast, login_as, clock_at):
    url, _, _ = _cancel_january_and_march(client, webcast, login_as, db, clock_at)
    client.set_cookie("lang", "es")
    page = unescape(client.get(url, headers={"Accept-Language": "es"}).text)
    cancelled = _section(page, "cancelled-heading")
    assert "martes 5 de enero de 2027" in cancelled and "martes 2 de marzo de 2027" in cancelled
    public = unescape(client.get(f"/series/{webcast.series.slug}", headers={"Accept-Language": "es"}).text)
    assert "martes 2 de marzo de 2027" in _section(public, "cancelled-heading")
