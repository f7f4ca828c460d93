from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from .models import AuditEntry


def event_audit_page(event_id: int, page: int, per_page: int = 50) -> tuple[list[AuditEntry], int]:
    """One page of an event's audit log, newest first, with actors loaded in the same query."""
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.event_id == event_id))
    entries = db.session.scalars(
        select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .where(AuditEntry.event_id == event_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(entries), total or 0
