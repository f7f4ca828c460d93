"""Sending a message: materialising its deliveries, the delivery job, and waking it again.

A worker killed mid-task loses the huey task itself (huey dequeues before running), so
the minute tick (tasks.py) and the consumer's start-up hook look for unfinished messages
and wake them.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from ..audit.services import record
from ..extensions import db
from ..jobs import app_task, enqueue_after_commit, huey
from ..types import utcnow
from ..webhooks import outbox
from .delivery import setting, deliver, materialize
from .models import Message, MessageStatus

log = logging.getLogger(__name__)


def start_sending(message: Message, *, actor, now: datetime) -> None:
    """Materialise the deliveries of a message now and queue its delivery job after commit."""
    message.status = MessageStatus.SENDING
    message.sent_at = now
    result = materialize(message, now=now)
    db.session.flush()
    record("outreach.message_sent", actor=actor, event=message.event, target=message, now=now,
           details={"kind": message.kind.value, "queued": result.queued,
                    "skipped_unsubscribed": result.skipped_unsubscribed,
                    "reminder_rule_id": message.reminder_rule_id})
    outbox.emit_message_sent(message, queued=result.queued, now=now)
    for _job in range(delivery_jobs()):
        enqueue_after_commit(db.session(), deliver_message, message.id)


def delivery_jobs() -> int:
    """How many delivery jobs share one message's deliveries (OUTREACH_DELIVERY_JOBS, default 1).
    Each claims batches until none are left (claims are exclusive, so they never send a delivery
    twice); with consumers on several hosts, more jobs than one consumer's threads put every
    host's consumer to work on a large send, and a consumer that dies mid-send leaves the rest to
    the others' jobs (its claims come back when their lease runs out)."""
    return max(1, int(setting("OUTREACH_DELIVERY_JOBS", 1)))


@app_task()
def deliver_message(message_id: int) -> None:
    now = utcnow()
    db.session.execute(update(Message).where(Message.id == message_id, Message.wakeup_at <= now)
                       .values(wakeup_at=None).execution_options(synchronize_session=False))
    db.session.commit()
    run = deliver(message_id)
    log.info("message %s: %d sent, %d failed, %d deferred%s", message_id, run.sent, run.failed, run.deferred,
             " (connection lost)" if run.connection_lost else "")
    if run.wake_at is not None:
        schedule_wakeup(message_id, run.wake_at, now=utcnow())


def schedule_wakeup(message_id: int, at: datetime, *, now: datetime) -> bool:
    """Schedule one delivery job at `at`, unless one is already due at or before then."""
    at = max(at, now)
    won = db.session.execute(
        update(Message)
        .where(Message.id == message_id,
               or_(Message.wakeup_at.is_(None), Message.wakeup_at > at, Message.wakeup_at < now - timedelta(minutes=5)))
        .values(wakeup_at=at).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if won and not huey.immediate:
        deliver_message.schedule(args=(message_id,), delay=max((at - now).total_seconds(), 0) + 0.05)
    return bool(won)


def resume_unfinished(*, now: datetime) -> int:
    """Wake every message still sending whose job is not known to be scheduled."""
    ids = list(db.session.scalars(
        select(Message.id).where(Message.status == MessageStatus.SENDING,
                                 or_(Message.wakeup_at.is_(None), Message.wakeup_at < now - timedelta(minutes=5)))
    ))
    for message_id in ids:
        deliver_message(message_id)
    return len(ids)


@huey.on_startup("outreach-resume")
def _resume_on_startup() -> None:
    # A restarted consumer picks up what the previous one left: enqueue a resume job.
    if not huey.immediate:
        resume_job()


@app_task()
def resume_job() -> None:
    resume_unfinished(now=utcnow())
