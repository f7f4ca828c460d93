"""Transactional mail: rendered from templates (plain text + HTML), sent by a job after commit."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import current_app, render_template
from flask_mail import Attachment, Message

from .extensions import db, mail
from .jobs import app_task, enqueue_after_commit

log = logging.getLogger(__name__)


@dataclass
class OutgoingEmail:
    to: list[str]
    subject: str
    text: str
    html: str | None = None
    reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # (filename, content_type, bytes)
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)

    def to_message(self, sender: str) -> Message:
        message = Message(
            subject=self.subject,
            recipients=self.to,
            body=self.text,
            html=self.html,
            sender=sender,
            reply_to=self.reply_to,
            extra_headers=self.headers or None,
        )
        for filename, content_type, data in self.attachments:
            message.attachments.append(Attachment(filename=filename, content_type=content_type, data=data))
        return message


def render_email(template: str, **context) -> tuple[str, str]:
    """Render `emails/<template>.txt` and `.html`; both parts always exist."""
    text = render_template(f"emails/{template}.txt", **context)
    html = render_template(f"emails/{template}.html", **context)
    return text, html


def queue_email(
    to: str | list[str],
    subject: str,
    template: str,
    *,
    reply_to: str | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
    **context,
) -> OutgoingEmail:
    """Render now, send by a job once the current transaction commits (never on rollback).

    When the context names an event (`event=<Event>`), the mail is about that event and goes
    through outreach's delivery records (one Message, a Delivery per address; the person's
    mail log shows it and the organiser can resend it). `registration=<Registration>` in the
    context links the delivery to that person. Mail without an event (password resets,
    invitations to a team) is sent directly."""
    text, html = render_email(template, subject=subject, **context)
    email = OutgoingEmail(
        to=[to] if isinstance(to, str) else list(to),
        subject=subject,
        text=text,
        html=html,
        reply_to=reply_to,
        attachments=attachments or [],
    )
    event = context.get("event")
    if _is_event(event):
        from .outreach.services import record_transactional
        from .types import utcnow

        registration, name = _person(context, email.to)
        record_transactional(
            event, email.to, subject, text, html, template=template, registration=registration, name=name,
            reply_to=reply_to, attachments=attachments, now=utcnow(),
        )
        return email
    enqueue_after_commit(db.session(), deliver_email, email)
    return email


def _is_event(value) -> bool:
    from .events.models import Event

    return isinstance(value, Event) and value.id is not None


def _person(context: dict, to: list[str]):
    """The registration a mail is about (for the person's mail log) and the recipient's name,
    from the usual context names: registration, order (its buyer), entry (waitlist), speaker."""
    from .registration.models import Order, Registration, WaitlistEntry

    registration = context.get("registration")
    if isinstance(registration, Registration) and registration.id is not None:
        return registration, registration.full_name
    order = context.get("order")
    if isinstance(order, Order):
        addresses = {a.strip().lower() for a in to}
        match = next((r for r in order.registrations if (r.email or "").lower() in addresses and r.id), None)
        return match, match.full_name if match else order.buyer_name
    entry = context.get("entry")
    if isinstance(entry, WaitlistEntry):
        return None, entry.name
    speaker = context.get("speaker")
    return None, getattr(speaker, "name", "") or ""


@app_task(retries=5, retry_delay=30)
def deliver_email(email: OutgoingEmail) -> None:
    message = email.to_message(current_app.config["MAIL_DEFAULT_SENDER"])
    mail.send(message)
    # Count only: addresses are personal data and stay out of the logs.
    log.info("sent email to %d recipient(s)", len(email.to))
