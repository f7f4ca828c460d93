"""Organiser pages for emails: history, composer, message page with progress, preview,
test, send/schedule, a person's mail log with resend, reminder rules. SEND_MESSAGES only."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..accounts.permissions import Action
from ..errors import ValidationFailed
from ..events.content_languages import other_languages
from ..events.translation_forms import translated_form
from ..events.access import managed_event
from ..extensions import db
from ..forms import run_action
from ..i18n import LANGUAGES
from ..inputs import page_arg
from ..navigation import register_manage_nav
from ..text import render_markdown
from ..types import utcnow
from . import audience, merge, queries, reminders, segments, services, versions
from .forms import CONDITION_ROWS, ComposeForm, PreviewForm, ReminderForm, ScheduleForm, condition_choices, rows_from_segment, segment_from_form
from .models import Delivery, Message, MessageKind, ReminderRule
from .blueprint import bp

register_manage_nav(_l("Emails"), "outreach.manage_messages", Action.SEND_MESSAGES, order=50, prefix="outreach.manage")


# The automatic emails by their template, as the history names them (the same words as the
# template's name in English).
TEMPLATE_LABELS = {
    "registration_confirmation": _l("registration confirmation"),
    "registration_order_summary": _l("registration order summary"),
    "registration_pending": _l("registration pending"),
    "registration_payment_link": _l("registration payment link"),
    "registration_rejected": _l("registration rejected"),
    "registration_cancelled": _l("registration cancelled"),
    "registration_waitlist_joined": _l("registration waitlist joined"),
    "registration_waitlist_offer": _l("registration waitlist offer"),
    "registration_date_changed": _l("registration date changed"),
    "payments_refund": _l("payments refund"),
    "payments_late_refund": _l("payments late refund"),
    "program_speaker_invitation": _l("program speaker invitation"),
    "reports_certificate": _l("reports certificate"),
    "reports_feedback_survey": _l("reports feedback survey"),
}


def _event(slug: str):
    return managed_event(slug, Action.SEND_MESSAGES)


def _message(event, message_id: int) -> Message:
    message = db.session.get(Message, message_id)
    if message is None or message.event_id != event.id:
        abort(404)
    return message


def _page() -> int:
    return page_arg()


@bp.route("/manage/<slug>/emails/")
@login_required
def manage_messages(slug: str):
    event = _event(slug)
    kind = MessageKind.TRANSACTIONAL if request.args.get("kind") == "transactional" else MessageKind.ANNOUNCEMENT
    rows, pages = queries.message_history(event.id, kind, _page())
    audiences = {row.message.id: audience.label_of(row.message, event) for row in rows}
    return render_template("outreach/messages.html", event=event, rows=rows, page=_page(), pages=pages, kind=kind.value,
                           template_labels=TEMPLATE_LABELS, audiences=audiences)


def _composer(event, message: Message | None):
    # The other languages' versions are copies of subject and body (`subject__es`), one fieldset each.
    form = translated_form(ComposeForm, other_languages(event), versions.FIELDS)()
    if request.method == "GET" and message is not None:
        form.subject.data, form.body.data = message.subject, message.body
        form.untranslated_fallback.data = message.untranslated_fallback
        form.load_translations(message)
    rows = None
    if request.method == "POST":
        segment = segment_from_form(request.form)
        rows = rows_from_segment(segment)
    else:
        segment = message.segment if message else {"all": True}
        rows = rows_from_segment(segment)
    match, condition_rows = rows if rows else ("all", [])
    form.match.data = request.form.get("match", match) if request.method == "POST" else match
    typed = form.translation_texts()
    if request.method == "POST" and request.form.get("action") != "count" and form.validate_on_submit():
        draft = services.MessageDraft(form.subject.data, form.body.data, segment, typed,
                                      bool(form.untranslated_fallback.data))
        # Segment problems (and any field the form lacks) belong next to the conditions: the match field.
        done = run_action(lambda: _save_draft(event, message, draft, form.attachment.data),
                          gettext("Draft saved. Check the preview, then send or schedule it."), form=form, fallback=form.match)
        if done:
            return redirect(url_for("outreach.manage_message", slug=event.slug, message_id=done.result.id))
    try:
        count, sample = segments.count_and_sample(event.id, segment)
        by_language = versions.audience(_VersionsView(typed, form.untranslated_fallback.data), event, segment)
    except ValidationFailed:
        count, sample, by_language = 0, [], []
    padded = list(condition_rows) + [{"choice": "", "negate": False, "answer": ""}] * (CONDITION_ROWS - len(condition_rows))
    return render_template("outreach/compose.html", event=event, form=form, message=message, rows=padded,
                           choices=condition_choices(event.id), count=count, sample=sample,
                           fields=merge.field_help(event), flat=rows is not None,
                           segment_label=audience.describe(event.id, segment), by_language=by_language)


class _VersionsView:
    """The composer's typed versions seen as a message (for versions.audience before saving)."""

    def __init__(self, typed: dict, fallback: bool):
        self.translations = typed
        self.untranslated_fallback = bool(fallback)


