"""What both the organiser's services and the sending job do to an endpoint."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select, update

from ..extensions import db
from .models import DeliveryState, WebhookDelivery, WebhookEndpoint


def refresh_flag(event) -> None:
    """Keep `Event.has_webhooks` true exactly while the event has an active endpoint."""
    db.session.flush()
    event.has_webhooks = bool(db.session.scalar(
        select(func.count()).select_from(WebhookEndpoint)
        .where(WebhookEndpoint.event_id == event.id, WebhookEndpoint.active.is_(True))))


def stop_endpoint(endpoint: WebhookEndpoint, *, reason: str, now: datetime) -> None:
    """Mark the endpoint inactive and give up what is still waiting for it."""
    endpoint.active = False
    endpoint.disabled_reason = reason[:300]
    endpoint.updated_at = now
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id,
               WebhookDelivery.state.in_([DeliveryState.PENDING, DeliveryState.SENDING]))
        .values(state=DeliveryState.FAILED, claim_token=None, lease_until=None, next_attempt_at=None,
                last_error=gettext("Not sent: the endpoint was disabled."))
        .execution_options(synchronize_session=False))
    refresh_flag(endpoint.event)
