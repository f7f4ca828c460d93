"""Claiming rows under a lease: the outbox pattern shared by outreach's deliveries and
registration's mail outbox.

A worker marks due rows as its own (a fresh claim token and `lease_until`) with one
conditional UPDATE; the caller commits. A worker that dies leaves its rows claimed until the
lease runs out, when the table's own "due" condition makes them claimable again. Work done
under a claim is fenced by the token: the row is only finished `WHERE claim_token = <ours>`,
so a worker whose lease ran out and was taken over finishes nothing.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from .extensions import db


@dataclass(frozen=True)
class Claim:
    token: str
    lease_until: datetime
    ids: list[int]


def claim_rows(model, due, *, now: datetime, size: int, lease_seconds: float, **values) -> Claim | None:
    """Claim up to `size` rows of `model` matching `due` (oldest id first), setting `values` too.
    Flushes nothing and commits nothing: the caller commits to make the claim durable.

    The table needs `id`, `claim_token` and `lease_until` columns, and `due` must stop matching
    a row once it is claimed (until its lease runs out)."""
    # SKIP LOCKED (PostgreSQL): workers racing for the same rows take different ones instead of
    # queueing behind each other's claims and finding nothing left. SQLite serialises writers.
    ids = list(db.session.scalars(select(model.id).where(due).order_by(model.id).limit(size)
                                  .with_for_update(skip_locked=True)))
    if not ids:
        return None
    token = uuid.uuid4().hex
    lease_until = now + timedelta(seconds=lease_seconds)
    # Re-checked in the UPDATE: on SQLite (no row locks) another worker may have claimed a row
    # between our SELECT and here; the condition makes each row go to one worker only.
    db.session.execute(
        update(model).where(model.id.in_(ids), due)
        .values(claim_token=token, lease_until=lease_until, **values)
        .execution_options(synchronize_session=False)
    )
    return Claim(token, lease_until, ids)
