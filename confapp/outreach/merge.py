"""Merge fields: `{{ first_name }}` and friends in a message's subject and body.

Rendered in Jinja's immutable sandbox (with limits on arithmetic, sizes and time, see
`sandbox.py`) with StrictUndefined: an unknown field is an error
the composer shows before anything is sent, and attribute tricks such as
`{{ ''.__class__ }}` raise SecurityError instead of reaching application internals.
The Markdown body is merged first and then rendered and sanitised by `confapp.text`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError
from markupsafe import Markup
from sqlalchemy import select

from ..errors import ValidationFailed
from ..events.content_languages import content_language, tr, tr_options
from ..extensions import db
from ..registration.models import Answer, Question, Registration
from ..templating import format_date_range, format_datetime
from ..text import markdown_to_text, render_markdown
from .sandbox import MergeSandbox, TemplateLimit

# Limits on arithmetic, sizes and time (confapp.outreach.sandbox): `{{ 9**9**9 }}` stops at once.
_env = MergeSandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)

FIELDS = {
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "full_name": _l("Full name"),
    "email": _l("Email address"),
    "event_title": _l("Event title"),
    "event_dates": _l("Event dates"),
    "event_start": _l("Start (date and time, event time zone)"),
    "event_end": _l("End (date and time, event time zone)"),
    "venue": _l("Venue"),
}


@dataclass(frozen=True)
class PersonLink:
    name: str
    label: str
    url: Callable[[Registration, object], str]  # (registration, event) -> absolute URL
    position: int


# Links that belong to one person (ticket, self-service, survey) are contributed by the domains
# that own them (registration, reports), the way purgers are registered, so that outreach needs
# none of them. Registered at import; the application factory imports every domain.
PERSON_LINKS: dict[str, PersonLink] = {}


def register_person_link(name: str, label: str, url: Callable[[Registration, object], str], *, position: int) -> None:
    PERSON_LINKS[name] = PersonLink(name, label, url, position)


def _person_links() -> list[PersonLink]:
    return sorted(PERSON_LINKS.values(), key=lambda link: link.position)


def all_fields() -> dict[str, str]:
    """Every merge field's name and label: the fixed ones, then the person's links."""
    return {**FIELDS, **{link.name: link.label for link in _person_links()}}


def answer_key(question: Question) -> str:
    return question.builtin_key or f"q{question.id}"


@dataclass
class MergeFieldHelp:
    name: str
    label: str


def event_questions(event_id: int) -> list[Question]:
    return list(db.session.scalars(select(Question).where(Question.event_id == event_id).order_by(Question.position, Question.id)))


def field_help(event) -> list[MergeFieldHelp]:
    """The fields the composer lists: the fixed ones and one `answers.<key>` per question, its
    label in the composer's content language (the key stays the default language's)."""
    items = [MergeFieldHelp(name, label) for name, label in all_fields().items()]
    for question in event_questions(event.id):
        label = tr(question, "label", event=event)
        items.append(MergeFieldHelp(f"answers.{answer_key(question)}", gettext("Answer: %(question)s", question=label)))
    return items


@lru_cache(maxsize=64)
def _compile(source: str):
    return _env.from_string(source)


def event_context(event) -> dict:
    return {
        # In the reader's language (the sender's in_language), like the rest of the mail.
        "event_title": str(tr(event, "title")),
        "event_dates": format_date_range(event.starts_at, event.ends_at, event.timezone),
        "event_start": format_datetime(event.starts_at, event.timezone),
        "event_end": format_datetime(event.ends_at, event.timezone),
        "venue": event.venue_line,
    }


def sample_context(event, questions: list[Question] | None = None) -> dict:
    """Placeholder values for every field: what validation renders, the history keeps and a
    preview with nobody to show shows, in the reader's language (the questions as translated)."""
    questions = event_questions(event.id) if questions is None else questions
    context = {name: f"[{label.split(' (')[0].lower()}]" for name, label in all_fields().items()}
    context.update(event_context(event))
    context["answers"] = {answer_key(q): f"[{tr(q, 'label', event=event)}]" for q in questions}
    return context


def _links(registration: Registration | None, event) -> dict[str, str]:
    """The person's links by field name; built from the event already loaded (no query)."""
    return {link.name: link.url(registration, event) if registration is not None else "" for link in _person_links()}


