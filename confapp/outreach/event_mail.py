"""Mail about an event (confirmations, waitlist offers, refunds, speaker invitations, surveys):
rendered like any mail (confapp.mail.render_email), then recorded in outreach as a transactional
Message with one Delivery per address, so the person's mail log shows it, the organiser can
resend it, and the same engine sends it after commit.

Callers say on purpose that a mail is about an event and whom it is for; confapp.mail itself
is a plain sender and knows nothing of events.
"""
from __future__ import annotations

from ..events.content_languages import content_of
from ..mail import render_email
from ..registration.models import Order, Registration
from ..types import utcnow
from .models import Message
from .services import record_transactional


def send_event_email(event, to: str | list[str], subject: str, template: str, *,
                     recipient: Registration | None = None, recipient_name: str | None = None,
                     reply_to: str | None = None, attachments: list[tuple[str, str, bytes]] | None = None,
                     **context) -> Message:
    """Render `emails/<template>.txt|.html` with `event` and `context`, and queue it through the
    outreach log. `recipient` is the registration the mail is for (its mail log), `recipient_name`
    the name to show when there is none (a waitlist entry, a speaker, a buyer)."""
    addresses = [to] if isinstance(to, str) else list(to)
    # The event's categories, sessions and questions in the reader's language (the caller's
    # in_language), wherever the mail is rendered: a job has no page event to go by.
    with content_of(event):
        text, html = render_email(template, subject=subject, event=event, **context)
    return record_transactional(
        event, addresses, subject, text, html, template=template, registration=recipient, name=recipient_name,
        reply_to=reply_to, attachments=attachments, now=utcnow(),
    )


def buyer_of(order: Order) -> tuple[Registration | None, str]:
    """Whom mail to an order's buyer is for: the buyer's own registration in the order when they
    attend (their mail log shows it), otherwise no registration and the buyer's name."""
    address = (order.buyer_email or "").strip().lower()
    match = next((r for r in order.registrations if (r.email or "").lower() == address and r.id), None)
    return match, match.full_name if match else order.buyer_name
