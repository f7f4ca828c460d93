"""Read side for the organiser pages: history, progress, deliveries, a person's mail log.
Each function runs a fixed number of queries whatever the number of messages or recipients."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from .models import Delivery, DeliveryState, Message, MessageKind, ReminderRule
from .services import delivery_counts

PAGE_SIZE = 50


@dataclass
class MessageRow:
    message: Message
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def message_history(event_id: int, kind: MessageKind, page: int = 1) -> tuple[list[MessageRow], int]:
    """Messages of one kind, newest first, with their delivery counts: three queries."""
    where = (Message.event_id == event_id, Message.kind == kind)
    total = db.session.scalar(select(func.count()).select_from(Message).where(*where)) or 0
    messages = list(db.session.scalars(
        select(Message).options(joinedload(Message.created_by)).where(*where)
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ))
    counts = delivery_counts([m.id for m in messages])
    pages = max(1, -(-total // PAGE_SIZE))
    return [MessageRow(m, counts[m.id]) for m in messages], pages


def progress(message: Message) -> dict:
    counts = delivery_counts([message.id])[message.id]
    total = sum(counts.values())
    done = counts["sent"] + counts["failed"] + counts["skipped"]
    return {"status": message.status.value, "total": total, "done": done, **counts,
            "finished": message.status.value in ("sent", "cancelled") or (total > 0 and done == total)}


def deliveries_page(message_id: int, page: int = 1, state: str | None = None) -> tuple[list[Delivery], int]:
    where = [Delivery.message_id == message_id]
    if state in {s.value for s in DeliveryState}:
        where.append(Delivery.state == state)
    total = db.session.scalar(select(func.count()).select_from(Delivery).where(*where)) or 0
    rows = list(db.session.scalars(select(Delivery).where(*where).order_by(Delivery.id)
                                   .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return rows, max(1, -(-total // PAGE_SIZE))


def person_log(event_id: int, address: str) -> list[Delivery]:
    """Every message of this event sent (or tried) to one address, newest first: one query."""
    return list(db.session.scalars(
        select(Delivery).join(Message, Message.id == Delivery.message_id)
        .options(joinedload(Delivery.message))
        .where(Message.event_id == event_id, Delivery.address == address.strip().lower())
        .order_by(Delivery.created_at.desc(), Delivery.id.desc())
    ))


def reminder_rules(event_id: int) -> list[ReminderRule]:
    return list(db.session.scalars(select(ReminderRule).options(joinedload(ReminderRule.event))
                                   .where(ReminderRule.event_id == event_id).order_by(ReminderRule.id)))
