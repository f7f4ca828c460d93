"""After the session (issue 15): recording and materials links per event or session, shown to
registered attendees only or publicly as the organiser chooses, edited on the join details
page, and the follow-up email through outreach's delivery path to the registered or to those who
attended (in person or online), received over the real SMTP test server."""
from __future__ import annotations

from html import unescape

from sqlalchemy import select

from confapp.online import follow_up
from confapp.online.access import join_token
from confapp.registration.links import ticket_token
from tests.factories import make_registration

RECORDING = "https://video.example.org/town-hall-recording-51"
SLIDES = "https://files.example.org/upr-slides-51.pdf"
EVENT_NOTES = "https://files.example.org/convening-notes-51.pdf"


def _save(hybrid, db, *, session=None, visibility="registered", recording=RECORDING, materials=f"Slides | {SLIDES}"):
    links = follow_up.save_links(hybrid.event, follow_up.LinksData(recording, materials, visibility), session=session,
                                 actor=hybrid.organiser)
    db.session.commit()
    return links


def _page(client, url) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, url
    return unescape(answer.get_data(as_text=True))


def test_registered_only_links_are_on_the_ticket_page_and_nowhere_public(client, db, hybrid):
    _save(hybrid, db, session=hybrid.soon)
    _save(hybrid, db, recording="", materials=EVENT_NOTES)
    confirmed = make_registration(hybrid.event, hybrid.in_person, send_email=False)
    pending = make_registration(hybrid.event, hybrid.online, send_email=False, status="pending_approval")
    slug = hybrid.event.slug
    ticket = _page(client, f"/e/{slug}/ticket/{ticket_token(confirmed)}")
    assert RECORDING in ticket and SLIDES in ticket and EVENT_NOTES in ticket and "Recordings and materials" in ticket
    assert ticket.index(EVENT_NOTES) < ticket.index(RECORDING)  # the event's first, then each session's
    for url in (f"/e/{slug}/ticket/{ticket_token(pending)}", f"/e/{slug}/", f"/e/{slug}/agenda/sessions/{hybrid.soon.uid}",
                f"/e/{slug}/agenda/", f"/e/{slug}/agenda.ics"):
        page = _page(client, url)
        assert RECORDING not in page and SLIDES not in page and EVENT_NOTES not in page, url


def test_public_links_are_on_the_session_and_event_pages(client, db, hybrid):
    slug = hybrid.event.slug
    before = client.get(f"/e/{slug}/")
    _save(hybrid, db, session=hybrid.soon, visibility="public")
    _save(hybrid, db, recording="", materials=f"Notes | {EVENT_NOTES}", visibility="public")
    session_page = _page(client, f"/e/{slug}/agenda/sessions/{hybrid.soon.uid}")
    assert RECORDING in session_page and SLIDES in session_page and EVENT_NOTES not in session_page
    assert "Slides" in session_page
    # The event page lists every public set; its cached copy is not served after the change.
    answer = client.get(f"/e/{slug}/", headers={"If-None-Match": before.headers["ETag"]})
    assert answer.status_code == 200
    page = unescape(answer.get_data(as_text=True))
    assert EVENT_NOTES in page and RECORDING in page
    assert _page(client, f"/e/{slug}/agenda/sessions/{hybrid.later.uid}").count("Recordings and materials") == 0


def test_the_organiser_edits_the_links_on_the_join_details_page(client, db, hybrid, login_as):
    from confapp.online.models import FollowUpLinks

    login_as(hybrid.organiser)
    slug = hybrid.event.slug
    page = _page(client, f"/manage/{slug}/online/join/{hybrid.soon.id}")
    assert "Recording and materials" in page and "Save recording and materials" in page
    bad = client.post(f"/manage/{slug}/online/join/{hybrid.soon.id}/links",
                      data={"recording_url": "javascript:alert(1)", "materials": "not a link", "visibility": "public"})
    assert bad.status_code == 422
    text = unescape(bad.get_data(as_text=True))
    assert "Enter the recording's full address" in text and "Write one link per line" in text
    assert client.post(f"/manage/{slug}/online/join/{hybrid.soon.id}/links", data={
        "recording_url": RECORDING, "materials": f"Slides | {SLIDES}\n\n", "visibility": "public"}).status_code == 302
    links = db.session.scalar(select(FollowUpLinks).where(FollowUpLinks.session_id == hybrid.soon.id))
    assert (links.recording_url, links.materials, links.visibility) == (RECORDING, f"Slides | {SLIDES}", "public")
    # The join details form on the same page keeps its values.
    assert hybrid.details.access_code in _page(client, f"/manage/{slug}/online/join")
    # Both fields emptied: the links are removed.
    assert client.post(f"/manage/{slug}/online/join/{hybrid.soon.id}/links",
                       data={"recording_url": "", "materials": "", "visibility": "public"}).status_code == 302
    assert db.session.scalar(select(FollowUpLinks.id)) is None


