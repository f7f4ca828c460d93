"""/api/v1 webhook endpoints: list, add, read, change (URL, types, description, enabled), a new
signing secret, delete, and the latest deliveries, through the organisers' own services (the same
URL rules, the same audit entries); a delivery is sent again as the page's "Send again" does. A
signing secret is only in the answer that made it."""
from __future__ import annotations

from flask_babel import gettext
from flask_smorest import abort

from ..accounts.permissions import Action
from ..errors import PROBLEM_CONTENT_TYPE
from ..extensions import db
from ..types import utcnow
from ..webhooks import queries as webhook_queries, services as webhook_services
from ..webhooks.models import WebhookDelivery, WebhookEndpoint
from .auth import token_actor, token_event
from .blueprint import v1
from .models import Scope
from .schemas import ProblemSchema
from .schemas_webhooks import (
    WebhookDeliveryListSchema, WebhookEndpointCreateSchema, WebhookEndpointCreatedSchema, WebhookEndpointListSchema,
    WebhookEndpointSchema, WebhookEndpointUpdateSchema,
)
from .schemas_webhooks import WebhookDeliverySchema
from .idempotency import json_answer

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


def _endpoint(scope: Scope, slug: str, endpoint_id: int):
    actor = token_actor(scope)
    event = token_event(actor, slug, Action.MANAGE_ROLES)
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.event_id != event.id:
        abort(404, message=gettext("No such webhook endpoint for this event."))
    return actor, endpoint


@v1.route("/events/<slug>/webhooks/<int:endpoint_id>")
@v1.response(200, WebhookEndpointSchema)
@_errors
def webhooks_get(slug: str, endpoint_id: int):
    """One endpoint (without its secret)."""
    return _endpoint(Scope.WEBHOOKS_READ, slug, endpoint_id)[1]


@v1.route("/events/<slug>/webhooks/<int:endpoint_id>", methods=["PATCH"])
@v1.arguments(WebhookEndpointUpdateSchema)
@v1.response(200, WebhookEndpointSchema)
@_errors
def webhooks_update(body, slug: str, endpoint_id: int):
    """Change what is sent: the fields given change (the secret stays); `active` disables or enables."""
    actor, endpoint = _endpoint(Scope.WEBHOOKS_WRITE, slug, endpoint_id)
    now = utcnow()
    if {"url", "event_types", "description"} & set(body):
        webhook_services.update_endpoint(endpoint, url=body.get("url", endpoint.url),
                                         event_types=body.get("event_types", endpoint.event_types),
                                         description=body.get("description", endpoint.description), actor=actor, now=now)
    if "active" in body and body["active"] != endpoint.active:
        if body["active"]:
            webhook_services.enable_endpoint(endpoint, actor=actor, now=now)
        else:
            webhook_services.disable_endpoint(endpoint, reason=gettext("Disabled through the API."), actor=actor, now=now)
    db.session.commit()
    return endpoint


@v1.route("/events/<slug>/webhooks/<int:endpoint_id>", methods=["DELETE"])
@v1.response(204)
@_errors
def webhooks_delete(slug: str, endpoint_id: int):
    """Remove the endpoint with its deliveries; what was waiting for it is never sent."""
    actor, endpoint = _endpoint(Scope.WEBHOOKS_WRITE, slug, endpoint_id)
    webhook_services.delete_endpoint(endpoint, actor=actor, now=utcnow())
    db.session.commit()


@v1.route("/events/<slug>/webhooks/<int:endpoint_id>/rotate-secret", methods=["POST"])
@v1.response(200, WebhookEndpointCreatedSchema)
@_errors
def webhooks_rotate_secret(slug: str, endpoint_id: int):
    """A new signing secret, in this answer only: every request from now on is signed with it."""
    actor, endpoint = _endpoint(Scope.WEBHOOKS_WRITE, slug, endpoint_id)
    webhook_services.rotate_secret(endpoint, actor=actor, now=utcnow())
    db.session.commit()
    return endpoint


@v1.route("/events/<slug>/webhooks/<int:endpoint_id>/deliveries")
@v1.response(200, WebhookDeliveryListSchema)
@_errors
def webhooks_deliveries(slug: str, endpoint_id: int):
    """The endpoint's latest deliveries, newest first, with the last attempt's outcome."""
    endpoint = _endpoint(Scope.WEBHOOKS_READ, slug, endpoint_id)[1]
    return {"results": [dict(id=d.id, webhook_id=d.webhook_id, event_type=d.event_type, state=d.state.value,
                             attempts=d.attempts, response_code=d.response_code, last_error=d.last_error,
                             created_at=d.created_at, last_attempt_at=d.last_attempt_at, delivered_at=d.delivered_at)
                        for d in webhook_queries.recent_deliveries(endpoint)]}


@v1.route("/events/<slug>/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/retry", methods=["POST"])
@v1.response(200, WebhookDeliverySchema)
@v1.alt_response(409, schema=ProblemSchema, content_type=PROBLEM_CONTENT_TYPE,
                 description="Not possible now: the delivery is still waiting to be sent, or the endpoint is disabled.")
@_errors
def webhooks_delivery_retry(slug: str, endpoint_id: int, delivery_id: int):
    """Send a finished delivery (delivered or given up) once more, as the endpoint page's "Send
    again" does: the same `webhook-id` and body, attempts counted afresh. It answers the delivery
    as queued (`pending`, no attempts yet)."""
    actor, endpoint = _endpoint(Scope.WEBHOOKS_WRITE, slug, endpoint_id)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        abort(404, message=gettext("No such delivery for this webhook endpoint."))
    webhook_services.resend_delivery(delivery, actor=actor, now=utcnow())
    # As queued: a job queue that runs at once (embedded, tests) may have sent it by the time we answer.
    answer = WebhookDeliverySchema().dump(delivery)
    db.session.commit()
    return json_answer(200, answer)
