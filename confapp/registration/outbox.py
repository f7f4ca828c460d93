"""The registration mail outbox: confirmations, approval and payment links, rejections,
cancellations, waitlist mail and change notices are promised in the transaction that decides them and rendered
by a job after commit.

* `queue()` inserts a `RegistrationMail` row beside the order (or the entry) it is about and
  queues the render job after commit. The row commits with the decision or not at all: a
  committed order always gets its mail, a rolled-back one never does.
* `process()` claims due rows under a lease (`confapp.leases`, SKIP LOCKED on PostgreSQL),
  renders each (templates, QR code, calendar file) into outreach's transactional log, and marks
  it done in the same transaction, fenced by the claim token. Outreach's engine sends what it
  logged, exactly once per delivery (outreach/delivery.py).
* A web worker killed between commit and enqueue, a consumer killed after taking the job, or
  one killed while rendering, leaves the row pending or claimed: the minute sweep and the
  consumer's start-up sweep take it once its lease has run out. A render that raises is retried
  with backoff and, after `REGISTRATION_MAIL_MAX_ATTEMPTS`, kept as failed with the error.

Rendering after commit also keeps the request short: the confirm step writes one row instead
of building the email, its QR code and calendar file while holding the write lock.
"""
from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, and_, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .. import leases
from ..extensions import db
from ..jobs import app_task, enqueue_after_commit, huey
from ..types import StrEnumType, UTCDateTime, utcnow
from ..config import setting

log = logging.getLogger(__name__)


class MailKind(enum.StrEnum):
    CONFIRMATION = "confirmation"
    PENDING_APPROVAL = "pending_approval"
    PAYMENT_LINK = "payment_link"
    REJECTION = "rejection"
    CANCELLATION = "cancellation"
    WAITLIST_JOINED = "waitlist_joined"
    WAITLIST_OFFER = "waitlist_offer"
    CHANGE_NOTICE = "change_notice"  # the event's date or time changed (emails.send_change_notices)
    # Several editions of a series one person is registered for moved at once: one notice
    # listing them (emails.send_series_change_notice).
    SERIES_CHANGE_NOTICE = "series_change_notice"


