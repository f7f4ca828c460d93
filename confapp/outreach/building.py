"""Each delivery of one message as SMTP bytes: merged per recipient for announcements (with the
unsubscribe footer and headers), as rendered for transactional mail."""
from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr
from types import SimpleNamespace
from typing import Callable

from flask import current_app
from flask_babel import gettext
from markupsafe import Markup, escape

from ..events.content_languages import content_of, default_language, localized
from ..i18n import in_language
from ..types import utcnow
from . import merge, versions
from .mime import address_header, build_mime
from .models import Delivery, Message, MessageKind
from .smtp import Prepared

# Parts of a reminder that belong to one person (online: the join details, only for those entitled
# to them), contributed by the domain that owns them the way merge.py's person links are, so that
# outreach needs none of them. Each is called once per batch and language, inside the readers'
# language, as build(event, registration_ids, now) and returns {registration id: (text, html)}.
# They are built at send time and only into the delivered mail: never into the message's stored
# rendering, its history or a resend.
REMINDER_SECTIONS: list[Callable[[object, list[int], datetime], dict[int, tuple[str, str]]]] = []


def register_reminder_section(build):
    REMINDER_SECTIONS.append(build)
    return build


class MessageBuilder:
    """Renders each delivery of one message; per-batch data is fetched in a fixed number of queries."""

    def __init__(self, message: Message):
        # Plain snapshots: the loop commits after every message, which expires ORM objects.
        self.message = SimpleNamespace(id=message.id, kind=message.kind, subject=message.subject, body=message.body,
                                       rendered_text=message.rendered_text, rendered_html=message.rendered_html,
                                       reply_to=message.reply_to, translations=dict(message.translations or {}),
                                       untranslated_fallback=message.untranslated_fallback,
                                       is_reminder=message.reminder_rule_id is not None)
        self.event = message.event
        self.event_id, self.event_title = self.event.id, self.event.title
        self.sender = current_app.config["MAIL_DEFAULT_SENDER"]
        self.sender_address = parseaddr(self.sender)[1]
        self.domain = self.sender.rsplit("@", 1)[-1].strip(">") or "confapp.localhost"
        self.attachments = [(a.filename, a.content_type, a.data) for a in message.attachments]
        self.questions = merge.event_questions(self.event.id) if message.kind == MessageKind.ANNOUNCEMENT else []

    def prepare(self, deliveries: list[Delivery]) -> list[Prepared]:
        if self.message.kind != MessageKind.ANNOUNCEMENT:
            return [Prepared(d.id, d.address, self._build(d, None)) for d in deliveries]
        # Each language's readers get their version, merged and framed in that language (dates in
        # merge fields, the footer): one context query per language in the batch.
        by_version: dict[str, list] = {}
        for d in deliveries:
            lang = versions.version(self.message, self.event, versions.reader_language(self.event, d.language))[2]
            by_version.setdefault(lang, []).append(d)
        built: dict[int, bytes] = {}
        for lang, group in by_version.items():
            with in_language(lang), content_of(self.event):
                contexts = merge.recipient_contexts(self.event, group, self.questions)
                sections = self._sections(group)
                for d in group:
                    built[d.id] = self._build(d, contexts.get(d.address), lang, sections.get(d.registration_id))
        return [Prepared(d.id, d.address, built[d.id]) for d in deliveries]

    def _sections(self, deliveries: list) -> dict[int, list[tuple[str, str]]]:
        """Each registered reader's reminder sections, read at send time (`utcnow()`)."""
        ids = [d.registration_id for d in deliveries if d.registration_id]
        if not self.message.is_reminder or not ids or not REMINDER_SECTIONS:
            return {}
        now, found = utcnow(), {}
        for build in REMINDER_SECTIONS:
            for registration_id, section in build(self.event, ids, now).items():
                found.setdefault(registration_id, []).append(section)
        return found

    def _build(self, delivery: Delivery, context: dict | None, lang: str | None = None,
               sections: list | None = None) -> bytes:
        headers = {}
        if self.message.kind == MessageKind.ANNOUNCEMENT:
            from .unsubscribe import unsubscribe_url

            link = unsubscribe_url(delivery.address, self.event_id)
            headers["List-Unsubscribe"] = f"<{link}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            title = localized(self.event, "title", lang, default_language(self.event)) if lang else self.event_title
            footer_text = gettext("You receive this as a participant of %(event)s. Unsubscribe: %(url)s", event=title, url=link)
            footer_html = Markup(gettext('You receive this as a participant of %(event)s. <a href="%(url)s">Unsubscribe</a>.',
                                         event=escape(title), url=escape(link)))
            subject, body, _lang = versions.version(self.message, self.event, lang or default_language(self.event))
            rendered = merge.render_message(subject, body, context or {}, footer_text=footer_text, footer_html=footer_html,
                                            sections=sections)
            subject, text, html = rendered.subject, rendered.text, rendered.html
        else:
            subject, text, html = self.message.subject, self.message.rendered_text, self.message.rendered_html or None
        return build_mime(
            sender=self.sender, to=address_header(delivery.name, delivery.address),
            subject=subject, text=text, html=html, reply_to=self.message.reply_to, headers=headers,
            message_id=f"<outreach.{self.message.id}.{delivery.id}@{self.domain}>", attachments=self.attachments,
        )
