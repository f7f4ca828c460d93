"""Signed links: speaker self-service and the attendee's personal agenda."""
import io

from PIL import Image

from confapp.program.models import ParticipationStatus, SessionSpeaker
from confapp.program.queries import starred_session_ids
from confapp.program.tokens import attendee_token, speaker_token
from tests.factories import make_registration
from tests.support.tokens import forge


def portal(programme, speaker=None):
    return f"/e/{programme.event.slug}/speaker/{speaker_token(speaker or programme.speaker)}/"


def test_speaker_edits_profile_and_confirms(client, programme, db):
    url = portal(programme)
    out = io.BytesIO()
    Image.new("RGB", (900, 1200), (1, 2, 3)).save(out, format="JPEG")
    response = client.post(url, data={"name": "JoAnn Kamuf Ward", "pronouns": "she/her", "affiliation": "Columbia Law School",
                                      "city": "New York", "bio": "Directs the **Human Rights in the US** project.",
                                      "links": "https://www.law.columbia.edu/", "photo": (io.BytesIO(out.getvalue()), "me.jpg", "image/jpeg")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "Your profile is saved" in response.get_data(as_text=True)
    assert programme.speaker.pronouns == "she/her" and programme.speaker.photo_filename
    assert client.get(url + "photo").status_code == 200
    link = db.session.query(SessionSpeaker).filter_by(speaker_id=programme.speaker.id).one()
    client.post(url + f"sessions/{link.id}", data={"answer": "confirmed"})
    assert link.status == ParticipationStatus.CONFIRMED
    page = client.get(f"/e/{programme.event.slug}/speakers/{programme.speaker.id}").get_data(as_text=True)
    assert "she/her" in page and "<strong>Human Rights in the US</strong>" in page


def test_speaker_profile_errors_save_nothing(client, programme):
    response = client.post(portal(programme), data={"name": "", "links": "ftp://x"})
    page = response.get_data(as_text=True)
    assert "Give the speaker&#39;s name." in page or "Give the speaker's name." in page
    assert programme.speaker.name == "JoAnn Kamuf Ward"
    response = client.post(portal(programme), data={"name": "X", "photo": (io.BytesIO(b"GIF89a"), "a.gif", "image/gif")},
                           content_type="multipart/form-data")
    assert "Upload a JPEG, PNG or WebP image" in response.get_data(as_text=True)
    assert programme.speaker.name == "JoAnn Kamuf Ward"


def test_tampered_expired_and_foreign_speaker_links_are_refused(client, programme, app):
    url = portal(programme)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert client.get(url.replace(token, forge(token))).status_code == 404
    assert client.get(f"/e/{programme.event.slug}/speaker/not-a-token/").status_code == 404
    app.config["SPEAKER_LINK_MAX_AGE"] = -1
    try:
        assert client.get(url).status_code == 404
    finally:
        app.config.pop("SPEAKER_LINK_MAX_AGE")
    from tests.factories import make_event
    other = make_event()
    assert client.get(f"/e/{other.slug}/speaker/{speaker_token(programme.speaker)}/").status_code == 404


def test_a_speaker_cannot_answer_for_another(client, programme, db):
    theirs = db.session.query(SessionSpeaker).filter_by(speaker_id=programme.other_speaker.id).one()
    response = client.post(portal(programme) + f"sessions/{theirs.id}", data={"answer": "declined"})
    assert response.status_code == 404
    assert theirs.status == ParticipationStatus.PENDING
    page = client.get(portal(programme)).get_data(as_text=True)
    assert "Risa Kaufman" not in page


def agenda(programme, registration=None):
    return f"/e/{programme.event.slug}/my-agenda/{attendee_token(registration or programme.registration)}"


def test_attendee_stars_a_session_and_gets_it_in_their_feed(client, programme):
    from icalendar import Calendar

    url = agenda(programme)
    response = client.post(url + f"/sessions/{programme.panel.uid}", data={"action": "star"}, follow_redirects=True)
    assert "Added to your agenda" in response.get_data(as_text=True)
    assert starred_session_ids(programme.registration.id) == {programme.panel.id}
    feed = Calendar.from_ical(client.get(url + ".ics").data)
    assert [str(e["SUMMARY"]) for e in feed.walk("VEVENT")] == ["Federal Government Perspectives"]
    assert 'aria-pressed="true"' in client.get(url + "/").get_data(as_text=True)


def test_workshop_signup_until_full(client, programme):
    slug_agenda = agenda(programme)
    client.post(slug_agenda + f"/sessions/{programme.workshop.uid}", data={"action": "signup"})
    client.post(agenda(programme, make_registration(programme.event)) + f"/sessions/{programme.workshop.uid}", data={"action": "signup"})
    late = make_registration(programme.event)
    page = client.post(agenda(programme, late) + f"/sessions/{programme.workshop.uid}", data={"action": "signup"},
                       follow_redirects=True).get_data(as_text=True)
    assert "This workshop is full." in page
    assert "all 2 places are taken" in client.get(f"/e/{programme.event.slug}/agenda/").get_data(as_text=True)


def test_bad_attendee_tokens_and_drafts(client, programme):
    assert client.get(f"/e/{programme.event.slug}/my-agenda/forged/").status_code == 404
    assert client.post(agenda(programme) + f"/sessions/{programme.draft.uid}", data={"action": "star"}).status_code == 404
    assert client.post(agenda(programme) + f"/sessions/{programme.panel.uid}", data={"action": "explode"}).status_code == 400


def test_ticket_page_links_the_personal_agenda_with_the_same_token(client, programme):
    from confapp.registration.links import ticket_token

    token = ticket_token(programme.registration)
    page = client.get(f"/e/{programme.event.slug}/ticket/{token}").get_data(as_text=True)
    assert f"/e/{programme.event.slug}/my-agenda/{token}/" in page
    assert client.get(f"/e/{programme.event.slug}/my-agenda/{token}/").status_code == 200


def test_oversized_photo_gets_a_clear_error_and_nothing_saved(client, programme):
    big = b"\xff\xd8\xff\xe0" + b"0" * (5 * 1024 * 1024 + 10)
    response = client.post(portal(programme), data={"name": "Changed name", "photo": (io.BytesIO(big), "huge.jpg", "image/jpeg")},
                           content_type="multipart/form-data")
    assert "larger than 5 MB" in response.get_data(as_text=True)
    assert programme.speaker.name == "JoAnn Kamuf Ward" and programme.speaker.photo_filename is None


def test_attendee_can_show_only_their_starred_sessions(client, programme):
    from confapp.program.attendance import star_session

    star_session(programme.workshop, programme.registration)
    page = client.get(agenda(programme) + "/?mine=1").get_data(as_text=True)
    assert "Human rights impact assessment" in page and "Federal Government Perspectives" not in page
    assert "Show all sessions" in page


def test_speaker_link_works_before_the_event_is_published(client, programme, db):
    from confapp.events.models import EventStatus

    programme.event.status = EventStatus.DRAFT
    db.session.commit()
    assert client.get(f"/e/{programme.event.slug}/agenda/").status_code == 404
    page = client.get(portal(programme)).get_data(as_text=True)
    assert "Your speaker page" in page and "Federal Government Perspectives" in page


def test_speaker_sees_unscheduled_sessions_too(client, programme):
    from confapp.program.services import SessionData, create_session
    from confapp.program.speakers import assign_speaker

    later, _ = create_session(programme.event, SessionData(title="Time to be found"), actor=programme.organiser)
    assign_speaker(later, programme.speaker, "presenter", actor=programme.organiser, event=programme.event)
    page = client.get(portal(programme)).get_data(as_text=True)
    assert "Time to be found" in page and "Time to be confirmed" in page


def test_the_personal_agenda_breadcrumb_names_it_and_leads_back_to_the_agenda(client, programme):
    page = client.get(agenda(programme) + "/").get_data(as_text=True)
    crumbs = page[page.index('class="breadcrumbs"'):page.index("</nav>", page.index('class="breadcrumbs"'))]
    assert f'href="/e/{programme.event.slug}/agenda/">Agenda</a>' in crumbs and "My agenda" in crumbs
