"""The accounts blueprint: every view module of the package adds its routes to it, and the
application factory imports them all, so view modules never import one another.

It also answers, in every template, what the current user may do (`can`, `Action`,
`can_create_event`): accounts owns the permission rules, so the shared template helpers in
confapp/templating.py stay below every domain."""
from flask import Blueprint, has_request_context
from flask_login import current_user

from . import permissions

bp = Blueprint("accounts", __name__, url_prefix="/account")

bp.add_app_template_global(lambda action, event=None: permissions.can(current_user, action, event), "can")
bp.add_app_template_global(permissions.Action, "Action")


@bp.app_context_processor
def _what_the_user_may_do():
    # Emails are rendered from services, jobs and the CLI too, where there is no request.
    if not has_request_context():
        return {"can_create_event": False}
    return {"can_create_event": permissions.can_create_event(current_user)}
