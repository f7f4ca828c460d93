"""/api/v1 event changes: PATCH /events/<slug> moves the event's dates through the Details form's
own service (program.moving.move_event): the event's row locked and read again, its programme
moved by the same shift, the people registered told once. A retried or concurrent identical
request finds the event already at its new dates and changes nothing, tells nobody again."""
from __future__ import annotations

from ..accounts.permissions import Action
from ..extensions import commit_keeping_loaded
from ..program.moving import move_event, sessions_outside
from ..types import utcnow
from .auth import token_actor, token_event
from .blueprint import v1
from .models import Scope
from .schemas import EventMovedSchema, EventSchema, EventUpdateSchema
from .views_v1 import documented_errors

# The answer is the event as GET gives it (EventSchema's fields), and the sessions outside.
_EVENT_FIELDS = tuple(EventSchema().fields)


@v1.route("/events/<slug>", methods=["PATCH"])
@v1.arguments(EventUpdateSchema)
@v1.response(200, EventMovedSchema)
@documented_errors(401, 403, 404, 429)
@v1.doc(operationId="event_update")
def event_update(body, slug: str):
    """Move the event: a new `starts_at` and/or `ends_at` (what is left out stays). Its sessions
    move by the start's shift; with `notify_registered` (the default) its confirmed attendees get
    a change notice and sent reminders go again before the new date. The same dates again change
    nothing. Dates out of bounds (before 2000 or after 2100, an end not after the start, longer
    than 60 days, registration closing after the new end) are a 422 by field. The answer lists the
    sessions now outside the event's dates (the Details form's warning)."""
    actor = token_actor(Scope.EVENTS_WRITE)
    event = token_event(actor, slug, Action.EDIT_EVENT)
    move = move_event(event, body.get("starts_at"), body.get("ends_at"), actor=actor, now=utcnow(),
                      notify=body["notify_registered"])
    # A retry moves nothing, so move.outside is empty: it answers what is outside all the same.
    outside = move.outside if move.moved else sessions_outside(move.event)
    commit_keeping_loaded()
    return {**{name: getattr(move.event, name) for name in _EVENT_FIELDS}, "sessions_outside": outside}
