"""A new edition copies the programme structure; track colours get readable labels."""
from datetime import timedelta

import pytest

from confapp.events.services import copy_event
from confapp.program.colours import contrast_ratio, readable_text_colour
from confapp.program.models import ProgramSession, Room, SessionStatus, Speaker, Track
from confapp.program.services import cancel_session
from confapp.program.speakers import assign_speaker
from tests.factories import make_event, make_room, make_session, make_speaker, make_track, make_user


def test_copy_shifts_sessions_as_drafts_without_speakers(db):
    organiser = make_user()
    source = make_event(organiser=organiser)
    room, track = make_room(source, name="Hall", capacity=80), make_track(source, name="Cities", colour="#ffcc00")
    session = make_session(source, title="Opening plenary", room_id=room.id, track_id=track.id, publish=True)
    assign_speaker(session, make_speaker(source), "keynote", actor=organiser, event=source)
    cancel_session(make_session(source, title="Dropped"), actor=organiser, event=source)
    target = copy_event(source, title="Next", starts_at=source.starts_at + timedelta(days=364), actor=organiser)
    rooms = db.session.query(Room).filter_by(event_id=target.id).all()
    tracks = db.session.query(Track).filter_by(event_id=target.id).all()
    sessions = db.session.query(ProgramSession).filter_by(event_id=target.id).all()
    assert [(r.name, r.capacity) for r in rooms] == [("Hall", 80)]
    assert [(t.name, t.colour) for t in tracks] == [("Cities", "#ffcc00")]
    assert [s.title for s in sessions] == ["Opening plenary"]
    copied = sessions[0]
    assert copied.status == SessionStatus.DRAFT and copied.uid != session.uid
    assert copied.starts_at == session.starts_at + timedelta(days=364)
    assert copied.room_id == rooms[0].id and copied.track_id == tracks[0].id and copied.speakers == []
    assert db.session.query(Speaker).filter_by(event_id=target.id).count() == 0


@pytest.mark.parametrize("colour", ["#000000", "#ffffff", "#777777", "#1d4e89", "#ffcc00", "#e41a1c", "#00ff00"])
def test_track_labels_always_meet_aa_contrast(colour):
    assert contrast_ratio(colour, readable_text_colour(colour)) >= 4.5
