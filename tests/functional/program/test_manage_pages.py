"""Organiser pages: timetable grid, session forms (valid and invalid), conflicts, publishing,
rooms and tracks, speakers with photos, invitations."""
import io
import re

import pytest
from PIL import Image

from confapp.program.models import ProgramSession, Room, SessionStatus, Speaker, Track


@pytest.fixture
def logged_in(client, login_as, programme):
    login_as(programme.organiser)
    return client


def base(programme):
    return f"/manage/{programme.event.slug}/programme"


def test_timetable_grid_shows_rooms_sessions_and_add_links(logged_in, programme):
    page = logged_in.get(base(programme) + "/").get_data(as_text=True)
    assert "Hall" in page and "Seminar room" in page
    assert "Federal Government Perspectives" in page and "Secret draft session" in page
    assert "room=" in page and "start=2026-12-05T09:00" in page
    assert 'rowspan="4"' in page  # a one-hour session covers four quarter hours


def test_add_session_from_grid_link_prefills_room_and_time(logged_in, programme):
    room = programme.rooms[1]
    page = logged_in.get(base(programme) + f"/sessions/new?room={room.id}&start=2026-12-06T14:30").get_data(as_text=True)
    assert 'value="14:30"' in page
    assert re.search(rf'<option selected value="{room.id}">|<option value="{room.id}" selected>', page)


def _session_form(programme, **overrides):
    data = {"title": "Roundtable on budgets", "kind": "roundtable", "day": "2026-12-05", "starts": "16:00", "ends": "17:00",
            "room_id": str(programme.rooms[1].id), "track_id": "None", "language": "English", "capacity": ""}
    data.update(overrides)
    return data


