"""Webhook endpoints: add, edit, disable, enable, and send a delivery again. The emission of
event occurrences is outbox.py; the sending job is sending.py."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select

from ..audit.services import record
from ..errors import InvalidState, ValidationFailed
from ..extensions import db
from .catalogue import EVENT_TYPES
from .destinations import UnsafeDestination, check_destination
from .endpoints import refresh_flag, stop_endpoint
from .models import DeliveryState, WebhookDelivery, WebhookEndpoint
from .outbox import queue_sending
from .signing import new_secret


# --- endpoints ------------------------------------------------------------------------------

def _clean(url: str, event_types: list[str]) -> tuple[str, list[str]]:
    errors = {}
    url = (url or "").strip()
    try:
        check_destination(url)
    except UnsafeDestination as error:
        errors["url"] = str(error)
    types = [t for t in EVENT_TYPES if t in (event_types or [])]
    if not types:
        errors["event_types"] = gettext("Choose at least one kind of event.")
    if errors:
        raise ValidationFailed(errors)
    return url, types


def create_endpoint(event, *, url: str, event_types: list[str], description: str = "", actor, now: datetime
                    ) -> WebhookEndpoint:
    """Add an endpoint with a fresh signing secret (the caller shows it once). Rules: http(s)
    only, not this server's own network (destinations.py), at least one known event type.
    Raises ValidationFailed by field (url, event_types)."""
    url, types = _clean(url, event_types)
    endpoint = WebhookEndpoint(event_id=event.id, url=url, event_types=types, description=(description or "").strip()[:200],
                               secret=new_secret(), active=True, disabled_reason="",
                               created_by_id=getattr(actor, "audit_user_id", getattr(actor, "id", None)),
                               created_at=now, updated_at=now)
    db.session.add(endpoint)
    refresh_flag(event)
    record("webhooks.endpoint_created", actor=actor, event=event, target=endpoint, details={"event_types": types}, now=now)
    return endpoint


def update_endpoint(endpoint: WebhookEndpoint, *, url: str, event_types: list[str], description: str = "",
                    actor, now: datetime) -> WebhookEndpoint:
    """Change an endpoint's URL, event types and description (the secret stays). Same rules as
    create_endpoint."""
    endpoint.url, endpoint.event_types = _clean(url, event_types)
    endpoint.description = (description or "").strip()[:200]
    endpoint.updated_at = now
    db.session.flush()
    record("webhooks.endpoint_updated", actor=actor, event=endpoint.event, target=endpoint,
           details={"event_types": endpoint.event_types}, now=now)
    return endpoint


def disable_endpoint(endpoint: WebhookEndpoint, *, reason: str, actor, now: datetime) -> WebhookEndpoint:
    """Stop sending to an endpoint: nothing new is written for it, and what is still waiting is
    given up (it can be sent again one by one once the endpoint is enabled). Raises InvalidState
    if it is already disabled."""
    if not endpoint.active:
        raise InvalidState(gettext("This endpoint is already disabled."))
    stop_endpoint(endpoint, reason=reason, now=now)
    record("webhooks.endpoint_disabled", actor=actor, event=endpoint.event, target=endpoint, now=now)
    return endpoint


def enable_endpoint(endpoint: WebhookEndpoint, *, actor, now: datetime) -> WebhookEndpoint:
    """Send to a disabled endpoint again, from the next event on. Raises InvalidState if active."""
    if endpoint.active:
        raise InvalidState(gettext("This endpoint is already active."))
    endpoint.active = True
    endpoint.disabled_reason = ""
    endpoint.updated_at = now
    refresh_flag(endpoint.event)
    record("webhooks.endpoint_enabled", actor=actor, event=endpoint.event, target=endpoint, now=now)
    return endpoint


def rotate_secret(endpoint: WebhookEndpoint, *, actor, now: datetime) -> WebhookEndpoint:
    """Give an endpoint a new signing secret (the caller shows it once): every delivery sent from
    now on, retries included, is signed with it, and the old one stops verifying at once."""
    endpoint.secret = new_secret()
    endpoint.updated_at = now
    db.session.flush()
    record("webhooks.secret_rotated", actor=actor, event=endpoint.event, target=endpoint, now=now)
    return endpoint


def delete_endpoint(endpoint: WebhookEndpoint, *, actor, now: datetime) -> None:
    """Remove an endpoint with its deliveries and their attempts (the audit log keeps that it
    existed and where it pointed). What was still waiting for it is never sent."""
    event = endpoint.event
    record("webhooks.endpoint_deleted", actor=actor, event=event, target=endpoint, details={"url": endpoint.url}, now=now)
    db.session.delete(endpoint)
    db.session.flush()
    refresh_flag(event)


def resend_delivery(delivery: WebhookDelivery, *, actor, now: datetime) -> WebhookDelivery:
    """Queue a finished delivery once more, with the same webhook-id and body (a receiver that
    already applied it can tell). Raises InvalidState while it is still queued or being sent, or
    when its endpoint is disabled."""
    if delivery.state in (DeliveryState.PENDING, DeliveryState.SENDING):
        raise InvalidState(gettext("This delivery is already waiting to be sent."))
    if not delivery.endpoint.active:
        raise InvalidState(gettext("Enable the endpoint first."))
    delivery.state = DeliveryState.PENDING
    delivery.next_attempt_at = None
    delivery.attempts = 0
    delivery.claim_token = None
    delivery.lease_until = None
    db.session.flush()
    record("webhooks.delivery_resent", actor=actor, event=delivery.endpoint.event, target=delivery,
           details={"webhook_id": delivery.webhook_id}, now=now)
    queue_sending()
    return delivery