class MailState(enum.StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"  # a worker renders it under a lease
    DONE = "done"  # rendered into outreach's log, whose engine sends it
    FAILED = "failed"


class RegistrationMail(db.Model):
    """The registration mail outbox: written in the transaction that decides a mail is
    due (an order placed, approved, cancelled, a waitlist offer), so a commit guarantees the mail.
    A job renders it after commit under a lease. `params` holds what the row cannot re-read (the
    organiser's message, a refund amount) and is emptied once rendered."""

    __tablename__ = "registration_mail_outbox"
    __table_args__ = (Index("ix_registration_mail_outbox_state_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    kind: Mapped[MailKind] = mapped_column(StrEnumType(MailKind))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    waitlist_entry_id: Mapped[int | None] = mapped_column(ForeignKey("waitlist_entries.id", ondelete="CASCADE"))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[MailState] = mapped_column(StrEnumType(MailState), default=MailState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The outreach messages it became (their deliveries are the mail log), for tracing.
    message_ids: Mapped[list] = mapped_column(JSON, default=list)
    error: Mapped[str] = mapped_column(String(500), default="")


# --- the job -----------------------------------------------------------------------------------


def lease_seconds() -> float:
    return float(setting("REGISTRATION_MAIL_LEASE_SECONDS", 120))


def max_attempts() -> int:
    return int(setting("REGISTRATION_MAIL_MAX_ATTEMPTS", 6))


def retry_base_seconds() -> float:
    return float(setting("REGISTRATION_MAIL_RETRY_BASE_SECONDS", 60))


BATCH_SIZE = 50

# emails.py renders (it sits above this module: it queues through `queue`).
_renderer: Callable[["RegistrationMail"], list] | None = None


def use_renderer(render: Callable[["RegistrationMail"], list]) -> None:
    global _renderer
    _renderer = render


def queue(kind: MailKind, *, event_id: int, order=None, registration=None, entry=None, **params) -> RegistrationMail:
    """Promise a mail in the current transaction; the render job runs after commit."""
    row = RegistrationMail(
        event_id=event_id, kind=kind, order_id=getattr(order, "id", None),
        registration_id=getattr(registration, "id", None), waitlist_entry_id=getattr(entry, "id", None),
        params=params, state=MailState.PENDING, attempts=0, created_at=utcnow(), message_ids=[], error="",
    )
    db.session.add(row)
    db.session.flush()
    enqueue_after_commit(db.session(), render_mail, [row.id])
    return row


def _due(now: datetime):
    return or_(
        and_(RegistrationMail.state == MailState.PENDING,
             or_(RegistrationMail.next_attempt_at.is_(None), RegistrationMail.next_attempt_at <= now)),
        # A worker that died rendering (killed, host lost): its lease ran out, nothing was logged.
        and_(RegistrationMail.state == MailState.CLAIMED, RegistrationMail.lease_until < now),
    )


@dataclass
class OutboxRun:
    rendered: int = 0
    retried: int = 0
    failed: int = 0
    lost: int = 0  # claims taken over by another worker before we finished
    wake_at: datetime | None = None


def process(*, ids: list[int] | None = None, clock=utcnow, size: int = BATCH_SIZE) -> OutboxRun:
    """Render due rows (only `ids` if given), committing each one; it is the job's boundary."""
    run = OutboxRun()
    while True:
        now = clock()
        due = _due(now) if ids is None else and_(RegistrationMail.id.in_(ids), _due(now))
        claimed = leases.claim_rows(RegistrationMail, due, now=now, size=size, lease_seconds=lease_seconds(),
                                    state=MailState.CLAIMED, attempts=RegistrationMail.attempts + 1)
        db.session.commit()
        if claimed is None:
            break
        for row_id in claimed.ids:
            _render_one(row_id, claimed.token, clock, run)
        if ids is not None:
            break
    run.wake_at = next_due()
    return run


def _render_one(row_id: int, token: str, clock, run: OutboxRun) -> None:
    row = db.session.get(RegistrationMail, row_id)
    if row is None or row.claim_token != token:
        db.session.rollback()
        run.lost += 1
        return
    try:
        messages = _renderer(row)
        # Fenced by the token: a worker whose lease ran out and was taken over logs nothing.
        done = db.session.execute(
            update(RegistrationMail)
            .where(RegistrationMail.id == row_id, RegistrationMail.claim_token == token,
                   RegistrationMail.state == MailState.CLAIMED)
            .values(state=MailState.DONE, done_at=clock(), claim_token=None, lease_until=None, params={},
                    message_ids=[m.id for m in messages], error="")
            .execution_options(synchronize_session=False)
        ).rowcount
        if not done:
            db.session.rollback()
            run.lost += 1
            return
        db.session.commit()  # outreach queues the deliveries after this commit
        run.rendered += 1
    except Exception as error:  # noqa: BLE001 - recorded on the row and retried
        db.session.rollback()
        log.exception("could not render registration mail %s", row_id)
        _give_back(row_id, token, error, clock(), run)


def _give_back(row_id: int, token: str, error: Exception, now: datetime, run: OutboxRun) -> None:
    row = db.session.get(RegistrationMail, row_id)
    if row is None or row.claim_token != token:
        db.session.rollback()
        return
    values = dict(claim_token=None, lease_until=None, error=f"{type(error).__name__}: {error}"[:500])
    if row.attempts >= max_attempts():
        values.update(state=MailState.FAILED)
        run.failed += 1
    else:
        delay = min(retry_base_seconds() * 2 ** max(row.attempts - 1, 0), 6 * 3600)
        values.update(state=MailState.PENDING, next_attempt_at=now + timedelta(seconds=delay))
        run.retried += 1
    db.session.execute(update(RegistrationMail).where(RegistrationMail.id == row_id, RegistrationMail.claim_token == token)
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


def next_due() -> datetime | None:
    """When the next row becomes claimable (a retry's time or a held lease's end), if any."""
    ready = func.coalesce(RegistrationMail.lease_until, RegistrationMail.next_attempt_at)
    earliest = db.session.scalar(select(func.min(ready)).where(
        RegistrationMail.state.in_([MailState.PENDING, MailState.CLAIMED])))
    db.session.commit()
    if earliest is not None and earliest.tzinfo is None:
        earliest = earliest.replace(tzinfo=timezone.utc)
    return earliest


def schedule_wake(run: OutboxRun) -> None:
    """A sweep at the next lease end or retry; later ones are the minute tick's (so a far retry
    does not collect one scheduled job per tick)."""
    if run.wake_at is None or huey.immediate:
        return
    delay = max((run.wake_at - utcnow()).total_seconds(), 0) + 0.05
    if delay <= 60:
        sweep_mail.schedule(delay=delay)


@app_task()
def render_mail(ids: list[int]) -> None:
    run = process(ids=ids)
    if run.retried:
        schedule_wake(run)


@app_task()
def sweep_mail() -> None:
    """Every due row: the minute tick and the consumer's start-up run it; it wakes itself again
    for rows whose lease or retry time has not come yet."""
    run = process()
    if run.rendered or run.retried or run.failed:
        log.info("registration mail: %d rendered, %d retried, %d failed", run.rendered, run.retried, run.failed)
    schedule_wake(run)


@huey.on_startup("registration-mail-sweep")
def _sweep_on_startup() -> None:
    # A restarted consumer takes what the previous one (or a killed web worker) left.
    if not huey.immediate:
        sweep_mail()
