"""Public event pages."""
from __future__ import annotations

from flask import render_template

from ..http_cache import row_state, rows_state, shared_page
from ..types import utcnow
from .access import check_visible
from .content_languages import register_template_helpers
from .queries import event_page_by_slug, public_events
from .services import registration_closed_reason
from .blueprint import bp

bp.record_once(register_template_helpers)


def _event_state(event) -> tuple:
    return row_state(event), row_state(event.series), rows_state(event.organisations)


@bp.route("/")
def public_list():
    upcoming, past = public_events()
    # Which list an event is in follows the clock: the tag names both lists in order.
    return shared_page(lambda: ([_event_state(e) for e in upcoming], [_event_state(e) for e in past]),
                       lambda: render_template("events/public_list.html", upcoming=upcoming, past=past))


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