def recipient_contexts(event, recipients: list, questions: list[Question] | None = None) -> dict[str, dict]:
    """Merge contexts for a batch of recipients in three queries (registrations, answers), keyed by address.

    `recipients` are objects with address, name or first/last name and registration_id.
    """
    questions = event_questions(event.id) if questions is None else questions
    keys = {q.id: answer_key(q) for q in questions}
    # A choice answer is stored as the default language's option texts: the reader (the sender's
    # in_language) reads the options as the organiser translated them. No query: the rows are loaded.
    lang = content_language(event)
    options = {q.id: {value: str(label) for value, label in zip(q.options, tr_options(q, lang=lang))}
               for q in questions if q.options}
    registration_ids = [r.registration_id for r in recipients if r.registration_id]
    registrations: dict[int, Registration] = {}
    answers: dict[int, dict[str, str]] = {}
    if registration_ids:
        rows = db.session.scalars(select(Registration).where(Registration.id.in_(registration_ids)))
        for registration in rows:
            registrations[registration.id] = registration
        for registration_id, question_id, value in db.session.execute(
            select(Answer.registration_id, Answer.question_id, Answer.value).where(Answer.registration_id.in_(registration_ids))
        ):
            if question_id in keys:
                labels = options.get(question_id, {})
                answers.setdefault(registration_id, {})[keys[question_id]] = ", ".join(
                    labels.get(part, part) for part in value.split("\n"))
    base = event_context(event)
    contexts = {}
    for recipient in recipients:
        registration = registrations.get(recipient.registration_id) if recipient.registration_id else None
        if registration is not None:
            first, last = registration.first_name, registration.last_name
        else:
            first, last = _split_name(recipient)
        context = dict(base)
        context.update(
            first_name=first, last_name=last, full_name=f"{first} {last}".strip(), email=recipient.address,
            **_links(registration, event),
        )
        person_answers = {key: "" for key in keys.values()}
        person_answers.update(answers.get(recipient.registration_id, {}))
        context["answers"] = person_answers
        contexts[recipient.address] = context
    return contexts


def _split_name(recipient) -> tuple[str, str]:
    """Waitlist entries, speakers and staff have one name field: "Ivy Ito" -> ("Ivy", "Ito")."""
    first = getattr(recipient, "first_name", None)
    last = getattr(recipient, "last_name", "") or ""
    if first is not None and last:
        return first, last
    name = (first if first is not None else getattr(recipient, "name", "") or "").strip()
    first, _, last = name.partition(" ")
    return first, last.strip()


def render_string(source: str, context: dict, field: str) -> str:
    """Render one template string; raises ValidationFailed({field: message}) on any problem."""
    try:
        return _env.render_limited(_compile(source), context)
    except TemplateLimit as error:
        raise ValidationFailed({field: gettext("This message cannot be filled in: %(problem)s. Keep to the merge fields, "
                                               "plain text and %(tag)s.", problem=error, tag="{% if %}")}) from None
    except SecurityError:
        raise ValidationFailed({field: gettext("That expression is not allowed in a message.")}) from None
    except UndefinedError as error:
        raise ValidationFailed({field: gettext("Unknown merge field: %(name)s.", name=_undefined_name(error))}) from None
    except TemplateSyntaxError as error:
        raise ValidationFailed({field: gettext("The merge fields could not be read (line %(line)s): %(problem)s.", line=error.lineno, problem=error.message)}) from None
    except TemplateError as error:
        raise ValidationFailed({field: gettext("The message could not be rendered: %(problem)s.", problem=error.message)}) from None
    except (TypeError, ValueError, ArithmeticError, AttributeError, IndexError, KeyError):
        raise ValidationFailed({field: gettext("The message could not be rendered: check the merge fields.")}) from None


def _undefined_name(error: UndefinedError) -> str:
    text = str(error)
    # "'foo' is undefined" / "'dict object' has no attribute 'bar'"
    if "has no attribute" in text:
        return text.rsplit("attribute", 1)[1].strip(" '")
    return text.split("'")[1] if "'" in text else text


@dataclass
class Rendered:
    subject: str
    text: str
    html: str


def render_message(subject: str, body: str, context: dict, *, footer_text: str = "", footer_html: str = "",
                   sections: list | None = None) -> Rendered:
    """Subject, plain text and HTML for one recipient. `sections` are (text, html) parts that
    follow the body (building.py's reminder sections); their HTML is the contributing domain's
    own template, escaped there."""
    merged_subject = " ".join(render_string(subject, context, "subject").split())
    merged_body = render_string(body, context, "body")
    text = markdown_to_text(merged_body)
    body_html = render_markdown(merged_body)
    for section_text, section_html in sections or ():
        text = f"{text.rstrip()}\n\n{section_text.strip()}"
        body_html = body_html + Markup(section_html)
    html = _layout().render(subject=merged_subject, body_html=body_html, footer_html=footer_html)
    if footer_text:
        text = f"{text}\n\n-- \n{footer_text}"
    return Rendered(merged_subject, text + "\n", html)


def _layout():
    return current_app.jinja_env.get_template("emails/outreach_message.html")


def validate_message(event, subject: str, body: str) -> Rendered:
    """Render against placeholder values for every field: unknown fields and forbidden
    expressions fail here, in the composer, before anyone is sent anything."""
    errors = {}
    for field, source in (("subject", subject), ("body", body)):
        try:
            render_string(source, sample_context(event), field)
        except ValidationFailed as error:
            errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)
    return render_message(subject, body, sample_context(event))
