"""Moving an event's dates, its programme with it (issue 15): the Details form, PATCH
/api/v1/events/<slug> and a webcast series' reschedule all move an event through `move_event`.

- The event's row is locked and read again first (registration.capacity.lock_event, the first
  lock of every transaction that changes the event's places), and the shift is measured from
  the dates as they are then. Two identical moves at once (a retried API call, a form sent
  twice) queue there: the second finds the event already at its new dates, moves nothing and
  tells nobody again.
- Every session with a time moves by the start's shift, so the timetable keeps its shape; a
  published one gets a new iCalendar SEQUENCE (as update_session gives a moved session), so
  calendars that hold the agenda update it, and a `session.updated` webhook (one per session per
  move: a repeated move moves nothing and sends nothing). Sessions that end up outside the
  event's days (the end moved in by more than the start) are reported, not refused: the
  organiser decides.
- The registration categories' sales windows move by the same shift (an early-bird price that
  ended a month before the event still does); the event's own registration window is the
  caller's (the Details form and the API set it in the same request; a series moves it along).
- Told, when asked: one change notice per confirmed registration (through the mail outbox, in
  this transaction) and the reminders already sent armed again for the new date.

Services flush; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import select

from ..accounts import permissions
from ..audit.services import SystemActor, record
from ..errors import ValidationFailed
from ..events.models import Event
from ..events.services import date_errors
from ..extensions import db
from ..outreach.reminders import rearm_after_move
from ..registration.capacity import lock_event
from ..registration.catalogue import shift_sales_windows
from ..registration.emails import send_change_notices
from ..webhooks import outbox
from .models import ProgramSession, SessionStatus


@dataclass
class EventMove:
    """What move_event did: the dates before, the sessions moved, those now outside the event's
    days, and how many people will be told."""

    event: Event
    old_starts_at: datetime
    old_ends_at: datetime
    sessions_moved: int = 0
    categories_moved: int = 0  # categories whose sales window moved with the dates
    outside: list[ProgramSession] = field(default_factory=list)
    told: int = 0

    @property
    def moved(self) -> bool:
        return (self.event.starts_at, self.event.ends_at) != (self.old_starts_at, self.old_ends_at)

    @property
    def shift(self) -> timedelta:
        return self.event.starts_at - self.old_starts_at


def _shift(sessions: list[ProgramSession], shift: timedelta, *, now: datetime) -> list[ProgramSession]:
    """Move every session that has a time by `shift`; returns those moved."""
    if not shift:
        return []
    moved = []
    for session in sessions:
        if session.starts_at is None:
            continue
        session.starts_at = session.starts_at + shift
        session.ends_at = session.ends_at + shift if session.ends_at else None
        session.updated_at = now
        if session.first_published_at:
            session.sequence += 1
        moved.append(session)
    return moved


def _outside(event: Event, sessions: list[ProgramSession]) -> list[ProgramSession]:
    first_day, last_day = event.local(event.starts_at).date(), event.local(event.ends_at).date()
    found = [s for s in sessions if s.is_scheduled and s.status != SessionStatus.CANCELLED
             and (event.local(s.starts_at).date() < first_day or event.local(s.ends_at).date() > last_day)]
    return sorted(found, key=lambda s: (s.starts_at, s.id))


def _sessions(event: Event) -> list[ProgramSession]:
    return list(db.session.scalars(select(ProgramSession).where(ProgramSession.event_id == event.id)))


def sessions_outside(event: Event) -> list[ProgramSession]:
    """The event's scheduled, not cancelled sessions on a local day outside its dates (the
    timetable's "outside the event's dates" warning), by start."""
    return _outside(event, _sessions(event))


def move_event(event: Event, starts_at: datetime | None, ends_at: datetime | None, *, actor, now: datetime,
               notify: bool = True, told_elsewhere=frozenset(), check_registration: bool = True,
               authorised: bool = False, audit_action: str = "event.moved", audit_details: dict | None = None
               ) -> EventMove:
    """Give the event new dates (None: that one stays), its sessions moved by the start's shift.
    The event's row is locked and read again before anything is decided, so a repeated move
    finds nothing to do (and tells nobody twice). With `notify`, its confirmed registrations get
    a change notice (but those in `told_elsewhere`, told by a series summary) and the reminders
    already sent go again before the new date. Each moved session the public has seen is sent as
    a `session.updated` webhook (in this transaction's outbox). Recorded in the audit log as
    `audit_action` (with `audit_details`), which counts as a change of the event's time
    (events.queries.event_sequence).

    `check_registration`: the event's registration must close by the new end; a caller that
    sets the registration window in the same transaction (the Details form, a series moving the
    window along) checks it itself. `authorised`: the caller checked the actor may (a series'
    reschedule, allowed by the template edition). Raises NotAllowed, ValidationFailed (by field:
    starts_at, ends_at)."""
    if not authorised and not isinstance(actor, SystemActor):
        permissions.require(actor, permissions.Action.EDIT_EVENT, event)
    event = lock_event(event)
    move = EventMove(event, event.starts_at, event.ends_at)
    # Left out (None): as the event is under the lock, not as it was read before it.
    starts_at, ends_at = starts_at or event.starts_at, ends_at or event.ends_at
    errors = date_errors(starts_at, ends_at)
    if errors:
        raise ValidationFailed(errors)
    if (starts_at, ends_at) == (event.starts_at, event.ends_at):
        return move
    if check_registration and event.registration_closes_at and event.registration_closes_at > ends_at:
        raise ValidationFailed({"ends_at": gettext("Registration cannot close after the event ends.")})
    event.starts_at, event.ends_at = starts_at, ends_at
    event.updated_at = now
    sessions = _sessions(event)
    moved = _shift(sessions, move.shift, now=now)
    move.sessions_moved, move.outside = len(moved), _outside(event, sessions)
    move.categories_moved = shift_sales_windows(event, move.shift)
    db.session.flush()
    outbox.emit_sessions_moved(moved, event, now=now)
    if notify:
        move.told = send_change_notices(event, old_starts_at=move.old_starts_at, old_ends_at=move.old_ends_at,
                                        told_elsewhere=told_elsewhere)
        rearm_after_move(event, actor=actor, now=now)
    record(audit_action, actor=actor, event=event, target=event, now=now, details={
        "from": move.old_starts_at.isoformat(), "to": starts_at.isoformat(), "ends_from": move.old_ends_at.isoformat(),
        "ends_to": ends_at.isoformat(), "sessions": move.sessions_moved, "categories": move.categories_moved, "told": move.told, **(audit_details or {})})
    return move
