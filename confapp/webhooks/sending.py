"""Sending the outbox: claim due deliveries under a lease, POST each signed body, record the
outcome, retry with exponential backoff.

At least once, as the Standard Webhooks spec expects: a delivery is claimed (state `sending`,
a lease, a claim token, as outreach's deliveries are) and committed before any HTTP request, so two
workers never send the same delivery at the same time; the outcome is written only under our
claim token. A worker that dies mid-request leaves the row claimed until its lease runs out,
then it is sent again with the same `webhook-id`, which receivers use to apply it once.
No database transaction is open during a request.

Retries: after attempt n the next waits WEBHOOKS_RETRY_BASE_SECONDS * 4^(n-1) (30 s, 2 min,
8 min, 32 min, 2 h, 8.5 h, then 12 h), WEBHOOKS_MAX_ATTEMPTS (12) in all: about three days.
A receiver answering 410 Gone is disabled at once; one that still fails after the last attempt
is disabled too, and the endpoint's maker is told by email.
"""
from __future__ import annotations

import http.client
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext
from sqlalchemy import and_, func, or_, select, update

from ..extensions import db
from ..sealing import UnsealError, unseal
from ..jobs import app_task, huey
from ..types import utcnow
from .destinations import UnsafeDestination, connection_for
from .endpoints import stop_endpoint
from .models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .signing import signed_headers
from ..config import setting

log = logging.getLogger(__name__)

USER_AGENT = "confapp-webhooks/1"


def lease_seconds() -> float:
    return float(setting("WEBHOOKS_LEASE_SECONDS", 120))


def timeout_seconds() -> float:
    return float(setting("WEBHOOKS_TIMEOUT_SECONDS", 10))


def max_attempts() -> int:
    return int(setting("WEBHOOKS_MAX_ATTEMPTS", 12))


def backoff(attempts: int) -> timedelta:
    """The wait after `attempts` failed tries: base * 4^(attempts-1), at most 12 h."""
    base = float(setting("WEBHOOKS_RETRY_BASE_SECONDS", 30))
    return timedelta(seconds=min(base * 4 ** max(attempts - 1, 0), 12 * 3600))


def _due(now: datetime):
    return or_(
        and_(WebhookDelivery.state == DeliveryState.PENDING,
             or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now)),
        # A claim whose worker died (or hangs past its lease): send again, same webhook-id.
        and_(WebhookDelivery.state == DeliveryState.SENDING, WebhookDelivery.lease_until < now),
    )


@dataclass
class Claimed:
    """A claimed delivery as plain data: ORM rows expire at every commit of the loop."""

    id: int
    webhook_id: str
    payload: str
    attempts: int
    endpoint_id: int
    url: str
    sealed_secret: str
    claim_token: str


def claim(*, now: datetime, size: int) -> list[Claimed]:
    """Claim up to `size` due deliveries and commit the claim. Two workers racing take each row
    once: SKIP LOCKED on PostgreSQL hands them different rows, and the UPDATE re-checks the due
    condition (on SQLite, which has no row locks and serialises writers)."""
    ids = list(db.session.scalars(select(WebhookDelivery.id).where(_due(now)).order_by(WebhookDelivery.id)
                                  .limit(size).with_for_update(skip_locked=True)))
    if not ids:
        db.session.commit()
        return []
    token = uuid.uuid4().hex
    db.session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id.in_(ids), _due(now))
        .values(state=DeliveryState.SENDING, claim_token=token, lease_until=now + timedelta(seconds=lease_seconds()))
        .execution_options(synchronize_session=False))
    db.session.commit()
    rows = db.session.execute(
        select(WebhookDelivery.id, WebhookDelivery.webhook_id, WebhookDelivery.payload, WebhookDelivery.attempts,
               WebhookEndpoint.id, WebhookEndpoint.url, WebhookEndpoint.sealed_secret)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.claim_token == token).order_by(WebhookDelivery.id)).all()
    db.session.commit()  # no transaction stays open while we wait for receivers
    return [Claimed(*row, claim_token=token) for row in rows]


@dataclass
class Response:
    status: int | None
    error: str = ""
    duration_ms: int = 0


def post(url: str, headers: dict[str, str], body: str) -> Response:
    """One POST, no redirects followed (a redirect could lead anywhere), a bounded read."""
    started = time.monotonic()
    try:
        connection = connection_for(url, timeout=timeout_seconds())  # checked, and pinned to what was checked
        parts = urlsplit(url)
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.request("POST", path, body=body.encode(), headers={
                **headers, "Content-Type": "application/json", "User-Agent": USER_AGENT})
            response = connection.getresponse()
            response.read(64 * 1024)
            status = response.status
        finally:
            connection.close()
    except UnsafeDestination as error:
        return Response(None, str(error), int((time.monotonic() - started) * 1000))
    except (OSError, http.client.HTTPException) as error:
        return Response(None, (f"{type(error).__name__}: {error}")[:500], int((time.monotonic() - started) * 1000))
    return Response(status, "" if 200 <= status < 300 else f"HTTP {status}", int((time.monotonic() - started) * 1000))


@dataclass
class Run:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    disabled: list[int] = field(default_factory=list)
    lost_claims: int = 0


