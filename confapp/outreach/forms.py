"""Composer and reminder forms. The segment builder is a flat list of condition rows
(each "is" / "is not" one choice) joined by all/any; the service accepts deeper trees."""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import Form
from ..i18n import LANGUAGES, language_name
from . import segments
from .merge import event_questions

CONDITION_ROWS = 4


def condition_choices(event_id: int) -> list[tuple[str, list[tuple[str, str]]] | tuple[str, str]]:
    """One select for every condition, grouped; values read "kind:value"."""
    from ..events.content_languages import content_language, default_language, localized
    from ..events.models import Event
    from ..program.models import ProgramSession
    from ..registration.models import RegistrationCategory
    from ..extensions import db
    from sqlalchemy import select

    # The event's own names in its content language, as the segment's description words them
    # (audience.describe); rows with their `translations` read like the models for `localized`.
    event = db.session.get(Event, event_id)  # the composer's event, loaded already: no query
    lang, default = content_language(event), default_language(event)

    def name(row, field: str) -> str:
        return str(localized(row, field, lang, default))

    groups: list = [("", gettext("(no condition)"))]
    groups.append((gettext("Registration status"), [(f"status:{v}", label) for v, label in segments.STATUS_CHOICES]))
    categories = db.session.execute(select(RegistrationCategory.id, RegistrationCategory.name, RegistrationCategory.translations)
                                    .where(RegistrationCategory.event_id == event_id).order_by(RegistrationCategory.position,
                                                                                               RegistrationCategory.id)).all()
    if categories:
        groups.append((gettext("Category"), [(f"category:{row.id}", name(row, "name")) for row in categories]))
    groups.append((gettext("Payment"), [(f"payment:{v}", label) for v, label in segments.PAYMENT_CHOICES]))
    groups.append((gettext("Language"), [(f"language:{code}", language_name(code)) for code in LANGUAGES]))
    groups.append((gettext("People"), [("flag:checked_in", gettext("Checked in")),
                                       ("flag:no_show", gettext("No-show (confirmed, not checked in)")),
                                       ("flag:speakers", gettext("Speakers of the event")),
                                       ("flag:staff", gettext("Staff (organisers, check-in)"))]))
    sessions = db.session.execute(select(ProgramSession.id, ProgramSession.title, ProgramSession.translations)
                                  .where(ProgramSession.event_id == event_id).order_by(ProgramSession.title)).all()
    if sessions:
        groups.append((gettext("Signed up for session"), [(f"session:{row.id}", name(row, "title")) for row in sessions]))
    questions = event_questions(event_id)
    if questions:
        groups.append((gettext("Answer to (type the answer below)"), [(f"answer:{q.id}", name(q, "label")) for q in questions]))
    return groups


def segment_from_form(form_data) -> dict:
    """Build the segment tree from the composer's rows: match all/any of rows, each maybe negated."""
    conditions = []
    for i in range(CONDITION_ROWS):
        choice = (form_data.get(f"cond-{i}-choice") or "").strip()
        if not choice or ":" not in choice:
            continue
        kind, value = choice.split(":", 1)
        if kind in ("status", "payment", "language"):
            node = {kind: [value]}
        elif kind in ("category", "session"):
            node = {kind: [value]}
        elif kind == "flag":
            node = {value: True}
        elif kind == "answer":
            node = {"answer": {"question": value, "value": (form_data.get(f"cond-{i}-answer") or "").strip()}}
        else:
            continue
        if form_data.get(f"cond-{i}-negate") == "not":
            node = {"not": node}
        conditions.append(node)
    if not conditions:
        return {"all": True}
    if len(conditions) == 1:
        return conditions[0]
    return {"or" if form_data.get("match") == "any" else "and": conditions}


def rows_from_segment(segment: dict | None) -> tuple[str, list[dict]] | None:
    """The inverse of segment_from_form for flat segments; None if the tree is deeper."""
    segment = segment or {"all": True}
    if segment == {"all": True}:
        return "all", []
    match, nodes = "all", [segment]
    if set(segment) & {"and", "or"}:
        (kind, nodes), = segment.items()
        match = "any" if kind == "or" else "all"
    rows = []
    for node in nodes:
        negate = False
        if "not" in node:
            negate, node = True, node["not"]
        (kind, value), = node.items()
        if kind in ("status", "payment", "language", "category", "session") and isinstance(value, list) and len(value) == 1:
            rows.append({"choice": f"{kind}:{value[0]}", "negate": negate, "answer": ""})
        elif kind in ("speakers", "staff", "checked_in", "no_show") and value is True:
            rows.append({"choice": f"flag:{kind}", "negate": negate, "answer": ""})
        elif kind == "answer":
            rows.append({"choice": f"answer:{value['question']}", "negate": negate, "answer": value.get("value", "")})
        else:
            return None
    if len(rows) > CONDITION_ROWS:
        return None
    return match, rows


class ComposeForm(Form):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=50000)],
                         description=_l("Markdown. Merge fields such as %(example)s are filled in for each person.",
                                        example="{{ first_name }}"))
    match = RadioField(_l("Send to people who match"),
                       choices=[("all", _l("All of the conditions")), ("any", _l("Any of the conditions"))], default="all")
    attachment = FileField(_l("Attach a file (optional)"), description=_l("PDF, image or document; at most 5 MB in total."))
    untranslated_fallback = BooleanField(
        _l("Send this version to people whose language has no version of its own"),
        description=_l("Otherwise the email is not sent while any recipient reads a language it is not written in."))


class PreviewForm(Form):
    class Meta:
        csrf = False

    address = StringField(_l("Preview as (email address in the segment)"), validators=[Optional(), Length(max=254)])


class ScheduleForm(Form):
    when = StringField(_l("Send at (event time)"), validators=[DataRequired()],
                       description=_l("Date and time in the event's time zone, e.g. %(example)s.", example="2026-12-03 09:00"),
                       render_kw={"type": "datetime-local"})


class ReminderForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    offset_days = IntegerField(_l("Days"), validators=[NumberRange(-60, 60)], default=-1,
                               description=_l("Negative: before; positive: after; 0: on the day."))
    anchor = SelectField(_l("Relative to"),
                         choices=[("start", _l("the start of the event")), ("end", _l("the end of the event"))])
    at_time = StringField(_l("At (event time, HH:MM)"), validators=[Optional(), Length(max=5)], default="09:00")
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=50000)])
