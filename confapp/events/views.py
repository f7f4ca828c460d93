"""Public event pages."""
from __future__ import annotations

from flask import render_template

from ..types import utcnow
from .access import visible_event
from .queries import public_events
from .services import registration_closed_reason
from .blueprint import bp



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
        report_published=_report_published(event),
    )


def _report_published(event) -> bool:
    """Whether the event's summary report is public, so the event page can lead to it."""
    from ..reports.services import report_for

    report = report_for(event)
    return bool(report is not None and report.is_published and report.snapshot is not None)


