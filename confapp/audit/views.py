from __future__ import annotations

import re

from flask import render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from ..accounts.permissions import Action
from ..events.access import managed_event
from ..inputs import page_arg
from ..navigation import register_manage_nav
from .queries import event_audit_page
from .blueprint import bp

register_manage_nav(_l("Audit log"), "audit.event_log", Action.VIEW_AUDIT, order=90)

PER_PAGE = 50


@bp.route("/manage/<slug>/audit")
@login_required
def event_log(slug: str):
    event = managed_event(slug, Action.VIEW_AUDIT)
    page = page_arg()
    entries, total = event_audit_page(event.id, page, PER_PAGE)
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return render_template("audit/event_log.html", event=event, entries=entries, page=page, pages=pages, total=total)


@bp.app_template_filter("audit_actor")
def audit_actor_label(label: str | None) -> str:
    """An entry's stored actor label ("system", "Link: Door 2", "API token: CRM", "speaker link
    #4", "Attendee", written in English when it was recorded) in the page's language; others as stored."""
    if not label or label == "system":
        return gettext("system")
    if label == "anonymous":
        return gettext("anonymous")
    if label == "Attendee":  # registration history: the public form or the self-service page
        return gettext("Attendee")
    for prefix, message in (("Link: ", lambda name: gettext("Link: %(name)s", name=name)),
                            ("API token: ", lambda name: gettext("API token: %(name)s", name=name))):
        if label.startswith(prefix):
            return message(label[len(prefix):])
    speaker = re.fullmatch(r"speaker link #(\d+)", label)
    if speaker:
        return gettext("speaker link #%(id)s", id=speaker.group(1))
    return label


@bp.app_template_filter("audit_action")
def audit_action_label(code: str) -> str:
    """What an action code means, in the page's language ("" for a code without a label)."""
    from .labels import action_label

    return action_label(code)


@bp.app_template_filter("audit_target")
def audit_target_label(code: str) -> str:
    """What a target type means, in the page's language ("" for a type without a label)."""
    from .labels import target_label

    return target_label(code)