def test_the_follow_up_email_goes_to_those_who_attended(client, db, hybrid, login_as, mail):
    from confapp.checkin import services as checkin

    _save(hybrid, db, session=hybrid.soon)
    at_door = make_registration(hybrid.event, hybrid.in_person, email="door@example.org", send_email=False)
    online = make_registration(hybrid.event, hybrid.online, email="joined@example.org", send_email=False)
    make_registration(hybrid.event, hybrid.online, email="absent@example.org", send_email=False)
    make_registration(hybrid.event, hybrid.online, email="cancelled@example.org", send_email=False, status="cancelled")
    door = checkin.main_list(hybrid.event, actor=hybrid.organiser, now=hybrid.event.starts_at)
    checkin.redeem(at_door.ticket_code, checkin_list=door, station="Door", actor=hybrid.organiser, now=hybrid.event.starts_at)
    db.session.commit()
    assert client.post(f"/j/{join_token(online, hybrid.soon.id, generation=0)}").status_code == 200
    mail.clear()
    login_as(hybrid.organiser)
    slug = hybrid.event.slug
    form = _page(client, f"/manage/{slug}/online/follow-up")
    assert RECORDING in form and "Recordings and materials: {{ event_title }}" in form
    answer = client.post(f"/manage/{slug}/online/follow-up", data={
        "audience": "attended", "subject": "Recordings and materials: {{ event_title }}",
        "body": follow_up.follow_up_body(hybrid.event)})
    assert answer.status_code == 302 and "/emails/" in answer.headers["Location"]
    received = {m.envelope_to[0]: m for m in mail.wait_for(2)}
    assert set(received) == {"door@example.org", "joined@example.org"}
    mine = received["joined@example.org"]
    assert mine.subject == f"Recordings and materials: {hybrid.event.title}"
    assert RECORDING in mine.text and SLIDES in mine.html and "Opening town hall" in mine.text
    assert "Unsubscribe" in mine.text  # an announcement like any other: the usual footer
    assert hybrid.details.meeting_url not in mine.message.as_string()
    # In the outreach history, to its segment.
    from confapp.outreach.models import Message

    message = db.session.scalar(select(Message).order_by(Message.id.desc()))
    assert message.segment == follow_up.AUDIENCES["attended"] and "Attended online" in message.segment_label


def test_the_follow_up_email_to_everyone_registered_and_its_refusals(client, db, hybrid, login_as, mail):
    make_registration(hybrid.event, hybrid.in_person, email="one@example.org", send_email=False)
    make_registration(hybrid.event, hybrid.online, email="two@example.org", send_email=False)
    login_as(hybrid.organiser)
    slug = hybrid.event.slug
    # Nothing to send yet.
    refused = client.post(f"/manage/{slug}/online/follow-up", data={"audience": "registered", "subject": "Links",
                                                                    "body": "Here."})
    assert refused.status_code == 422 and "Add a recording or materials first" in unescape(refused.get_data(as_text=True))
    _save(hybrid, db, recording="", materials=EVENT_NOTES)
    unknown = client.post(f"/manage/{slug}/online/follow-up", data={"audience": "registered", "subject": "Links",
                                                                    "body": "{{ nonsense }}"})
    assert unknown.status_code == 422 and "Unknown merge field: nonsense." in unescape(unknown.get_data(as_text=True))
    mail.clear()
    assert client.post(f"/manage/{slug}/online/follow-up", data={
        "audience": "registered", "subject": "Links", "body": follow_up.follow_up_body(hybrid.event)}).status_code == 302
    received = {m.envelope_to[0]: m for m in mail.wait_for(2)}
    assert set(received) == {"one@example.org", "two@example.org"}
    assert EVENT_NOTES in received["one@example.org"].text
