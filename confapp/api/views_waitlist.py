"""/api/v1 waitlist: what the public form offers when the places are gone. A partner site's token
(or an organiser's) puts a person on the event's waitlist through the form's own service
(registration.waitlist.join_waitlist_as_public), with the form's choices: while registration is open, for a
category the form lists, or for any. The offer, when a place frees, goes to the person by email
and is claimed on the public form, so the answer carries no offer link."""
from __future__ import annotations

from ..accounts.permissions import Action
from ..extensions import db
from ..i18n import current_language
from ..registration import waitlist
from ..types import utcnow
from .auth import token_actor, token_event
from .blueprint import v1
from .models import Scope
from .partner import PublicTokenActor
from .schemas import WaitlistEntrySchema, WaitlistJoinSchema
from .views_v1 import documented_errors, json_answer


@v1.route("/events/<slug>/waitlist", methods=["POST"])
@v1.arguments(WaitlistJoinSchema)
@v1.response(201, WaitlistEntrySchema)
@documented_errors(401, 403, 404, 409, 429)
def waitlist_join(body, slug: str):
    """Put a person on the waitlist, as the form's waitlist box does (the same email waiting
    already: that entry). Registration closed: 422; the event has no waitlist: 409."""
    actor = token_actor(Scope.REGISTRATIONS_PUBLIC, Scope.REGISTRATIONS_WRITE)
    event = token_event(actor, slug, Action.MANAGE_REGISTRATIONS)
    # In the audit log under the token's name; a partner token as a member of the public would.
    service_actor = actor if actor.token.has_scope(Scope.REGISTRATIONS_WRITE) else PublicTokenActor(actor.token)
    entry = waitlist.join_waitlist_as_public(event, name=body["name"], email=body["email"],
                                             category_id=body["category_id"], now=utcnow(),
                                             language=current_language(), actor=service_actor)
    db.session.commit()
    return json_answer(201, WaitlistEntrySchema().dump(
        {"id": entry.id, "status": entry.status.value, "category_id": entry.category_id}))
