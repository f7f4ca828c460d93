"""API tokens: a named, scoped, revocable credential an organiser makes for an integration.

Only the SHA-256 of the secret is stored (`token_hash`); the secret is shown once when the token
is made. A token for one event has `event_id`; a site-wide token (site administrators) has none.
What a token may do is always the intersection of its scopes and its creator's role at the time
of each request (confapp/api/tokens.py TokenActor)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow


class Scope(enum.StrEnum):
    EVENTS_READ = "events:read"
    EVENTS_WRITE = "events:write"
    REGISTRATIONS_READ = "registrations:read"
    REGISTRATIONS_WRITE = "registrations:write"
    CHECKIN_READ = "checkin:read"
    CHECKIN_WRITE = "checkin:write"
    WEBHOOKS_READ = "webhooks:read"
    WEBHOOKS_WRITE = "webhooks:write"
    PROGRAMME_READ = "programme:read"
    PROGRAMME_WRITE = "programme:write"
    OUTREACH_READ = "outreach:read"
    OUTREACH_WRITE = "outreach:write"
    OUTREACH_SEND = "outreach:send"
    REPORTS_READ = "reports:read"
    # A partner site's token: places orders as a member of the public would on the registration
    # form (its window, sale windows, payment options) and reads back only the orders it placed.
    REGISTRATIONS_PUBLIC = "registrations:public"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))  # what the integration is: the audit label
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped["Event | None"] = relationship()
    created_by: Mapped["User"] = relationship()

    def has_scope(self, scope: Scope) -> bool:
        return scope.value in (self.scopes or [])

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class ApiIdempotencyKey(db.Model):
    """An `Idempotency-Key` a token sent with a create, and the first answer to it: a retry with
    the same key and the same body gets that answer again (nothing new is made); the same key with
    another body is refused. Written in the transaction that made what it answers for."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (db.UniqueConstraint("token_id", "key", name="uq_api_idempotency_keys_token_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the method, path and body
    status_code: Mapped[int] = mapped_column()
    response_body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ApiTokenOrder(db.Model):
    """An order a partner token (registrations:public) placed: what that token may read back.
    Kept beside the tokens, not on the order, so registration knows nothing of the API."""

    __tablename__ = "api_token_orders"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True)
