"""Who is at the desk for this request: a staff member's session or a volunteer link's token.
Shared by the desk's JSON calls and the organiser's desk page."""
from __future__ import annotations

from flask import abort, current_app, request
from flask_babel import gettext
from flask_login import current_user

from ..accounts.permissions import Action, can
from ..errors import NotAllowed
from ..extensions import csrf, db
from ..types import utcnow
from . import services
from .models import CheckInList

LINK_HEADER = "X-Checkin-Link"


def desk_for_request(list_id: int | None = None, token: str | None = None):
    """(list, actor) for this request, or an error answered as JSON."""
    token = token or request.headers.get(LINK_HEADER)
    now = utcnow()
    if token:
        link = services.link_from_token(token, now=now)
        if list_id is not None and link.list_id != list_id:
            raise NotAllowed(gettext("This link opens another list."))
        return link.list, services.LinkActor(link)
    checkin_list = db.session.get(CheckInList, list_id) if list_id is not None else None
    if checkin_list is None:
        abort(404)
    if not current_user.is_authenticated:
        abort(401, gettext("Log in, or open the desk through a check-in link."))
    if not can(current_user, Action.CHECK_IN, checkin_list.event):
        raise NotAllowed()
    if request.method == "POST" and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    return checkin_list, current_user
