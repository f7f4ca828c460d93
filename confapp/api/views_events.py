"""/api/v1 event changes: PATCH /events/<slug> edits the event through the Details form's own
services: its dates through program.moving.move_event: the event's row locked and read again, its programme
moved by the same shift, the people registered told once. A retried or concurrent identical
request finds the event already at its new dates and changes nothing, tells nobody again; its
other fields through events.services.update_event."""
from __future__ import annotations

from ..accounts.permissions import Action
from ..extensions import commit_keeping_loaded
from ..events.services import event_data, update_event
from ..program.moving import move_event, sessions_outside
from ..types import utcnow
from .auth import token_actor, token_event
from .blueprint import v1
from .models import Scope
from .schemas import EventMovedSchema, EventSchema, EventUpdateSchema
from .views_v1 import documented_errors

# The answer is the event as GET gives it (EventSchema's fields), and the sessions outside.
_EVENT_FIELDS = tuple(EventSchema().fields)


# What PATCH may change besides the dates (EventUpdateSchema's names, EventData's too).
EDITABLE = ("title", "subtitle", "description", "venue_name", "venue_address", "venue_city", "venue_region",
            "venue_country", "venue_accessibility", "contact_email", "registration_opens_at", "registration_closes_at")
REGISTRATION_WINDOW = {"registration_opens_at", "registration_closes_at"}


@v1.route("/events/<slug>", methods=["PATCH"])
@v1.arguments(EventUpdateSchema)
@v1.response(200, EventMovedSchema)
@documented_errors(401, 403, 404, 429)
@v1.doc(operationId="event_update")
def event_update(body, slug: str):
    """Change the event as its Details form does: what is left out stays. A new `starts_at`
    and/or `ends_at` moves the event: its sessions and its categories' sales windows
    move by the start's shift; with `notify_registered` (the default) its confirmed attendees get
    a change notice and sent reminders go again before the new date. The same dates again change
    nothing. Dates out of bounds (before 2000 or after 2100, an end not after the start, longer
    than 60 days, registration closing after the new end) are a 422 by field. The answer lists the
    sessions now outside the event's dates (the Details form's warning). The other fields (title,
    texts, venue, contact, the registration window) are checked as on the form: 422 by field."""
    actor = token_actor(Scope.EVENTS_WRITE)
    event = token_event(actor, slug, Action.EDIT_EVENT)
    now = utcnow()
    edits = {name: body[name] for name in EDITABLE if name in body}
    if "venue_country" in edits:
        edits["venue_country"] = edits["venue_country"].upper()
    # The dates first, under the event's row lock (re-read there); the other fields then, under the
    # same lock, through the Details form's service, which checks the registration window against
    # the new end itself when the window is part of the edit.
    move = move_event(event, body.get("starts_at"), body.get("ends_at"), actor=actor, now=now,
                      notify=body["notify_registered"], check_registration=not REGISTRATION_WINDOW & edits.keys())
    changed = any(getattr(move.event, name) != value for name, value in edits.items())
    # Only a real change is saved: a retried identical request answers the same (its updated_at too).
    # A move that came with the registration window is checked against it even when the window stays.
    if changed or (move.moved and REGISTRATION_WINDOW & edits.keys()):
        update_event(move.event, event_data(move.event, **edits), actor=actor, now=now)
    # A retry moves nothing, so move.outside is empty: it answers what is outside all the same.
    outside = move.outside if move.moved else sessions_outside(move.event)
    commit_keeping_loaded()
    return {**{name: getattr(move.event, name) for name in _EVENT_FIELDS}, "sessions_outside": outside}
