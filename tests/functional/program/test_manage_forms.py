"""Organiser and speaker forms that the service refuses: the form comes back with the service's
message and nothing of the submission is saved; and what each small action says when it works."""
import io
from html import unescape

from confapp.program.models import ParticipationStatus, ProgramSession, Room, SessionSpeaker, Speaker, Track
from confapp.program.tokens import attendee_token, speaker_token
from tests.functional.program.test_manage_pages import base, logged_in  # noqa: F401 (logged_in is a fixture)


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_editing_a_session_that_the_service_refuses_keeps_the_old_details(logged_in, programme, db):
    panel = programme.panel
    response = logged_in.post(base(programme) + f"/sessions/{panel.id}", data={
        "title": "Renamed panel", "kind": "panel", "day": "2026-12-05", "starts": "16:00", "ends": "15:00",
        "room_id": str(programme.rooms[0].id), "track_id": "None", "language": "English", "capacity": ""})
    assert response.status_code == 200
    page = _page(response)
    assert "The session must end after it starts." in page and "Changes saved" not in page
    db.session.expire_all()
    assert db.session.get(ProgramSession, panel.id).title == "Federal Government Perspectives"


def test_renaming_a_room_or_track_to_a_taken_name_shows_the_form_again(logged_in, programme, db):
    hall, seminar = programme.rooms
    response = logged_in.post(base(programme) + f"/rooms/{seminar.id}", data={"name": hall.name, "capacity": "30"})
    assert response.status_code == 200 and "already has a room with that name" in _page(response)
    logged_in.post(base(programme) + "/rooms", data={"which": "track", "track-name": "Housing", "track-colour": "#336699"})
    response = logged_in.post(base(programme) + f"/tracks/{programme.track.id}", data={"name": "Housing", "colour": "#000000"})
    assert response.status_code == 200 and "already has a track with that name" in _page(response)
    db.session.expire_all()
    assert db.session.get(Room, seminar.id).name == "Seminar room" and db.session.get(Room, seminar.id).capacity == 25
    assert db.session.get(Track, programme.track.id).name == "Cities"


def test_editing_a_room_says_the_changes_are_saved(logged_in, programme, db):
    seminar = programme.rooms[1]
    response = logged_in.post(base(programme) + f"/rooms/{seminar.id}", data={"name": "Seminar room 2", "capacity": "30"},
                              follow_redirects=True)
    assert "Changes saved." in _page(response)
    assert db.session.get(Room, seminar.id).name == "Seminar room 2"


def test_adding_a_track_says_so(logged_in, programme):
    response = logged_in.post(base(programme) + "/rooms", data={"which": "track", "track-name": "Housing",
                                                               "track-colour": "#336699"}, follow_redirects=True)
    assert "Track added." in _page(response)


def test_a_refused_photo_keeps_the_speakers_other_edits_unsaved(logged_in, programme, db):
    speaker = programme.speaker
    response = logged_in.post(base(programme) + f"/speakers/{speaker.id}", data={
        "name": speaker.name, "affiliation": "Somewhere else", "photo": (io.BytesIO(b"GIF89a"), "a.gif", "image/gif")},
        content_type="multipart/form-data")
    assert response.status_code == 200 and "Upload a JPEG, PNG or WebP image" in _page(response)
    db.session.expire_all()
    assert db.session.get(Speaker, speaker.id).affiliation == "Columbia Law School"
    response = logged_in.post(base(programme) + f"/speakers/{speaker.id}", data={"name": speaker.name,
                                                                                "affiliation": "Somewhere else"})
    assert response.headers["Location"] == base(programme) + "/speakers"
    assert db.session.get(Speaker, speaker.id).affiliation == "Somewhere else"


def test_assigning_without_a_speaker_asks_for_one(logged_in, programme):
    response = logged_in.post(base(programme) + f"/sessions/{programme.workshop.id}/speakers", data={},
                              follow_redirects=True)
    assert "Choose a speaker and a role." in _page(response)


def test_removing_and_deleting_say_what_happened(logged_in, programme, db):
    link = db.session.query(SessionSpeaker).filter_by(speaker_id=programme.other_speaker.id).one()
    page = _page(logged_in.post(base(programme) + f"/sessions/{programme.panel.id}/speakers/{link.id}/remove",
                                follow_redirects=True))
    assert "The speaker is removed from this session." in page
    page = _page(logged_in.post(base(programme) + f"/speakers/{programme.other_speaker.id}/delete", follow_redirects=True))
    assert "The speaker is deleted." in page
    assert db.session.query(Speaker).filter_by(name="Risa Kaufman").count() == 0
    response = logged_in.post(base(programme) + f"/rooms/{programme.rooms[1].id}/delete")
    assert response.headers["Location"] == base(programme) + "/rooms"
    assert "Seminar room is deleted; its sessions keep their times." in _page(logged_in.get(base(programme) + "/rooms"))


def test_speaker_answers_and_photo_removal_are_confirmed(client, programme, db):
    url = f"/e/{programme.event.slug}/speaker/{speaker_token(programme.speaker)}/"
    link = db.session.query(SessionSpeaker).filter_by(speaker_id=programme.speaker.id).one()
    page = _page(client.post(url + f"sessions/{link.id}", data={"answer": "declined"}, follow_redirects=True))
    assert "Thank you for letting us know." in page
    assert db.session.get(SessionSpeaker, link.id).status == ParticipationStatus.DECLINED
    page = _page(client.post(url + f"sessions/{link.id}", data={"answer": "confirmed"}, follow_redirects=True))
    assert "Thank you: your answer is recorded." in page
    page = _page(client.post(url + "photo/remove", follow_redirects=True))
    assert "Your photo is removed." in page


def test_giving_back_a_workshop_place_says_so(client, programme):
    agenda = f"/e/{programme.event.slug}/my-agenda/{attendee_token(programme.registration)}"
    client.post(agenda + f"/sessions/{programme.workshop.uid}", data={"action": "signup"})
    page = _page(client.post(agenda + f"/sessions/{programme.workshop.uid}", data={"action": "cancel_signup"},
                             follow_redirects=True))
    assert "Your place is given back. (Human rights impact assessment)" in page

