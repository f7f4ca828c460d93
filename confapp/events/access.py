"""Loading an event for a page, with the permission check every management view needs."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..accounts import permissions
from ..extensions import login_manager
from .content_languages import use_event_language
from .models import Event, EventStatus
from .queries import event_by_slug


def managed_event(slug: str, action: permissions.Action) -> Event:
    """The event, if the current user may do `action` on it: 404 if unknown, login or 403 otherwise."""
    event = event_by_slug(slug)
    if event is None:
        abort(404)
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not permissions.can(current_user, action, event):
        abort(403)
    use_event_language(event)
    return event


def visible_event(slug: str) -> Event:
    """A public event page: published and archived events for everyone, drafts for their organisers."""
    return check_visible(event_by_slug(slug))


def check_visible(event: Event | None) -> Event:
    """The event if the current visitor may see its public pages; 404 otherwise."""
    if event is None:
        abort(404)
    if event.status == EventStatus.DRAFT and not permissions.can(current_user, permissions.Action.VIEW_DRAFT, event):
        abort(404)
    use_event_language(event)
    return event
