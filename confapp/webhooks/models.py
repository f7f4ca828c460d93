"""Webhook endpoints and their deliveries (the outbox).

An endpoint belongs to one event: a URL, the event types it hears, a signing secret (needed to
sign, so it is kept, but shown to the organiser only when it is made) and an active flag. A
delivery is one event occurrence for one endpoint, written in the same transaction as the change
it reports (so a rolled-back change sends nothing and a crash after commit loses nothing); its
`webhook_id` is the Standard Webhooks `webhook-id`, the same on every attempt, so receivers
can apply it once. `occurrence_key` (unique per endpoint) makes a repeated emission of one
occurrence a no-op."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..sealing import seal, unseal
from ..types import StrEnumType, UTCDateTime, utcnow


class DeliveryState(enum.StrEnum):
    PENDING = "pending"      # due at next_attempt_at (None: at once)
    SENDING = "sending"      # claimed by a worker until lease_until
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"        # gave up (attempts exhausted, 410, endpoint disabled)


class WebhookEndpoint(db.Model):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    event_types: Mapped[list] = mapped_column(JSON, default=list)
    # The signing secret ("whsec_<base64>", the Standard Webhooks form), sealed at rest
    # (confapp/sealing.py); read and set it through `secret`.
    sealed_secret: Mapped[str] = mapped_column("secret", String(400))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped["Event"] = relationship()
    deliveries: Mapped[list["WebhookDelivery"]] = relationship(back_populates="endpoint", passive_deletes=True)

    @property
    def secret(self) -> str:
        return unseal(self.sealed_secret)

    @secret.setter
    def secret(self, plain: str) -> None:
        self.sealed_secret = seal(plain)

    def hears(self, event_type: str) -> bool:
        return self.active and event_type in (self.event_types or [])


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "occurrence_key", name="uq_webhook_deliveries_endpoint_occurrence"),
        Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    webhook_id: Mapped[str] = mapped_column(String(40), unique=True)
    occurrence_key: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[str] = mapped_column(Text)  # the exact JSON body that is signed and sent, every attempt
    state: Mapped[DeliveryState] = mapped_column(StrEnumType(DeliveryState), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    endpoint: Mapped[WebhookEndpoint] = relationship(back_populates="deliveries")


class WebhookAttempt(db.Model):
    """One try of a delivery: the log shows every attempt (when, status code, error)."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    response_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(String(500), default="")
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