def test_create_session_then_see_a_room_conflict_warning_and_fix_it(logged_in, programme, db):
    response = logged_in.post(base(programme) + "/sessions/new",
                              data=_session_form(programme, starts="13:30", ends="14:30"), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "is added as a draft" in page
    assert "Seminar room is double-booked" in page
    session = db.session.query(ProgramSession).filter_by(title="Roundtable on budgets").one()
    response = logged_in.post(base(programme) + f"/sessions/{session.id}",
                              data=_session_form(programme, starts="15:00", ends="16:00"), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Changes saved" in page and "double-booked" not in page


@pytest.mark.parametrize("overrides, message", [
    (dict(title=""), "Give the session a title."),
    (dict(starts="16:00", ends="15:00"), "The session must end after it starts."),
    (dict(room_id="999999"), "Not a valid choice"),
    (dict(day="2030-01-01"), "Not a valid choice"),
    (dict(starts="", ends=""), "Give a start time for the chosen day."),
])
def test_invalid_session_input_gets_a_clear_error_and_nothing_saved(logged_in, programme, db, overrides, message):
    before = db.session.query(ProgramSession).count()
    response = logged_in.post(base(programme) + "/sessions/new", data=_session_form(programme, **overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.query(ProgramSession).count() == before


def test_publish_with_warnings_needs_the_acknowledgement_box(logged_in, programme, db):
    draft = programme.draft
    logged_in.post(base(programme) + f"/sessions/{draft.id}",
                   data=_session_form(programme, title=draft.title, room_id=str(programme.rooms[0].id), starts="10:00", ends="11:00"))
    page = logged_in.post(base(programme) + f"/sessions/{draft.id}/publish", data={}, follow_redirects=True).get_data(as_text=True)
    assert "Review them, then publish anyway" in page
    assert db.session.get(ProgramSession, draft.id).status == SessionStatus.DRAFT
    page = logged_in.post(base(programme) + f"/sessions/{draft.id}/publish", data={"acknowledge": "y"},
                          follow_redirects=True).get_data(as_text=True)
    assert "is published in the agenda" in page
    assert db.session.get(ProgramSession, draft.id).status == SessionStatus.PUBLISHED


def test_cancel_published_session_keeps_it_marked_in_the_agenda(logged_in, programme, client):
    logged_in.post(base(programme) + f"/sessions/{programme.panel.id}/cancel", follow_redirects=True)
    page = client.get(f"/e/{programme.event.slug}/agenda/").get_data(as_text=True)
    assert "Cancelled" in page and "Federal Government Perspectives" in page


def test_publish_programme_button(logged_in, programme, db):
    page = logged_in.post(base(programme) + "/publish", data={"acknowledge": "y"}, follow_redirects=True).get_data(as_text=True)
    assert "1 draft session published" in page


def test_rooms_and_tracks_forms(logged_in, programme, db):
    page = logged_in.post(base(programme) + "/rooms", data={"which": "room", "room-name": "Moot court", "room-capacity": "60",
                                                           "room-available_from": "09:00", "room-available_until": "18:00"},
                          follow_redirects=True).get_data(as_text=True)
    assert "Room added" in page and "Moot court" in page
    page = logged_in.post(base(programme) + "/rooms", data={"which": "room", "room-name": "Hall"}).get_data(as_text=True)
    assert "already has a room with that name" in page
    page = logged_in.post(base(programme) + "/rooms", data={"which": "track", "track-name": "Economic rights",
                                                           "track-colour": "red"}).get_data(as_text=True)
    assert "#rrggbb" in page
    assert db.session.query(Track).filter_by(name="Economic rights").count() == 0
    room = db.session.query(Room).filter_by(name="Moot court").one()
    logged_in.post(base(programme) + f"/rooms/{room.id}/delete")
    assert db.session.query(Room).filter_by(name="Moot court").count() == 0


def _png(size=(800, 800)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 80, 160)).save(out, format="PNG")
    return out.getvalue()


def test_speaker_with_photo_and_invalid_photos(logged_in, programme, db, client):
    response = logged_in.post(base(programme) + "/speakers/new", data={
        "name": "Martha F. Davis", "email": "M.Davis@Example.org", "affiliation": "Northeastern University School of Law",
        "photo": (io.BytesIO(_png()), "portrait.png", "image/png")}, content_type="multipart/form-data", follow_redirects=True)
    assert "Martha F. Davis is added" in response.get_data(as_text=True)
    speaker = db.session.query(Speaker).filter_by(name="Martha F. Davis").one()
    assert speaker.email == "m.davis@example.org" and speaker.photo_filename.endswith(".jpg")
    photo = logged_in.get(f"/e/{programme.event.slug}/speakers/{speaker.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    for upload in [(io.BytesIO(b"%PDF-1.7"), "cv.pdf", "application/pdf"), (io.BytesIO(b"not really"), "fake.png", "image/png")]:
        response = logged_in.post(base(programme) + "/speakers/new", data={"name": "Nobody", "photo": upload},
                                  content_type="multipart/form-data")
        assert "Upload a JPEG, PNG or WebP image" in response.get_data(as_text=True)
    assert db.session.query(Speaker).filter_by(name="Nobody").count() == 0


def test_assign_speaker_and_see_their_answer(logged_in, programme, db):
    page = logged_in.post(base(programme) + f"/sessions/{programme.workshop.id}/speakers",
                          data={"assign-speaker_id": str(programme.speaker.id), "assign-role": "facilitator"},
                          follow_redirects=True).get_data(as_text=True)
    assert "JoAnn Kamuf Ward is in this session" in page and "Facilitator" in page
    page = logged_in.get(base(programme) + "/speakers").get_data(as_text=True)
    assert "Pending" in page and "Not sent" in page


def test_invitation_email_carries_a_working_link(logged_in, programme, mail):
    page = logged_in.post(base(programme) + f"/speakers/{programme.speaker.id}/invite", follow_redirects=True).get_data(as_text=True)
    assert "Invitation sent to JoAnn Kamuf Ward" in page
    [message] = mail.wait_for(1)
    assert message.envelope_to == [programme.speaker.email]
    path = re.search(r"https?://[^/]+(/e/[^\s]+/speaker/[^\s/]+/)", message.text).group(1)
    logged_in.post("/account/logout")
    page = logged_in.get(path).get_data(as_text=True)
    assert "Your speaker page" in page and "Federal Government Perspectives" in page and "Moderator" in page


def test_timetable_and_speaker_list_queries_do_not_grow(logged_in, programme, db):
    from confapp.program.speakers import assign_speaker
    from tests.factories import make_session, make_speaker
    from tests.support.queries import count_queries

    urls = [base(programme) + "/", base(programme) + "/speakers"]
    for url in urls:
        logged_in.get(url)
    with count_queries(db.engine) as small:
        for url in urls:
            logged_in.get(url)
    day = programme.event.local(programme.event.starts_at)
    for hour in range(9, 17):
        session = make_session(programme.event, starts_at=day.replace(hour=hour), room_id=programme.rooms[1].id,
                               actor=programme.organiser)
        assign_speaker(session, make_speaker(programme.event, actor=programme.organiser), "panelist",
                       actor=programme.organiser, event=programme.event)
    db.session.commit()
    for url in urls:  # the commit expired the logged-in user: reload it outside the count
        logged_in.get(url)
    with count_queries(db.engine) as large:
        for url in urls:
            logged_in.get(url)
    assert large.count == small.count, "\n".join(large.statements)
