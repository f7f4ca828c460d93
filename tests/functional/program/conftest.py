"""A small published programme: two rooms, a track, a panel with speakers, a workshop, a break."""
from dataclasses import dataclass
from datetime import timedelta

import pytest

from confapp.program.models import SessionKind
from confapp.program.speakers import assign_speaker
from tests.factories import make_event, make_registration, make_room, make_session, make_speaker, make_track, make_user


@dataclass
class Programme:
    event: object
    organiser: object
    rooms: list
    track: object
    panel: object
    workshop: object
    draft: object
    speaker: object
    other_speaker: object
    registration: object


@pytest.fixture
def programme(db):
    organiser = make_user(email="organiser-prog@example.org")
    event = make_event(organiser=organiser)
    hall = make_room(event, name="Hall", capacity=150, actor=organiser)
    seminar = make_room(event, name="Seminar room", capacity=25, actor=organiser)
    track = make_track(event, name="Cities", colour="#ffcc00", actor=organiser)
    day = event.local(event.starts_at)
    panel = make_session(event, title="Federal Government Perspectives", room_id=hall.id, track_id=track.id,
                         starts_at=day.replace(hour=10), publish=True, actor=organiser)
    workshop = make_session(event, title="Human rights impact assessment", room_id=seminar.id, kind=SessionKind.WORKSHOP,
                            capacity=2, starts_at=day.replace(hour=13), duration=timedelta(minutes=90), publish=True,
                            actor=organiser)
    make_session(event, title="Coffee break", room_id=hall.id, kind=SessionKind.BREAK, starts_at=day.replace(hour=11, minute=15),
                 duration=timedelta(minutes=15), publish=True, actor=organiser)
    draft = make_session(event, title="Secret draft session", room_id=hall.id, starts_at=day.replace(hour=15), actor=organiser)
    speaker = make_speaker(event, name="JoAnn Kamuf Ward", affiliation="Columbia Law School", actor=organiser)
    other = make_speaker(event, name="Risa Kaufman", affiliation="Columbia Law School", actor=organiser)
    assign_speaker(panel, speaker, "moderator", actor=organiser, event=event)
    assign_speaker(panel, other, "panelist", actor=organiser, event=event)
    db.session.commit()
    return Programme(event, organiser, [hall, seminar], track, panel, workshop, draft, speaker, other,
                     make_registration(event))
