"""The delivery engine: materialise a message's recipients, then send in batches over one
SMTP connection, recording each recipient's outcome.

Exactly-once, as far as SMTP allows
-----------------------------------
The server's acceptance of the final "." of DATA is the point of no return. For each
delivery we send MAIL FROM, RCPT TO, DATA and the whole content, then *commit*
`handed_over_at`, and only then send the final "." and read the reply. So:

* a row claimed (state `sending`) but never handed over never reached the point of no
  return: when its lease runs out (worker killed, host lost) it is simply queued again.
  No duplicate, nobody skipped.
* a server that closes the connection instead of answering the "." did not take the message
  (servers reply as soon as they store it): the row goes back to the queue, so an SMTP outage
  loses nothing.
* a row handed over but without a recorded reply is *in doubt*: the worker stopped in the
  few microseconds between committing and writing "." or while waiting for the reply, or the
  reply did not come in time.
  We resolve it as sent (`unconfirmed=True`), i.e. **at-most-once**: a second copy in
  someone's inbox is the worse failure for announcements, and the organiser can see and
  resend unconfirmed deliveries from the person's mail log (flagged there). This loses a
  message only when the kill lands between that commit and the server's reading of "."
  (aiosmtpd, for one, drops a transaction whose "." arrives together with the client's FIN).

Each outcome is committed together with the next delivery's handover (one commit per
message). Temporary refusals (4xx) go back to the queue with exponential backoff;
permanent ones (5xx) are recorded with the server's reply; a server that cannot be
reached or drops the connection leaves the rows queued and wakes the job again later.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, case, func, insert, or_, select, update

from .. import leases
from ..extensions import db
from ..types import utcnow
from . import segments, versions
from .building import MessageBuilder
from .mime import address_header, build_mime  # noqa: F401  (part of this module's API)
from .models import Delivery, DeliveryState, Message, MessageKind, MessageStatus, SkipReason, Unsubscribe
from .smtp import ConnectionLost, Outcome, SmtpSession
from ..config import setting

log = logging.getLogger(__name__)


def lease_seconds() -> float:
    return float(setting("OUTREACH_LEASE_SECONDS", 120))


def retry_base_seconds() -> float:
    return float(setting("OUTREACH_RETRY_BASE_SECONDS", 60))


def max_attempts() -> int:
    return int(setting("OUTREACH_MAX_ATTEMPTS", 6))


def batch_size() -> int:
    return int(setting("OUTREACH_BATCH_SIZE", 50))


def backoff(attempts: int) -> timedelta:
    """60 s, 2 min, 4 min, ... capped at 6 h (base configurable)."""
    return timedelta(seconds=min(retry_base_seconds() * 2 ** max(attempts - 1, 0), 6 * 3600))


# --- materialising recipients -------------------------------------------------------------

@dataclass
class MaterializeResult:
    queued: int = 0
    skipped_unsubscribed: int = 0
    already_present: int = 0


def unsubscribed_addresses(event_id: int) -> set[str]:
    return set(db.session.scalars(
        select(Unsubscribe.address).where(or_(Unsubscribe.event_id == event_id, Unsubscribe.event_id.is_(None)))
    ))


def materialize(message: Message, *, now: datetime) -> MaterializeResult:
    """Resolve the segment as it stands now into one delivery row per address (one query for
    the segment, one bulk insert). Unsubscribed people get a `skipped` row so they are counted.
    Idempotent: addresses that already have a row for this message are left alone."""
    result = MaterializeResult()
    if message.materialized_at is not None:
        return result
    recipients = segments.resolve(message.event_id, message.segment)
    event = message.event
    existing = set(db.session.scalars(select(Delivery.address).where(Delivery.message_id == message.id)))
    blocked = unsubscribed_addresses(message.event_id) if message.kind == MessageKind.ANNOUNCEMENT else set()
    rows = []
    for recipient in recipients:
        if recipient.address in existing:
            result.already_present += 1
            continue
        skipped = recipient.address in blocked
        rows.append(dict(
            message_id=message.id, address=recipient.address, name=recipient.full_name[:250],
            registration_id=recipient.registration_id,
            # Transactional mail is rendered already, in its reader's language; an announcement's
            # version is chosen per delivery by this language (versions.py).
            language=versions.reader_language(event, recipient.language) if message.kind == MessageKind.ANNOUNCEMENT else None,
            state=DeliveryState.SKIPPED if skipped else DeliveryState.QUEUED,
            skip_reason=SkipReason.UNSUBSCRIBED.value if skipped else "",
            attempts=0, next_attempt_at=None, created_at=now, unconfirmed=False,
        ))
        if skipped:
            result.skipped_unsubscribed += 1
        else:
            result.queued += 1
    for start in range(0, len(rows), 500):
        db.session.execute(insert(Delivery), rows[start:start + 500])
    message.materialized_at = now
    db.session.flush()
    return result


# --- claiming -------------------------------------------------------------------------------

def _claimable(message_id: int, now: datetime):
    return and_(
        Delivery.message_id == message_id,
        or_(
            and_(Delivery.state == DeliveryState.QUEUED,
                 or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now)),
            # A claim whose worker died before handing the message over: safe to send again.
            and_(Delivery.state == DeliveryState.SENDING, Delivery.lease_until < now, Delivery.handed_over_at.is_(None)),
        ),
    )


def resolve_in_doubt(message_id: int, *, now: datetime) -> int:
    """Handed over, no reply recorded, lease over: the worker died at the point of no return.
    Resolved as sent-unconfirmed (at-most-once; see the module docstring)."""
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.message_id == message_id, Delivery.state == DeliveryState.SENDING,
               Delivery.lease_until < now, Delivery.handed_over_at.is_not(None))
        .values(state=DeliveryState.SENT, unconfirmed=True, sent_at=Delivery.handed_over_at, claim_token=None,
                smtp_reply="No reply recorded: the worker stopped after handing the message to the server.")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def claim(message_id: int, *, now: datetime, size: int) -> list["Claimed"]:
    """Mark up to `size` due deliveries as ours (state `sending`, a lease, a token) and commit.
    The conditional UPDATE makes two workers racing for the same rows take each row once."""
    claimed = leases.claim_rows(Delivery, _claimable(message_id, now), now=now, size=size,
                                lease_seconds=lease_seconds(), state=DeliveryState.SENDING, handed_over_at=None)
    db.session.commit()
    if claimed is None:
        return []
    token, lease_until = claimed.token, claimed.lease_until
    rows = db.session.execute(
        select(Delivery.id, Delivery.address, Delivery.name, Delivery.registration_id, Delivery.attempts,
               Delivery.language)
        .where(Delivery.claim_token == token).order_by(Delivery.id)
    )
    return [Claimed(*row, claim_token=token, lease_until=lease_until) for row in rows]


@dataclass
class Claimed:
    """A claimed delivery as plain data (ORM objects expire at every commit of the loop)."""

    id: int
    address: str
    name: str
    registration_id: int | None
    attempts: int
    language: str | None
    claim_token: str
    state: DeliveryState = DeliveryState.SENDING
    lease_until: datetime | None = None


# --- the loop -------------------------------------------------------------------------------

@dataclass
class DeliveryRun:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    in_doubt: int = 0
    connection_lost: bool = False
    finished: bool = False
    wake_at: datetime | None = None
    errors: list[str] = field(default_factory=list)


def _record(outcome: Outcome, delivery: Delivery, now: datetime, run: DeliveryRun) -> None:
    values: dict = {"claim_token": None, "lease_until": None, "smtp_reply": outcome.reply}
    if outcome.code == 0:  # in doubt: at-most-once
        values.update(state=DeliveryState.SENT, unconfirmed=True, sent_at=now, attempts=delivery.attempts + 1)
        run.in_doubt += 1
    elif outcome.accepted:
        values.update(state=DeliveryState.SENT, sent_at=now, attempts=delivery.attempts + 1)
        run.sent += 1
    elif outcome.temporary and delivery.attempts + 1 < max_attempts():
        values.update(state=DeliveryState.QUEUED, attempts=delivery.attempts + 1, handed_over_at=None,
                      next_attempt_at=now + backoff(delivery.attempts + 1))
        run.deferred += 1
    else:
        attempts = delivery.attempts + 1
        reply = outcome.reply if not outcome.temporary else f"Gave up after {attempts} attempts: {outcome.reply}"
        values.update(state=DeliveryState.FAILED, attempts=attempts, smtp_reply=reply[:500])
        run.failed += 1
    db.session.execute(update(Delivery).where(Delivery.id == delivery.id).values(**values)
                       .execution_options(synchronize_session=False))


def _release(deliveries: list[Delivery], now: datetime, delay: timedelta) -> None:
    """Give claimed, never-handed-over rows back to the queue (connection trouble: no attempt counted)."""
    if not deliveries:
        return
    db.session.execute(
        update(Delivery)
        .where(Delivery.id.in_([d.id for d in deliveries]), Delivery.state == DeliveryState.SENDING)
        .values(state=DeliveryState.QUEUED, claim_token=None, lease_until=None, handed_over_at=None,
                next_attempt_at=now + delay)
        .execution_options(synchronize_session=False)
    )


def deliver(message_id: int, *, clock=utcnow, max_batches: int | None = None) -> DeliveryRun:
    """Send every due delivery of a message. Commits as it goes (it is the job's boundary).

    Returns what happened and, if work remains (retries, leases held elsewhere, a server that
    was down), when to wake again; the caller schedules that."""
    run = DeliveryRun()
    message = db.session.get(Message, message_id)
    if message is None or message.status != MessageStatus.SENDING:
        run.finished = True
        return run
    if message.materialized_at is None:
        materialize(message, now=clock())
    resolve_in_doubt(message_id, now=clock())
    db.session.commit()
    builder = MessageBuilder(message)
    session = SmtpSession()
    batches = 0
    try:
        while max_batches is None or batches < max_batches:
            batch = claim(message_id, now=clock(), size=batch_size())
            if not batch:
                break
            batches += 1
            if session.connection is None:
                try:
                    session.open()
                except ConnectionLost as error:
                    run.connection_lost = True
                    run.errors.append(str(error))
                    _release(batch, clock(), timedelta(seconds=float(setting("OUTREACH_CONNECT_RETRY_SECONDS", 60))))
                    db.session.commit()
                    break
            if not _send_batch(session, builder, batch, clock, run):
                break
    finally:
        session.close()
    _finish_or_wake(message, clock(), run)
    db.session.commit()
    return run


def _send_batch(session: SmtpSession, builder: MessageBuilder, batch: list[Delivery], clock, run: DeliveryRun) -> bool:
    """False if the connection was lost (the rest of the batch is released)."""
    prepared = builder.prepare(batch)
    by_id = {d.id: d for d in batch}
    for index, item in enumerate(prepared):
        delivery = by_id[item.delivery_id]
        try:
            refused = session.offer(builder.sender_address, item)
            if refused is not None:
                _record(refused, delivery, clock(), run)
                db.session.commit()
                continue
            # Fenced by the claim token: if our lease ran out and another worker took the row,
            # this updates nothing and we abandon the transaction before the point of no return.
            handed = db.session.execute(
                update(Delivery)
                .where(Delivery.id == delivery.id, Delivery.claim_token == delivery.claim_token,
                       Delivery.state == DeliveryState.SENDING)
                .values(handed_over_at=clock())
                .execution_options(synchronize_session=False)
            ).rowcount
            db.session.commit()  # the handover is durable before the point of no return
            if not handed:
                session.abort()
                run.errors.append("claim lost")
                return False
            outcome = session.commit_point(delivery.id)
        except ConnectionLost as error:
            run.connection_lost = True
            run.errors.append(str(error))
            session.abort()
            _release(batch[index:], clock(), timedelta(seconds=float(setting("OUTREACH_CONNECT_RETRY_SECONDS", 60))))
            db.session.commit()
            return False
        _record(outcome, delivery, clock(), run)
        if outcome.code == 0:
            session.abort()
            _release(batch[index + 1:], clock(), timedelta(0))
            db.session.commit()
            return False
        # Committed with the next handover (or at the end of the batch): one commit per message.
    db.session.commit()
    return True


def remaining(message_id: int) -> tuple[int, datetime | None]:
    """How many deliveries are not final yet, and the earliest time one can be tried
    (a queued row's next attempt, or a claimed row's lease end)."""
    ready_at = case((Delivery.state == DeliveryState.SENDING, Delivery.lease_until), else_=Delivery.next_attempt_at)
    count, earliest, undated = db.session.execute(
        select(func.count(), func.min(ready_at),
               func.sum(case((and_(Delivery.state == DeliveryState.QUEUED, Delivery.next_attempt_at.is_(None)), 1), else_=0)))
        .where(Delivery.message_id == message_id, Delivery.state.in_([DeliveryState.QUEUED, DeliveryState.SENDING]))
    ).one()
    if undated:
        return count or 0, utcnow()
    if earliest is not None and earliest.tzinfo is None:
        earliest = earliest.replace(tzinfo=timezone.utc)
    return count or 0, earliest


def _finish_or_wake(message: Message, now: datetime, run: DeliveryRun) -> None:
    count, earliest = remaining(message.id)
    if count == 0:
        db.session.execute(
            update(Message).where(Message.id == message.id, Message.status == MessageStatus.SENDING)
            .values(status=MessageStatus.SENT, finished_at=now, wakeup_at=None)
            .execution_options(synchronize_session=False)
        )
        run.finished = True
        return
    run.wake_at = max(earliest or now, now)

