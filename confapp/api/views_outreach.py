"""/api/v1 outreach and reports.

Outreach: a draft announcement for a segment (outreach:write) through the composer's own
service, and a message's delivery counts (outreach:read) as the message page shows them.
Sending stays a human action on the organisers' page, unless the token carries outreach:send:
then POST .../send goes through the same service as the page's Send button.

Reports: the published summary (anyone, once published: the public report's own snapshot,
small counts suppressed) and the organisers' live dashboard figures (reports:read).
"""
from __future__ import annotations

from flask_babel import gettext
from flask_smorest import abort

from ..accounts.permissions import Action
from ..errors import ValidationFailed
from ..events.access import check_visible
from ..events.models import EventStatus
from ..events.queries import event_by_slug
from ..extensions import db
from ..outreach import audience, queries as outreach_queries, segments, services as outreach_services
from ..outreach.models import Message, MessageKind
from ..reports.cache import dashboard_figures
from ..reports.presenting import report_view
from ..reports.services import report_for
from ..types import utcnow
from .auth import OPTIONAL_SECURITY, optional_token_actor, public, token_actor, token_event
from .blueprint import v1
from .models import Scope
from .schemas_outreach import LiveFiguresSchema, MessageCreateSchema, MessageSchema, PublishedReportSchema
from .views_v1 import documented_errors


def _message(event, message_id: int) -> Message:
    message = db.session.get(Message, message_id)
    if message is None or message.event_id != event.id or message.kind != MessageKind.ANNOUNCEMENT:
        abort(404, message=gettext("No such message for this event."))
    return message


def _message_json(message: Message) -> dict:
    progress = {k: v for k, v in outreach_queries.progress(message).items() if k != "status"}
    try:
        recipients, _ = segments.count_and_sample(message.event_id, message.segment, sample=0)
    except ValidationFailed:  # a condition on something deleted since (a question, a category)
        recipients = None
    return {"id": message.id, "subject": message.subject, "status": message.status.value,
            "segment": message.segment or {"all": True}, "segment_label": audience.label_of(message, message.event),
            "recipients": recipients, "created_at": message.created_at, "sent_at": message.sent_at,
            "deliveries": progress}


@v1.route("/events/<slug>/messages", methods=["POST"])
@v1.arguments(MessageCreateSchema)
@v1.response(201, MessageSchema)
@documented_errors(401, 403, 404, 429)
def message_create(body, slug: str):
    """Save a draft announcement for a segment, with the composer's checks (subject, body, a
    segment that exists, known merge fields: else 422 by field). Nothing is sent."""
    actor = token_actor(Scope.OUTREACH_WRITE)
    event = token_event(actor, slug, Action.SEND_MESSAGES)
    draft = outreach_services.MessageDraft(body["subject"], body["body"], body["segment"], body["translations"],
                                           body["untranslated_fallback"])
    message = outreach_services.create_message(event, draft, actor=actor, now=utcnow())
    db.session.commit()
    return _message_json(message)


@v1.route("/events/<slug>/messages/<int:message_id>")
@v1.response(200, MessageSchema)
@documented_errors(401, 403, 404, 429)
def message_get(slug: str, message_id: int):
    """A message and its deliveries by state (queued, sent, failed, skipped...)."""
    actor = token_actor(Scope.OUTREACH_READ)
    event = token_event(actor, slug, Action.SEND_MESSAGES)
    return _message_json(_message(event, message_id))


@v1.route("/events/<slug>/messages/<int:message_id>/send", methods=["POST"])
@v1.response(200, MessageSchema)
@documented_errors(401, 403, 404, 409, 429)
def message_send(slug: str, message_id: int):
    """Send a draft now to its segment as it stands now (the message page's Send). Only with
    the outreach:send scope. Already sending or sent: 409; nobody in the segment: 422."""
    actor = token_actor(Scope.OUTREACH_SEND)
    event = token_event(actor, slug, Action.SEND_MESSAGES)
    message = outreach_services.send_message(_message(event, message_id), actor=actor, now=utcnow())
    db.session.commit()
    return _message_json(message)


# --- reports -------------------------------------------------------------------------------------

@v1.route("/events/<slug>/report")
@v1.response(200, PublishedReportSchema)
@v1.doc(security=OPTIONAL_SECURITY)
@documented_errors(401, 403, 404, 429)
@public
def report_published(slug: str):
    """The published summary report: anyone may read it once published (404 before), the same
    suppressed figures as the public report page. A token sent must carry reports:read."""
    actor = optional_token_actor(Scope.REPORTS_READ)
    event = token_event(actor, slug, Action.MANAGE_REPORTS) if actor else event_by_slug(slug)
    report = report_for(event) if event is not None and event.status != EventStatus.DRAFT else None
    if report is None or not report.is_published or report.snapshot is None:
        abort(404, message=gettext("This event has no published report."))
    if actor is None:
        check_visible(event)  # the public page's rule, and its language for the texts
    view = report_view(event, report, public=True, published=True)
    return {"published_at": report.published_at, "texts": {name: str(text) for name, text in view.texts.items()},
            "headline": view.figures.get("headline", {}), "figures": view.figures}


@v1.route("/events/<slug>/report/live")
@v1.response(200, LiveFiguresSchema)
@documented_errors(401, 403, 404, 429)
def report_live(slug: str):
    """The organisers' live figures, as the dashboard shows them (cached for a short while)."""
    actor = token_actor(Scope.REPORTS_READ)
    event = token_event(actor, slug, Action.MANAGE_REPORTS)
    current = dashboard_figures(event, now=utcnow())
    return {"computed_at": current.computed_at, "frozen": current.frozen,
            "headline": current.figures.get("headline", {}), "figures": current.figures}
