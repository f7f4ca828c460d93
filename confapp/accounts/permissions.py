"""The one answer to "may this user do this to this event?".

Views, the API and services all ask here. Site administrators may do everything;
organisers everything on their own events; check-in staff only check-in actions.
"""
from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from ..errors import NotAllowed
from .models import Role

if TYPE_CHECKING:
    from ..events.models import Event
    from .models import User


class Action(enum.StrEnum):
    VIEW_DRAFT = "view_draft"
    EDIT_EVENT = "edit_event"
    PUBLISH_EVENT = "publish_event"
    MANAGE_ROLES = "manage_roles"
    VIEW_AUDIT = "view_audit"
    MANAGE_PROGRAM = "manage_program"
    MANAGE_REGISTRATIONS = "manage_registrations"
    VIEW_REGISTRATIONS = "view_registrations"
    MANAGE_PAYMENTS = "manage_payments"
    CHECK_IN = "check_in"
    MANAGE_CHECKIN = "manage_checkin"
    SEND_MESSAGES = "send_messages"
    MANAGE_REPORTS = "manage_reports"
    PURGE_DATA = "purge_data"


# What each event role allows. Organisers: everything on their event.
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ORGANISER: frozenset(Action),
    Role.CHECKIN_STAFF: frozenset({Action.CHECK_IN}),
}

def role_on(user: "User | None", event: "Event") -> Role | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    for role in user.roles:
        if role.event_id == event.id:
            return role.role
    return None


def can(user: "User | None", action: Action | str, event: "Event | None" = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_site_admin:
        return True
    if event is None:
        return False
    role = role_on(user, event)
    return role is not None and Action(action) in ROLE_ACTIONS[role]


def require(user: "User | None", action: Action | str, event: "Event | None" = None) -> None:
    if not can(user, action, event):
        raise NotAllowed()


def can_create_event(user: "User | None") -> bool:
    """Site administrators, and anyone already organising an event, may start a new one."""
    if not (user and getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return user.is_site_admin or any(role.role == Role.ORGANISER for role in user.roles)
