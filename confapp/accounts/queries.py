from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from .models import EventRole, RoleInvitation


def event_team(event_id: int) -> tuple[list[EventRole], list[RoleInvitation]]:
    """The event's role holders (with their users) and its open invitations: two queries."""
    roles = db.session.scalars(
        select(EventRole).options(joinedload(EventRole.user)).where(EventRole.event_id == event_id).order_by(EventRole.role, EventRole.id)
    ).all()
    invitations = db.session.scalars(
        select(RoleInvitation)
        .where(RoleInvitation.event_id == event_id, RoleInvitation.accepted_at.is_(None), RoleInvitation.revoked_at.is_(None))
        .order_by(RoleInvitation.created_at.desc())
    ).all()
    return list(roles), list(invitations)
