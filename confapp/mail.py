"""Sending mail: rendered from templates (plain text + HTML), sent by a job after commit.
Mail about an event is recorded by outreach first (confapp/outreach/event_mail.py)."""
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

    A plain sender: mail about an event goes through outreach's log instead
    (confapp.outreach.event_mail.send_event_email)."""
    text, html = render_email(template, subject=subject, **context)
    email = OutgoingEmail(
        to=[to] if isinstance(to, str) else list(to),
        subject=subject,
        text=text,
        html=html,
        reply_to=reply_to,
        attachments=attachments or [],
    )
    enqueue_after_commit(db.session(), deliver_email, email)
    return email


@app_task(retries=5, retry_delay=30)
def deliver_email(email: OutgoingEmail) -> None:
    message = email.to_message(current_app.config["MAIL_DEFAULT_SENDER"])
    mail.send(message)
    # Count only: addresses are personal data and stay out of the logs.
    log.info("sent email to %d recipient(s)", len(email.to))
