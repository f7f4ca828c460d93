"""/api/v1 webhook endpoints: list them and add one, through the organisers' own services
(the same URL rules, the same audit entries). The signing secret is in the create answer only."""
from __future__ import annotations

from ..accounts.permissions import Action
from ..errors import PROBLEM_CONTENT_TYPE
from ..extensions import db
from ..types import utcnow
from ..webhooks import queries as webhook_queries, services as webhook_services
from .auth import token_actor, token_event
from .blueprint import v1
from .models import Scope
from .schemas import ProblemSchema
from .schemas_webhooks import (
    WebhookEndpointCreateSchema, WebhookEndpointCreatedSchema, WebhookEndpointListSchema,
)

_ERRORS = {401: "No valid token.", 403: "The token lacks the scope, or its creator the role.",
           404: "Not found, or not reached by this token.", 429: "Over the token's rate limit."}


def _errors(view):
    for code, description in _ERRORS.items():
        view = v1.alt_response(code, schema=ProblemSchema, description=description,
                               content_type=PROBLEM_CONTENT_TYPE)(view)
    return view


@v1.route("/events/<slug>/webhooks")
@v1.response(200, WebhookEndpointListSchema)
@_errors
def webhooks_list(slug: str):
    """The event's webhook endpoints, newest first (without their secrets)."""
    actor = token_actor(Scope.WEBHOOKS_READ)
    event = token_event(actor, slug, Action.MANAGE_ROLES)
    return {"results": [row.endpoint for row in webhook_queries.event_endpoints(event)]}


@v1.route("/events/<slug>/webhooks", methods=["POST"])
@v1.arguments(WebhookEndpointCreateSchema)
@v1.response(201, WebhookEndpointCreatedSchema)
@_errors
def webhooks_create(body, slug: str):
    """Add an endpoint: deliveries start with the next event of its types. An unsafe URL is a 422
    on `url`. The answer carries the signing secret, shown only here."""
    actor = token_actor(Scope.WEBHOOKS_WRITE)
    event = token_event(actor, slug, Action.MANAGE_ROLES)
    endpoint = webhook_services.create_endpoint(event, url=body["url"], event_types=body["event_types"],
                                                description=body["description"], actor=actor, now=utcnow())
    db.session.commit()
    return endpoint
