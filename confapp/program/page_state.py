"""What the public agenda shows, as plain values for its validator (confapp/http_cache.py):
taken from the rows the agenda query loaded, so computing it sends no query."""
from __future__ import annotations

from ..http_cache import row_state, rows_state
from .queries import Agenda


def agenda_state(agenda: Agenda) -> tuple:
    sessions = tuple(
        (row_state(s), row_state(s.room), row_state(s.track),
         tuple((row_state(link), row_state(link.speaker)) for link in s.speakers))
        for day in agenda.days for s in day.sessions
    )
    # Places left on workshops change with every sign-up, without a write to the session.
    return (row_state(agenda.event), rows_state(agenda.tracks), tuple(sorted(agenda.signups.items())),
            agenda.track_id, agenda.kind, sessions)
