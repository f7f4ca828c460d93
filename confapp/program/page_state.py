"""What the public agenda shows, as plain values for its validator (confapp/http_cache.py).

The agenda's tag is a digest of the rows it is drawn from, read with Core statements (built once)
instead of the ORM: loading its sessions, rooms, tracks and speakers as objects cost about 9 ms of
a 17 ms request for the demo's agenda, the same rows as tuples about 2 ms (issue 16). The page is
then only loaded as objects when it is rendered (no copy in RenderedPages, no matching
If-None-Match). The statements read every column the agenda's own query loads (queries._for_agenda)
for every public session with a time, whatever the track or kind filter (the filter is part of
the state): a superset of what any filtered page shows, so a change can only change the tag."""
from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, func, select

from ..extensions import db
from ..http_cache import row_state
from .models import ProgramSession, Room, SessionSignup, SessionSpeaker, Speaker, Track
from .queries import PUBLIC_FILTER

# The agenda's query defers these (the list never shows them); nothing else is left out.
_NOT_SHOWN = {"description", "accessibility"}


@cache
def _statements():
    event_id = bindparam("event_id")
    sessions = (
        select(*[c for c in ProgramSession.__table__.c if c.key not in _NOT_SHOWN], Room.id, Room.name, Room.position,
               *Track.__table__.c)
        .select_from(ProgramSession.__table__)
        .outerjoin(Room.__table__, ProgramSession.room_id == Room.id)
        .outerjoin(Track.__table__, ProgramSession.track_id == Track.id)
        .where(ProgramSession.event_id == event_id, PUBLIC_FILTER, ProgramSession.starts_at.is_not(None))
        .order_by(ProgramSession.id))
    speakers = (
        select(*SessionSpeaker.__table__.c, Speaker.id, Speaker.name, Speaker.affiliation)
        .select_from(SessionSpeaker.__table__)
        .join(Speaker.__table__, Speaker.id == SessionSpeaker.speaker_id)
        .join(ProgramSession.__table__, ProgramSession.id == SessionSpeaker.session_id)
        .where(ProgramSession.event_id == event_id)
        .order_by(SessionSpeaker.session_id, SessionSpeaker.speaker_id))
    tracks = select(*Track.__table__.c).where(Track.event_id == event_id).order_by(Track.id)
    # Places left on workshops change with every sign-up, without a write to the session.
    signups = (
        select(SessionSignup.session_id, func.count())
        .join(ProgramSession, ProgramSession.id == SessionSignup.session_id)
        .where(ProgramSession.event_id == event_id)
        .group_by(SessionSignup.session_id))
    return sessions, speakers, tracks, signups


def agenda_state(event, *, track_id: int | None, kind: str | None) -> tuple[tuple, dict[int, int]]:
    """(the agenda's state for its tag, the sign-up counts by session, which the render reuses)."""
    sessions, speakers, tracks, signups = _statements()
    params = {"event_id": event.id}
    counts = {session_id: n for session_id, n in db.session.execute(signups, params)}
    rows = tuple(tuple(row) for statement in (sessions, speakers, tracks) for row in db.session.execute(statement, params))
    return (row_state(event), rows, tuple(sorted(counts.items())), track_id, kind), counts
