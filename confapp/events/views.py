"""Public event pages."""
from __future__ import annotations

from flask import render_template

from ..http_cache import row_state, rows_state, shared_page
from ..types import utcnow
from .access import check_visible
from .content_languages import register_template_helpers
from .queries import event_page_by_slug, public_events, public_list_state
from .services import registration_closed_reason
from .blueprint import bp

bp.record_once(register_template_helpers)


def _event_state(event) -> tuple:
    return row_state(event), row_state(event.series), rows_state(event.organisations)


@bp.route("/")
def public_list():
    now = utcnow()
    # The tag from Core rows (which list an event is in follows the clock: it is part of it); the
    # events are loaded as objects only when the page is rendered.
    return shared_page(lambda: public_list_state(now), lambda: _render_list(now))


def _render_list(now):
    upcoming, past = public_events(now)
    return render_template("events/public_list.html", upcoming=upcoming, past=past)


@bp.route("/e/<slug>/")
def public_page(slug: str):
    event, report_published = event_page_by_slug(slug)
    check_visible(event)
    reason = registration_closed_reason(event, utcnow())
    return shared_page(
        lambda: (_event_state(event), reason, report_published),
        lambda: render_template("events/public_page.html", event=event, registration_closed_reason=reason,
                                report_published=report_published),
    )
