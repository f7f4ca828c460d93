"""Outreach rules: composing, sending, scheduling, tests, resends, transactional mail.

Services flush; the caller (view, job, CLI) commits. Delivery itself is `delivery.py`,
run by the job in `tasks.py` once the sending transaction commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select, update

from ..accounts.permissions import Action, require
from ..audit.services import SYSTEM, record
from ..errors import InvalidState, ValidationFailed
from ..extensions import db
from ..i18n import in_language
from ..jobs import enqueue_after_commit
from ..events.content_languages import set_translations
from . import audience, merge, segments, versions
from .delivery import materialize
from .sending import deliver_message, start_sending
from .models import (
    Delivery,
    DeliveryState,
    Message,
    MessageAttachment,
    MessageKind,
    MessageStatus,
)


def max_attachment_bytes() -> int:
    return int(current_app.config.get("OUTREACH_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024))


@dataclass
class MessageDraft:
    subject: str
    body: str
    segment: dict | None = None
    # The other event languages' versions ({"es": {"subject": ..., "body": ...}}; versions.py),
    # and whether people whose language has no version get the default one.
    translations: dict | None = None
    untranslated_fallback: bool = False


def check_message(event, subject: str, body: str, segment: dict, errors: dict | None = None) -> merge.Rendered:
    """What every message passes, composed or a reminder: a subject, a body, a segment that
    exists, known merge fields. `errors` the caller found already are reported with these."""
    errors = dict(errors or {})
    if not subject.strip():
        errors["subject"] = gettext("Write a subject.")
    if not body.strip():
        errors["body"] = gettext("Write a message.")
    try:
        segments.validate_segment(event.id, segment)
    except ValidationFailed as error:
        errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)
    return merge.validate_message(event, subject, body)


def _validate(event, draft: MessageDraft) -> merge.Rendered:
    """The default version with the segment (check_message), then every other language's version:
    both halves or neither, and known merge fields (errors named `subject__es`, `body__es`, as the
    composer's fields are)."""
    texts = draft.translations or {}
    errors = versions.check_halves(event, texts)
    for lang, values in versions.cleaned(event, texts).items():
        if values["subject"].strip() and values["body"].strip():
            try:
                merge.validate_message(event, values["subject"], values["body"])
            except ValidationFailed as error:
                errors.update({f"{field}__{lang}": text for field, text in error.errors.items()})
    return check_message(event, draft.subject, draft.body, draft.segment, errors)


def _apply(message: Message, event, draft: MessageDraft, rendered: merge.Rendered) -> None:
    message.subject = draft.subject.strip()
    message.body = draft.body
    if draft.translations is not None:
        texts = {lang: {"subject": values["subject"].strip(), "body": values["body"]}
                 for lang, values in versions.cleaned(event, draft.translations).items()}
        set_translations(message, texts, versions.FIELDS)
    message.untranslated_fallback = draft.untranslated_fallback
    message.segment = draft.segment or {"all": True}
    message.segment_label = audience.describe(event.id, message.segment)[:500]
    message.segment_names = audience.names_of(event, message.segment)
    message.rendered_text = rendered.text
    message.rendered_html = rendered.html


def create_message(event, draft: MessageDraft, *, actor, now: datetime) -> Message:
    """A draft announcement. Raises NotAllowed without SEND_MESSAGES, ValidationFailed for an
    empty subject/body, a malformed segment, an unknown merge field or a forbidden expression."""
    require(actor, Action.SEND_MESSAGES, event)
    rendered = _validate(event, draft)
    message = Message(event_id=event.id, kind=MessageKind.ANNOUNCEMENT, status=MessageStatus.DRAFT,
                      reply_to=event.contact_email or "", created_by_id=actor.id, created_at=now, translations={})
    message.event = event
    _apply(message, event, draft, rendered)
    db.session.add(message)
    db.session.flush()
    record("outreach.message_created", actor=actor, event=event, target=message, now=now)
    return message


def update_message(message: Message, draft: MessageDraft, *, actor, now: datetime) -> Message:
    """Edit a draft or scheduled message. Raises InvalidState once sending started."""
    require(actor, Action.SEND_MESSAGES, message.event)
    if not message.is_editable:
        raise InvalidState(gettext("This message has been sent and can no longer be edited."))
    _apply(message, message.event, draft, _validate(message.event, draft))
    db.session.flush()
    record("outreach.message_updated", actor=actor, event=message.event, target=message, now=now)
    return message


def add_attachment(message: Message, filename: str, content_type: str, data: bytes, *, actor) -> MessageAttachment:
    """Attach a file; the total per message is limited (OUTREACH_MAX_ATTACHMENT_BYTES, 5 MB)."""
    require(actor, Action.SEND_MESSAGES, message.event)
    if not message.is_editable:
        raise InvalidState(gettext("This message has been sent and can no longer be edited."))
    used = sum(a.size for a in message.attachments)
    if used + len(data) > max_attachment_bytes():
        limit = max_attachment_bytes() // (1024 * 1024)
        raise ValidationFailed({"attachment": gettext("Attachments may total at most %(limit)s MB per message.", limit=limit)})
    if not data:
        raise ValidationFailed({"attachment": gettext("The file is empty.")})
    safe_name = "".join(c for c in filename if c.isalnum() or c in "._- ").strip()[:200] or "attachment"
    attachment = MessageAttachment(filename=safe_name, content_type=content_type or "application/octet-stream",
                                   size=len(data), data=data)
    message.attachments.append(attachment)
    db.session.flush()
    return attachment


def send_message(message: Message, *, actor, now: datetime) -> Message:
    """Send a draft (or a scheduled message) now to its segment as it stands now.
    Raises NotAllowed, InvalidState if already sending/sent, ValidationFailed if the
    segment is empty or a merge field became unknown (a question was deleted)."""
    require(actor, Action.SEND_MESSAGES, message.event)
    if message.status not in (MessageStatus.DRAFT, MessageStatus.SCHEDULED):
        raise InvalidState(gettext("This message is already being sent or was sent."))
    _validate(message.event, _stored_draft(message))
    count, _ = segments.count_and_sample(message.event_id, message.segment, sample=0)
    if count == 0:
        raise ValidationFailed({"segment": gettext("Nobody matches this segment.")})
    versions.check_versions(message, message.event)
    start_sending(message, actor=actor, now=now)
    return message


def send_to_newcomers(message: Message, *, actor, now: datetime) -> tuple[int, int]:
    """Send a sent announcement to the people who joined its segment since (late registrants).
    Everyone who already has a delivery of this message is skipped as already sent: the
    UNIQUE (message, address) rule holds. Returns (new recipients, already sent)."""
    require(actor, Action.SEND_MESSAGES, message.event)
    if message.kind != MessageKind.ANNOUNCEMENT or message.status != MessageStatus.SENT:
        raise InvalidState(gettext("Only a sent announcement can be sent to newcomers."))
    _validate(message.event, _stored_draft(message))
    message.materialized_at = None
    result = materialize(message, now=now)
    if result.queued + result.skipped_unsubscribed == 0:
        raise ValidationFailed({"segment": gettext("Nobody new: all %(num)d already have this email.", num=result.already_present)})
    message.status = MessageStatus.SENDING
    message.finished_at = None
    db.session.flush()
    record("outreach.message_sent_to_newcomers", actor=actor, event=message.event, target=message, now=now,
           details={"queued": result.queued, "skipped_already_sent": result.already_present,
                    "skipped_unsubscribed": result.skipped_unsubscribed})
    enqueue_after_commit(db.session(), deliver_message, message.id)
    return result.queued, result.already_present


def schedule_message(message: Message, when: datetime, *, actor, now: datetime) -> Message:
    """Send at `when` (UTC-aware, in the future) to the segment as it stands then."""
    require(actor, Action.SEND_MESSAGES, message.event)
    if not message.is_editable:
        raise InvalidState(gettext("This message is already being sent or was sent."))
    if when.tzinfo is None or when <= now:
        raise ValidationFailed({"scheduled_for": gettext("Choose a time in the future.")})
    _validate(message.event, _stored_draft(message))
    # As the segment stands now; people who join later and read a language without a version get
    # the default one when the time comes (a scheduled send cannot ask anyone).
    versions.check_versions(message, message.event)
    message.status = MessageStatus.SCHEDULED
    message.scheduled_for = when
    db.session.flush()
    record("outreach.message_scheduled", actor=actor, event=message.event, target=message, now=now,
           details={"scheduled_for": when.isoformat()})
    return message


def _stored_draft(message: Message) -> MessageDraft:
    return MessageDraft(message.subject, message.body, message.segment, message.translations or {},
                        message.untranslated_fallback)


def unschedule_message(message: Message, *, actor, now: datetime) -> Message:
    require(actor, Action.SEND_MESSAGES, message.event)
    if message.status != MessageStatus.SCHEDULED:
        raise InvalidState(gettext("Only a scheduled message can be put back to draft."))
    message.status = MessageStatus.DRAFT
    message.scheduled_for = None
    db.session.flush()
    record("outreach.message_unscheduled", actor=actor, event=message.event, target=message, now=now)
    return message


def send_due_scheduled(*, now: datetime, actor) -> list[Message]:
    """Start every scheduled message whose time has come; each starts once (conditional update)."""
    started = []
    due = list(db.session.scalars(select(Message).where(Message.status == MessageStatus.SCHEDULED,
                                                        Message.scheduled_for <= now).order_by(Message.id)))
    for message in due:
        claimed = db.session.execute(
            update(Message).where(Message.id == message.id, Message.status == MessageStatus.SCHEDULED)
            .values(status=MessageStatus.SENDING).execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            continue
        db.session.refresh(message)
        start_sending(message, actor=actor, now=now)
        started.append(message)
    return started


def preview(message, event, address: str | None, language: str | None = None) -> tuple[merge.Rendered, str, str]:
    """The message as the chosen recipient will see it: by address (in the version of the language
    they read), else the first recipient who reads `language` (default: the event's default), else
    placeholder values. Returns (rendered, the recipient's address or "", the version's language)."""
    segment = message.segment
    query = segments.recipients_query(event.id, segment).subquery()
    chosen = None
    if address:
        row = db.session.execute(select(query).where(query.c.address == address.strip().lower())).first()
        if row is None:
            raise ValidationFailed({"recipient": gettext("That address is not in this segment.")})
        chosen = segments.Recipient(*row)
        lang = versions.reader_language(event, chosen.language)
    else:
        lang = versions.reader_language(event, language)
        row = db.session.execute(select(query).where(versions.reads(event, query.c.language, lang))
                                 .order_by(query.c.address).limit(1)).first()
        chosen = segments.Recipient(*row) if row else None
    subject, body, version_lang = versions.version(message, event, lang)
    with in_language(version_lang):
        if chosen is None:
            return merge.render_message(subject, body, merge.sample_context(event)), "", version_lang
        context = merge.recipient_contexts(event, [chosen])[chosen.address]
        return merge.render_message(subject, body, context), chosen.address, version_lang


def send_test(message: Message, *, actor, now: datetime, address: str | None = None) -> str:
    """Send the message, rendered for `address` (or the first recipient), to the actor only.
    Not a delivery to participants: it goes out as plain transactional mail to the organiser."""
    from ..mail import OutgoingEmail, deliver_email

    require(actor, Action.SEND_MESSAGES, message.event)
    rendered, as_address, _lang = preview(message, message.event, address)
    email = OutgoingEmail(to=[actor.email], subject=gettext("[Test] %(subject)s", subject=rendered.subject), text=rendered.text,
                          html=rendered.html, reply_to=message.reply_to or None,
                          attachments=[(a.filename, a.content_type, a.data) for a in message.attachments])
    enqueue_after_commit(db.session(), deliver_email, email)
    record("outreach.test_sent", actor=actor, event=message.event, target=message, now=now)
    return as_address


def record_transactional(event, to: list[str], subject: str, text: str, html: str | None, *, template: str,
                         registration=None, reply_to: str | None = None,
                         attachments: list[tuple[str, str, bytes]] | None = None,
                         now: datetime, resend_of: Message | None = None, name: str | None = None) -> Message:
    """Transactional mail (confirmation, waitlist offer, receipt, invitation) as a Message with one
    delivery per address, sent by the same engine after commit. No unsubscribe applies."""
    message = Message(
        event_id=event.id, kind=MessageKind.TRANSACTIONAL, status=MessageStatus.SENDING, subject=subject[:300],
        rendered_text=text, rendered_html=html or "", template=template[:100],
        reply_to=reply_to or event.contact_email or "", created_at=now, sent_at=now, materialized_at=now,
        segment=None, segment_label="", resend_of_id=resend_of.id if resend_of else None,
    )
    for filename, content_type, data in attachments or []:
        message.attachments.append(MessageAttachment(filename=filename, content_type=content_type, size=len(data), data=data))
    db.session.add(message)
    db.session.flush()
    if name is None:
        name = registration.full_name if registration is not None else ""
    seen = set()
    for address in to:
        key = address.strip().lower()
        if not key or key in seen:
            continue
        seen.add(key)
        db.session.add(Delivery(message_id=message.id, address=key, name=name[:250],
                                registration_id=getattr(registration, "id", None), state=DeliveryState.QUEUED,
                                created_at=now))
    db.session.flush()
    # The action that caused the mail (a registration, a refund) is audited by its owner; this
    # entry records the send itself. Ids and the template name only.
    record("outreach.transactional_sent", actor=SYSTEM, event=event, target=message, now=now,
           details={"template": message.template, "recipients": len(seen)})
    enqueue_after_commit(db.session(), deliver_message, message.id)
    return message


def resend_delivery(delivery: Delivery, *, actor, now: datetime) -> Message:
    """Send one person the same message again, as a new transactional message (the original
    delivery record stays as it was; the unique rule "once per message" holds)."""
    original = delivery.message
    require(actor, Action.SEND_MESSAGES, original.event)
    if original.kind == MessageKind.ANNOUNCEMENT:
        context = merge.recipient_contexts(original.event, [delivery])[delivery.address]
        rendered = merge.render_message(original.subject, original.body, context)
        subject, text, html = rendered.subject, rendered.text, rendered.html
    else:
        subject, text, html = original.subject, original.rendered_text, original.rendered_html
    registration = None
    if delivery.registration_id:
        from ..registration.models import Registration

        registration = db.session.get(Registration, delivery.registration_id)
    message = record_transactional(
        original.event, [delivery.address], subject, text, html, template=original.template or "resend",
        registration=registration, reply_to=original.reply_to,
        attachments=[(a.filename, a.content_type, a.data) for a in original.attachments], now=now, resend_of=original,
        name=delivery.name,
    )
    message.created_by_id = getattr(actor, "id", None)
    record("outreach.delivery_resent", actor=actor, event=original.event, target=message, now=now,
           details={"original_message_id": original.id, "delivery_id": delivery.id})
    return message


def delivery_counts(message_ids: list[int]) -> dict[int, dict[str, int]]:
    """{message_id: {state: count}} in one grouped query."""
    counts: dict[int, dict[str, int]] = {mid: {s.value: 0 for s in DeliveryState} for mid in message_ids}
    if not message_ids:
        return counts
    rows = db.session.execute(
        select(Delivery.message_id, Delivery.state, func.count()).where(Delivery.message_id.in_(message_ids))
        .group_by(Delivery.message_id, Delivery.state)
    )
    for message_id, state, count in rows:
        counts[message_id][DeliveryState(state).value] = count
    return counts