def _save_draft(event, message: Message | None, draft, upload) -> Message:
    if message is None:
        message = services.create_message(event, draft, actor=current_user, now=utcnow())
    else:
        services.update_message(message, draft, actor=current_user, now=utcnow())
    if upload and getattr(upload, "filename", ""):
        services.add_attachment(message, upload.filename, upload.mimetype, upload.read(), actor=current_user)
    return message


@bp.route("/manage/<slug>/emails/new", methods=["GET", "POST"])
@login_required
def manage_compose(slug: str):
    return _composer(_event(slug), None)


@bp.route("/manage/<slug>/emails/<int:message_id>/edit", methods=["GET", "POST"])
@login_required
def manage_edit(slug: str, message_id: int):
    event = _event(slug)
    message = _message(event, message_id)
    if not message.is_editable:
        flash(gettext("This message has been sent and can no longer be edited."), "error")
        return redirect(url_for("outreach.manage_message", slug=slug, message_id=message.id))
    return _composer(event, message)


@bp.route("/manage/<slug>/emails/count")
@login_required
def manage_count(slug: str):
    """The live recipient count and a sample of names for the composer's current rows (JSON)."""
    event = _event(slug)
    segment = segment_from_form(request.args)
    try:
        count, sample = segments.count_and_sample(event.id, segment)
    except ValidationFailed as error:
        return jsonify({"error": {"code": "validation_failed", "message": " ".join(error.errors.values())}}), 422
    label = audience.describe(event.id, segment)
    # The words around the figures, in the page's language, for static/js/outreach.js to show
    # as they are (the same words the page itself renders in outreach/_segment.html).
    more = count - len(sample)
    if not sample:
        sample_text = ""
    elif more > 0:
        sample_text = ngettext("For example: %(names)s and %(num)d more.", "For example: %(names)s and %(num)d more.",
                               more, names=", ".join(sample))
    else:
        sample_text = gettext("For example: %(names)s.", names=", ".join(sample))
    return jsonify({"count": count, "sample": sample, "segment": label,
                    "label": f'{ngettext("recipient", "recipients", count)}: {label}', "sample_text": sample_text})


@bp.route("/manage/<slug>/emails/<int:message_id>")
@login_required
def manage_message(slug: str, message_id: int):
    event = _event(slug)
    message = _message(event, message_id)
    deliveries, pages = queries.deliveries_page(message.id, _page(), request.args.get("state"))
    # A sent message's audience in the reader's words (the names saved with it); a draft's is
    # described afresh below.
    count, by_language, segment_label = None, [], audience.label_of(message, event)
    if message.is_editable:
        count, _ = segments.count_and_sample(event.id, message.segment, sample=0)
        by_language = versions.audience(message, event, message.segment)
        # A draft's segment is described afresh, with the names as they are now.
        segment_label = audience.describe(event.id, message.segment)
    return render_template("outreach/message.html", event=event, message=message, progress=queries.progress(message),
                           deliveries=deliveries, page=_page(), pages=pages, count=count,
                           schedule_form=ScheduleForm(), preview_form=PreviewForm(request.args),
                           by_language=by_language, versions_in=versions.version_languages(message, event), languages=LANGUAGES,
                           template_labels=TEMPLATE_LABELS, segment_label=segment_label,
                           body_html=render_markdown(message.body) if message.kind == MessageKind.ANNOUNCEMENT else None)


@bp.route("/manage/<slug>/emails/<int:message_id>/progress.json")
@login_required
def manage_progress(slug: str, message_id: int):
    event = _event(slug)
    progress = dict(queries.progress(_message(event, message_id)))
    # The words around the figures, in the page's language, for static/js/outreach.js.
    progress["texts"] = {
        "handled": gettext("%(done)d of %(total)d handled", done=progress["done"], total=progress["total"]),
        "of": gettext("%(done)d of %(total)d", done=progress["done"], total=progress["total"]),
        "done": gettext("Done."),
        "refresh": gettext("Show each recipient's state"),
    }
    return jsonify(progress)


@bp.route("/manage/<slug>/emails/<int:message_id>/preview")
@login_required
def manage_preview(slug: str, message_id: int):
    event = _event(slug)
    message = _message(event, message_id)
    form = PreviewForm(request.args)
    rendered, address, problems, shown_language = None, "", [], None
    wanted = request.args.get("language")
    for chosen in dict.fromkeys([form.address.data or None, None]):
        try:
            rendered, address, shown_language = services.preview(message, event, chosen, wanted)
            break
        except ValidationFailed as error:
            # A wrong address belongs to the address field; a template that cannot be filled in
            # (too much work, a field this person lacks) is said above the preview.
            form.address.errors = [error.errors["recipient"]] if "recipient" in error.errors else form.address.errors
            problems = [text for key, text in error.errors.items() if key != "recipient"] or problems
    return render_template("outreach/preview.html", event=event, message=message, form=form, rendered=rendered,
                           address=address, problems=problems, shown_language=shown_language,
                           by_language=versions.audience(message, event, message.segment), languages=LANGUAGES)


def _message_action(slug: str, message_id: int, action, success: str):
    message = _message(_event(slug), message_id)
    return run_action(lambda: action(message), success)


