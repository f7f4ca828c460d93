"""Public event pages."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..types import utcnow
from .access import visible_event
from .queries import public_events
from .services import registration_closed_reason

bp = Blueprint("events", __name__)


@bp.route("/")
def public_list():
    upcoming, past = public_events()
    return render_template("events/public_list.html", upcoming=upcoming, past=past)


@bp.route("/e/<slug>/")
def public_page(slug: str):
    event = visible_event(slug)
    return render_template(
        "events/public_page.html",
        event=event,
        registration_closed_reason=registration_closed_reason(event, utcnow()),
    )


# Organiser routes live in views_manage.py on the same blueprint.
from . import views_manage  # noqa: E402,F401
