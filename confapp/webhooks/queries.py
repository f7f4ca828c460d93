"""Read side of the webhook pages: endpoints with their delivery counts, recent deliveries."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from ..extensions import db
from .models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint


@dataclass
class EndpointRow:
    endpoint: WebhookEndpoint
    delivered: int
    waiting: int
    failed: int


def event_endpoints(event) -> list[EndpointRow]:
    """The event's endpoints, newest first, with counts (two queries)."""
    endpoints = list(db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.event_id == event.id)
                                        .order_by(WebhookEndpoint.id.desc())))
    if not endpoints:
        return []
    counts = {row[0]: row[1:] for row in db.session.execute(
        select(WebhookDelivery.endpoint_id,
               func.sum(case((WebhookDelivery.state == DeliveryState.DELIVERED, 1), else_=0)),
               func.sum(case((WebhookDelivery.state.in_([DeliveryState.PENDING, DeliveryState.SENDING]), 1), else_=0)),
               func.sum(case((WebhookDelivery.state == DeliveryState.FAILED, 1), else_=0)))
        .where(WebhookDelivery.endpoint_id.in_([e.id for e in endpoints]))
        .group_by(WebhookDelivery.endpoint_id))}
    return [EndpointRow(e, *(int(n or 0) for n in counts.get(e.id, (0, 0, 0)))) for e in endpoints]


def recent_deliveries(endpoint: WebhookEndpoint, *, limit: int = 50) -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
                                   .order_by(WebhookDelivery.id.desc()).limit(limit)))


def attempts_of(deliveries: list[WebhookDelivery]) -> dict[int, list[WebhookAttempt]]:
    """Every attempt of these deliveries, oldest first (one query)."""
    found: dict[int, list[WebhookAttempt]] = {d.id: [] for d in deliveries}
    if found:
        for attempt in db.session.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(list(found)))
                                          .order_by(WebhookAttempt.id)):
            found[attempt.delivery_id].append(attempt)
    return found