def _to_message(slug: str, message_id: int):
    return redirect(url_for("outreach.manage_message", slug=slug, message_id=message_id))


def _post_action(slug: str, message_id: int, action, success: str):
    _message_action(slug, message_id, action, success)
    return _to_message(slug, message_id)


@bp.route("/manage/<slug>/emails/<int:message_id>/test", methods=["POST"])
@login_required
def manage_test(slug: str, message_id: int):
    return _post_action(slug, message_id, lambda m: services.send_test(
        m, actor=current_user, now=utcnow(), address=request.form.get("address") or None),
        gettext("A test was sent to %(address)s.", address=current_user.email))


@bp.route("/manage/<slug>/emails/<int:message_id>/send", methods=["POST"])
@login_required
def manage_send(slug: str, message_id: int):
    return _post_action(slug, message_id, lambda m: services.send_message(m, actor=current_user, now=utcnow()),
                        gettext("Sending. This page shows the progress."))


@bp.route("/manage/<slug>/emails/<int:message_id>/newcomers", methods=["POST"])
@login_required
def manage_newcomers(slug: str, message_id: int):
    done = _message_action(slug, message_id, lambda m: services.send_to_newcomers(m, actor=current_user, now=utcnow()),
                           gettext("Sending to the people who joined since."))
    if done:
        new, already = done.result
        flash(ngettext("%(num)d new recipient", "%(num)d new recipients", new) + "; "
              + ngettext("%(num)d already had it and was skipped.", "%(num)d already had it and were skipped.", already),
              "success")
    return _to_message(slug, message_id)


@bp.route("/manage/<slug>/emails/<int:message_id>/schedule", methods=["POST"])
@login_required
def manage_schedule(slug: str, message_id: int):
    event = _event(slug)
    form = ScheduleForm()
    when = None
    if form.validate_on_submit():
        for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"):
            try:
                when = datetime.strptime(form.when.data.strip(), fmt).replace(tzinfo=event.tz)
                break
            except ValueError:
                continue
    if when is None:
        flash(gettext("Enter the date and time as YYYY-MM-DD HH:MM."), "error")
        return _to_message(slug, message_id)
    return _post_action(slug, message_id, lambda m: services.schedule_message(m, when, actor=current_user, now=utcnow()),
                        gettext("Scheduled."))


@bp.route("/manage/<slug>/emails/<int:message_id>/unschedule", methods=["POST"])
@login_required
def manage_unschedule(slug: str, message_id: int):
    return _post_action(slug, message_id, lambda m: services.unschedule_message(m, actor=current_user, now=utcnow()),
                        gettext("Back to draft: it will not be sent until you send or schedule it again."))


@bp.route("/manage/<slug>/emails/deliveries/<int:delivery_id>/resend", methods=["POST"])
@login_required
def manage_resend(slug: str, delivery_id: int):
    event = _event(slug)
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None or delivery.message.event_id != event.id:
        abort(404)
    run_action(lambda: services.resend_delivery(delivery, actor=current_user, now=utcnow()), gettext("Sent again."))
    return redirect(url_for("outreach.manage_person", slug=slug, address=delivery.address))


@bp.route("/manage/<slug>/emails/people")
@login_required
def manage_person(slug: str):
    event = _event(slug)
    address = (request.args.get("address") or "").strip()
    deliveries = queries.person_log(event.id, address) if address else []
    return render_template("outreach/person.html", event=event, address=address, deliveries=deliveries)


@bp.route("/manage/<slug>/emails/reminders", methods=["GET", "POST"])
@login_required
def manage_reminders(slug: str):
    event = _event(slug)
    form = ReminderForm()
    if form.validate_on_submit():
        data = reminders.ReminderData(form.name.data, form.anchor.data, form.offset_days.data, form.at_time.data or "",
                                      form.subject.data, form.body.data, segment_from_form(request.form))
        if run_action(lambda: reminders.create_rule(event, data, actor=current_user, now=utcnow()),
                      gettext("Reminder saved. It is sent once, when its time comes."), form=form, fallback=form.name):
            return redirect(url_for("outreach.manage_reminders", slug=slug))
    rules = queries.reminder_rules(event.id)
    now = utcnow()
    items = [(rule, reminders.fire_time(rule, event), reminders.describe(rule), reminders.is_missed(rule, now)) for rule in rules]
    padded = [{"choice": "", "negate": False, "answer": ""}] * CONDITION_ROWS
    return render_template("outreach/reminders.html", event=event, form=form, items=items, rows=padded,
                           choices=condition_choices(event.id), fields=merge.field_help(event))


@bp.route("/manage/<slug>/emails/reminders/<int:rule_id>/delete", methods=["POST"])
@login_required
def manage_reminder_delete(slug: str, rule_id: int):
    event = _event(slug)
    rule = db.session.get(ReminderRule, rule_id)
    if rule is None or rule.event_id != event.id:
        abort(404)
    run_action(lambda: reminders.delete_rule(rule, actor=current_user, now=utcnow()), gettext("Reminder deleted."))
    return redirect(url_for("outreach.manage_reminders", slug=slug))
