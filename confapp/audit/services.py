"""Recording the audit trail. Every state-changing service calls `record`."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert

from ..extensions import db
from ..types import utcnow
from .models import AuditEntry


class SystemActor:
    """The actor for scheduled jobs and webhooks, which act for no user."""

    audit_label = "system"
    is_authenticated = False


SYSTEM = SystemActor()


def actor_identity(actor: Any) -> tuple[int | None, str]:
    """(user id, label) for a user, a volunteer link (anything with audit_label) or the system."""
    if actor is None:
        return None, "anonymous"
    user_id = getattr(actor, "audit_user_id", None)
    if user_id is None and getattr(actor, "is_authenticated", False) and hasattr(actor, "email"):
        user_id = actor.id
    label = getattr(actor, "audit_label", "")
    return user_id, label


def record(
    action: str,
    *,
    actor: Any,
    event: Any = None,
    target: Any = None,
    details: dict | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append an audit entry. `details` must hold ids and field names only, never personal data."""
    entry = AuditEntry(**_entry_values(action, actor, event, target, details, now))
    db.session.add(entry)
    return entry


def _entry_values(action: str, actor: Any, event: Any, target: Any, details: dict | None, now: datetime | None) -> dict:
    """An audit entry's columns, as record and record_now write them."""
    user_id, label = actor_identity(actor)
    return {
        "event_id": getattr(event, "id", None), "actor_user_id": user_id, "actor_label": label, "action": action,
        "target_type": type(target).__name__ if target is not None else "",
        "target_id": str(getattr(target, "id", "") or "") if target is not None else "",
        "details": details or {}, "created_at": now or utcnow(),
    }


def record_now(
    action: str,
    *,
    actor: Any,
    event: Any = None,
    target: Any = None,
    details: dict | None = None,
    now: datetime | None = None,
) -> None:
    """`record`, written at once with one Core INSERT instead of at the next flush: for paths that
    write their other rows with Core (placing an order, issue 16), so that their commit has no
    unit of work left to run. Nothing is returned: no one reads the entry back in that request."""
    db.session.connection().execute(_INSERT, _entry_values(action, actor, event, target, details, now))


_INSERT = insert(AuditEntry.__table__)