def _record(item: Claimed, response: Response, now: datetime, run: Run) -> None:
    """Write one attempt's outcome, under our claim only; disable an endpoint that is gone."""
    attempts = item.attempts + 1
    values: dict = {"attempts": attempts, "last_attempt_at": now, "response_code": response.status,
                    "last_error": response.error[:500], "claim_token": None, "lease_until": None}
    gone = response.status == 410
    if response.status is not None and 200 <= response.status < 300:
        values.update(state=DeliveryState.DELIVERED, delivered_at=now, next_attempt_at=None)
    elif gone or attempts >= max_attempts():
        values.update(state=DeliveryState.FAILED, next_attempt_at=None)
    else:
        values.update(state=DeliveryState.PENDING, next_attempt_at=now + backoff(attempts))
    written = db.session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id == item.id, WebhookDelivery.claim_token == item.claim_token,
                                      WebhookDelivery.state == DeliveryState.SENDING)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if not written:
        # Our lease ran out and another worker took the row: its outcome is the one kept.
        run.lost_claims += 1
        return
    db.session.add(WebhookAttempt(delivery_id=item.id, attempted_at=now, response_code=response.status,
                                  error=response.error[:500], duration_ms=response.duration_ms))
    state = values["state"]
    if state == DeliveryState.DELIVERED:
        run.delivered += 1
    elif state == DeliveryState.PENDING:
        run.retrying += 1
    else:
        run.failed += 1
        _disable(item.endpoint_id, gone, attempts, response.error, now, run)


def _disable(endpoint_id: int, gone: bool, attempts: int, error: str, now: datetime, run: Run) -> None:
    from ..accounts.models import User
    from ..audit.services import SYSTEM, record
    from ..events.content_languages import default_language
    from ..i18n import in_language

    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not endpoint.active:
        return
    maker = db.session.get(User, endpoint.created_by_id) if endpoint.created_by_id else None
    # The reason is kept (the endpoint's page shows it) and mailed to its maker: in the maker's
    # language (else the event's), as a person in the organisers' team reads it; a job has none.
    with in_language(getattr(maker, "locale", None) or default_language(endpoint.event)):
        reason = (gettext("The receiver answered 410 Gone.") if gone
                  else gettext("Still failing after %(num)d attempts: %(error)s", num=attempts, error=error))[:300]
        stop_endpoint(endpoint, reason=reason, now=now)
        record("webhooks.endpoint_disabled", actor=SYSTEM, event=endpoint.event, target=endpoint,
               details={"automatic": True}, now=now)
        run.disabled.append(endpoint_id)
        _tell_the_maker(endpoint, maker, reason)


def _tell_the_maker(endpoint: WebhookEndpoint, maker, reason: str) -> None:
    from ..events.content_languages import tr
    from ..mail import queue_email
    from ..urls import external_url

    to = maker.email if maker is not None else endpoint.event.contact_email
    if not to:
        return
    queue_email(to, gettext("Webhook endpoint disabled: %(event)s", event=tr(endpoint.event, "title")),
                "webhooks_endpoint_disabled", event=endpoint.event, endpoint=endpoint, reason=reason,
                link=external_url("webhooks.endpoint_detail", slug=endpoint.event.slug, endpoint_id=endpoint.id))


def deliver_due(*, clock=utcnow, batch: int = 20, max_batches: int | None = None) -> Run:
    """Send every due delivery, batch by batch. Commits as it goes: it is the job's boundary."""
    run = Run()
    batches = 0
    while max_batches is None or batches < max_batches:
        items = claim(now=clock(), size=batch)
        if not items:
            break
        batches += 1
        for item in items:
            timestamp = clock()
            try:
                secret = unseal(item.sealed_secret)
            except UnsealError:
                # A worker started with another SECRET_KEY than the web hosts: an attempt that
                # failed, retried as usual once the configuration is mended; nothing is sent unsigned.
                response = Response(None, "the signing secret cannot be opened: this worker's SECRET_KEY differs")
            else:
                response = post(item.url, signed_headers(secret, item.webhook_id, timestamp, item.payload), item.payload)
            _record(item, response, clock(), run)
            db.session.commit()
    return run


def next_due_at() -> datetime | None:
    """When the earliest waiting delivery can be tried (a retry's time or a claim's lease end)."""
    pending, leased = db.session.execute(
        select(func.min(WebhookDelivery.next_attempt_at).filter(WebhookDelivery.state == DeliveryState.PENDING),
               func.min(WebhookDelivery.lease_until).filter(WebhookDelivery.state == DeliveryState.SENDING))).one()
    times = [t for t in (pending, leased) if t is not None]
    return min(times) if times else None


@app_task()
def send_webhooks() -> None:
    """The job queued after a commit that wrote deliveries; it schedules itself for the next
    retry (the minute tick in tasks.py is the safety net for a lost schedule)."""
    run = deliver_due()
    log.info("webhooks: %d delivered, %d to retry, %d failed", run.delivered, run.retrying, run.failed)
    wake = next_due_at()
    if wake is not None and not huey.immediate:
        send_webhooks.schedule(delay=max((wake - utcnow()).total_seconds(), 0) + 0.05)
