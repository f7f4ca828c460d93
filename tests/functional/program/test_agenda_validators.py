"""The public agenda answers anonymous visitors with a weak ETag and 304 to a matching
conditional GET, and every change an organiser (or an attendee's sign-up) makes to what it shows
gives the same conditional GET a 200 with the new agenda at once."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from confapp.extensions import db
from confapp.program import attendance, services, speakers
from confapp.program.models import ParticipationStatus
from confapp.program.services import EDITABLE_FIELDS, RoomData, SessionData, TrackData
from confapp.program.speakers import SpeakerActor, SpeakerData
from confapp.program.tokens import attendee_token
from tests.factories import make_registration, make_session


def session_data(session, **changes) -> SessionData:
    return dataclasses.replace(SessionData(**{name: getattr(session, name) for name in EDITABLE_FIELDS}), **changes)


def page_of(response) -> str:
    return response.get_data(as_text=True)


def agenda_url(programme) -> str:
    return f"/e/{programme.event.slug}/agenda/"


def tag_then_change(client, programme, change):
    """The agenda's tag before `change`, checked to answer 304 until then; the response to the
    same conditional GET after it."""
    url = agenda_url(programme)
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    change()
    db.session.commit()
    return client.get(url, headers={"If-None-Match": etag})


def test_an_unchanged_agenda_answers_304_without_a_body(client, programme):
    first = client.get(agenda_url(programme))
    assert first.status_code == 200 and first.headers["ETag"].startswith('W/"')
    assert "Cookie" in first.headers["Vary"]
    again = client.get(agenda_url(programme), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == first.headers["ETag"]
    filtered = client.get(agenda_url(programme) + "?kind=workshop", headers={"If-None-Match": first.headers["ETag"]})
    assert filtered.status_code == 200


def _edit(programme, session, **changes):
    return lambda: services.update_session(session, session_data(session, **changes), actor=programme.organiser,
                                           event=programme.event)


@pytest.mark.parametrize("what", ["title", "time", "room"])
def test_editing_a_session_shows_at_once(client, programme, what):
    panel = programme.panel
    changes, shown = {
        "title": (dict(title="State and Local Perspectives"), "State and Local Perspectives"),
        "time": (dict(starts_at=panel.starts_at + timedelta(hours=5), ends_at=panel.ends_at + timedelta(hours=5)),
                 (panel.starts_at + timedelta(hours=5)).isoformat()),
        "room": (dict(room_id=programme.rooms[1].id), "Seminar room"),
    }[what]
    response = tag_then_change(client, programme, _edit(programme, panel, **changes))
    assert response.status_code == 200 and shown in page_of(response)
    if what == "room":
        item = page_of(response).split(f'id="s-{panel.uid}"')[1].split("</li>\n")[0]
        assert "Seminar room" in item


def test_renaming_a_room_or_a_track_shows_at_once(client, programme):
    hall = programme.rooms[0]
    response = tag_then_change(client, programme, lambda: services.save_room(
        programme.event, RoomData(name="Great Hall", capacity=hall.capacity), actor=programme.organiser, room=hall))
    assert response.status_code == 200 and "Great Hall" in page_of(response)
    track = programme.track
    response = tag_then_change(client, programme, lambda: services.save_track(
        programme.event, TrackData(name="Cities and States", colour=track.colour), actor=programme.organiser, track=track))
    assert response.status_code == 200 and "Cities and States" in page_of(response)


def test_renaming_a_speaker_shows_at_once(client, programme):
    speaker = programme.speaker
    data = SpeakerData(name="JoAnn Kamuf-Ward", email=speaker.email, affiliation="Columbia Law School")
    response = tag_then_change(client, programme, lambda: speakers.update_speaker(
        speaker, data, actor=programme.organiser, event=programme.event))
    assert response.status_code == 200 and "JoAnn Kamuf-Ward" in page_of(response)


def test_a_speaker_declining_leaves_the_agenda_at_once(client, programme):
    link = next(link for link in programme.panel.speakers if link.speaker_id == programme.other_speaker.id)
    response = tag_then_change(client, programme, lambda: speakers.respond_to_session(
        link, ParticipationStatus.DECLINED, actor=SpeakerActor(programme.other_speaker), event=programme.event))
    assert response.status_code == 200 and "Risa Kaufman" not in page_of(response)


def test_publishing_and_cancelling_sessions_show_at_once(client, programme):
    # A session once public is never unpublished (calendars imported it): it is cancelled.
    draft = programme.draft
    response = tag_then_change(client, programme, lambda: services.publish_session(
        draft, actor=programme.organiser, event=programme.event, acknowledge_warnings=True))
    assert response.status_code == 200 and "Secret draft session" in page_of(response)
    response = tag_then_change(client, programme, lambda: services.cancel_session(
        draft, actor=programme.organiser, event=programme.event))
    item = page_of(response).split(f'id="s-{draft.uid}"')[1].split("</li>")[0]
    assert response.status_code == 200 and "badge--cancelled" in item


def test_a_new_published_session_shows_at_once(client, programme):
    day = programme.event.local(programme.event.starts_at)
    response = tag_then_change(client, programme, lambda: make_session(
        programme.event, title="Closing plenary", starts_at=day.replace(hour=16), room_id=programme.rooms[0].id,
        publish=True, actor=programme.organiser))
    assert response.status_code == 200 and "Closing plenary" in page_of(response)


def test_places_left_change_with_every_sign_up(client, programme):
    assert "2 of 2 places left" in page_of(client.get(agenda_url(programme)))
    response = tag_then_change(client, programme, lambda: attendance.sign_up(programme.workshop, programme.registration))
    assert response.status_code == 200 and "1 of 2 places left" in page_of(response)
    other = make_registration(programme.event)
    response = tag_then_change(client, programme, lambda: attendance.sign_up(programme.workshop, other))
    assert response.status_code == 200 and "<strong>Full</strong>" in page_of(response)
    response = tag_then_change(client, programme, lambda: attendance.cancel_signup(programme.workshop, other))
    assert response.status_code == 200 and "1 of 2 places left" in page_of(response)


def test_renaming_the_event_shows_on_its_agenda_at_once(client, programme):
    from tests.functional.foundation.test_public_page_validators import edit

    response = tag_then_change(client, programme, lambda: edit(programme.event, title="Bringing Human Rights Home"))
    assert response.status_code == 200 and "Bringing Human Rights Home" in page_of(response)


def test_personal_agendas_are_never_stored_and_signed_in_ones_are_private(client, programme, login_as):
    token = attendee_token(programme.registration)
    personal = client.get(f"/e/{programme.event.slug}/my-agenda/{token}/")
    assert personal.status_code == 200 and personal.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in personal.headers
    etag = client.get(agenda_url(programme)).headers["ETag"]
    login_as(programme.organiser)
    client.get("/manage/")  # shows and so clears the welcome flash
    response = client.get(agenda_url(programme), headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-cache"
    assert "ETag" not in response.headers


def test_a_track_colour_change_shows_in_the_agenda_stylesheet_at_once(client, programme):
    url = f"/e/{programme.event.slug}/agenda/tracks.css"
    first = client.get(url)
    assert "#ffcc00" in page_of(first) and "must-revalidate" in first.headers["Cache-Control"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    services.save_track(programme.event, TrackData(name=programme.track.name, colour="#2a7f62"),
                        actor=programme.organiser, track=programme.track)
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "#2a7f62" in page_of(changed)
