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
