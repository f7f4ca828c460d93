from __future__ import annotations

from flask import render_template, request
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
