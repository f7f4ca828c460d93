"""Each delivery of one message as SMTP bytes: merged per recipient for announcements (with the
unsubscribe footer and headers), as rendered for transactional mail."""
from __future__ import annotations

from email.utils import parseaddr
from types import SimpleNamespace

from flask import current_app
from markupsafe import Markup

from . import merge
from .mime import address_header, build_mime
from .models import Delivery, Message, MessageKind
from .smtp import Prepared


class MessageBuilder:
    """Renders each delivery of one message; per-batch data is fetched in a fixed number of queries."""

    def __init__(self, message: Message):
        # Plain snapshots: the loop commits after every message, which expires ORM objects.
        self.message = SimpleNamespace(id=message.id, kind=message.kind, subject=message.subject, body=message.body,
                                       rendered_text=message.rendered_text, rendered_html=message.rendered_html,
                                       reply_to=message.reply_to)
        self.event = message.event
        self.event_id, self.event_title = self.event.id, self.event.title
        self.sender = current_app.config["MAIL_DEFAULT_SENDER"]
        self.sender_address = parseaddr(self.sender)[1]
        self.domain = self.sender.rsplit("@", 1)[-1].strip(">") or "confapp.localhost"
        self.attachments = [(a.filename, a.content_type, a.data) for a in message.attachments]
        self.questions = merge.event_questions(self.event.id) if message.kind == MessageKind.ANNOUNCEMENT else []

    def prepare(self, deliveries: list[Delivery]) -> list[Prepared]:
        contexts = {}
        if self.message.kind == MessageKind.ANNOUNCEMENT:
            contexts = merge.recipient_contexts(self.event, deliveries, self.questions)
        return [Prepared(d.id, d.address, self._build(d, contexts.get(d.address))) for d in deliveries]

    def _build(self, delivery: Delivery, context: dict | None) -> bytes:
        headers = {}
        if self.message.kind == MessageKind.ANNOUNCEMENT:
            from .unsubscribe import unsubscribe_url

            link = unsubscribe_url(delivery.address, self.event_id)
            headers["List-Unsubscribe"] = f"<{link}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            footer_text = f"You receive this as a participant of {self.event_title}. Unsubscribe: {link}"
            footer_html = Markup('You receive this as a participant of {}. <a href="{}">Unsubscribe</a>.').format(
                self.event_title, link)
            rendered = merge.render_message(self.message.subject, self.message.body, context or {},
                                            footer_text=footer_text, footer_html=footer_html)
            subject, text, html = rendered.subject, rendered.text, rendered.html
        else:
            subject, text, html = self.message.subject, self.message.rendered_text, self.message.rendered_html or None
        return build_mime(
            sender=self.sender, to=address_header(delivery.name, delivery.address),
            subject=subject, text=text, html=html, reply_to=self.message.reply_to, headers=headers,
            message_id=f"<outreach.{self.message.id}.{delivery.id}@{self.domain}>", attachments=self.attachments,
        )
