"""Organiser-written content in several languages (the pretix way).

An event has its content `languages` (a subset of the interface's, confapp.i18n.LANGUAGES) and a
`default_language`. Every translatable text column keeps the default language's text, so any
code that reads `event.title` still works; the other languages live in the row's JSON column
`translations`: {"es": {"title": "...", "description": "..."}}. Reading a translation is a dict
look-up on a row already loaded: no extra query, whatever the page shows.

A page's content language is the visitor's interface language if the event has it, else the
event's default (`content_language`). A text missing in that language falls back to the default
language silently (`localized`); organisers see which languages still lack it (`missing_languages`).
The text returned knows its language (`LocalText.lang`), so a template can mark content whose
language differs from the interface's with a `lang` attribute (`lang_attr`).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import g, has_request_context
from markupsafe import Markup

from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, current_language, language_name  # noqa: F401  (language_name: re-exported)


class LocalText(str):
    """A text with the language it is written in."""

    lang: str

    def __new__(cls, text: str, lang: str):
        obj = super().__new__(cls, text)
        obj.lang = lang
        return obj


@dataclass(frozen=True)
class Translatable:
    """A model whose text columns can be translated, and how to find an event's rows of it."""

    model: type
    fields: tuple[str, ...]
    event_column: str = "event_id"


# Domains register their translatable models (the events domain cannot import them): used to move
# texts between the columns and `translations` when an event's default language changes.
TRANSLATABLES: list[Translatable] = []


def register_translatable(model: type, fields: tuple[str, ...], event_column: str = "event_id") -> None:
    TRANSLATABLES.append(Translatable(model, fields, event_column))


def event_languages(event) -> list[str]:
    """The event's content languages, its default first, then in the site's order."""
    default = default_language(event)
    chosen = set(getattr(event, "languages", None) or ())
    return [default] + [code for code in LANGUAGES if code in chosen and code != default]


def default_language(event) -> str:
    code = getattr(event, "default_language", None)
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def other_languages(event) -> list[str]:
    """The event's languages besides its default: the ones organisers translate into."""
    return event_languages(event)[1:]


def content_language(event, interface: str | None = None) -> str:
    """The language an event's content is shown in: the interface's if the event has it, else its default."""
    interface = interface or current_language()
    return interface if interface in event_languages(event) else default_language(event)


def translation(obj, field: str, lang: str) -> str:
    """The stored translation of `field` into `lang` ("" if none); never the default text."""
    return ((getattr(obj, "translations", None) or {}).get(lang) or {}).get(field) or ""


def translations_of(translations: dict | None, field: str) -> dict[str, str]:
    """{lang: text} of one field's stored translations, from a `translations` column read without
    its object (a report's figures keep them, so each reader gets their language)."""
    return {lang: texts[field] for lang, texts in (translations or {}).items() if (texts or {}).get(field)}


def localized(obj, field: str, lang: str, default: str | None = None) -> LocalText:
    """`obj.field` in `lang`, falling back to the default-language text (the column).
    `default` is the event's default language (what the column holds); it only labels the
    fallback's language."""
    text = translation(obj, field, lang)
    if text:
        return LocalText(text, lang)
    return LocalText(getattr(obj, field) or "", default or lang)


def missing_languages(obj, field: str, event) -> list[str]:
    """The event's other languages with no translation of `obj.field` (none when the field is empty)."""
    value = getattr(obj, field)
    if not value or (isinstance(value, str) and not value.strip()):
        return []

    def lacks(code: str) -> bool:
        text = translation(obj, field, code)
        if isinstance(value, list):  # a list is translated when every item is
            return not text or len(text) < len(value) or not all(text[:len(value)])
        return not text

    return [code for code in other_languages(event) if lacks(code)]


def set_translations(obj, texts: dict[str, dict[str, object]], fields: tuple[str, ...]) -> bool:
    """Replace `obj`'s translations of `fields` with `texts` ({lang: {field: text}}), dropping empty
    ones and keeping any other field's. Returns whether anything changed."""
    before = obj.translations or {}
    after = {lang: {k: v for k, v in values.items() if k not in fields} for lang, values in before.items()}
    for lang, values in texts.items():
        for field in fields:
            value = values.get(field)
            if value:
                after.setdefault(lang, {})[field] = value
    after = {lang: values for lang, values in after.items() if values}
    if after != before:
        obj.translations = after  # a new dict: SQLAlchemy sees the JSON change
        return True
    return False


def swap_default(obj, fields: tuple[str, ...], old: str, new: str) -> None:
    """The event's default language changes from `old` to `new`: a text translated into `new`
    moves into the column and the column's text becomes the `old` translation. A text never
    translated into `new` stays in the column (it is what visitors of every language see)."""
    texts = {lang: dict(values) for lang, values in (obj.translations or {}).items()}
    incoming = texts.pop(new, {})
    for field in fields:
        replacement = incoming.pop(field, None)
        if replacement:
            current = getattr(obj, field)
            if current:
                texts.setdefault(old, {})[field] = current
            setattr(obj, field, replacement)
    if incoming:
        texts[new] = incoming
    obj.translations = {lang: values for lang, values in texts.items() if values}


# --- pages -------------------------------------------------------------------------------------

def use_event_language(event) -> None:
    """The request is about `event`: its default language becomes the interface's last fallback
    (after the profile, the cookie and Accept-Language), and its content language is fixed."""
    if not has_request_context() or event is None:
        return
    if g.get("event_default_language") != default_language(event):
        g.event_default_language = default_language(event)
        from flask_babel import refresh

        refresh()
    g.content_event = event


# The event whose content is being rendered outside its pages: an email about it (rendered by a
# job, a webhook or another event's request) or a reminder's sections. Without it a category or
# session would be shown in the interface language even when its event lacks that language (a
# stale translation left after the organiser dropped the language).
_rendering_event: ContextVar = ContextVar("confapp_content_event", default=None)


@contextmanager
def content_of(event):
    """Render `event`'s rows (categories, sessions, questions) in its content language: the
    current interface language if the event has it, else its default."""
    token = _rendering_event.set(event)
    try:
        yield
    finally:
        _rendering_event.reset(token)


def _context_event():
    event = _rendering_event.get()
    if event is None and has_request_context():
        event = g.get("content_event")
    return event


def page_language() -> str:
    """The content language of the current page (its event's), else the interface's."""
    event = _context_event()
    return content_language(event) if event is not None else current_language()


def _frame(obj, lang: str | None = None, event=None) -> tuple[str, str | None]:
    """(the language to show `obj` in, the language its columns hold; None if unknown): an event
    is its own frame, anything else belongs to `event`, else to the event being rendered
    (content_of) or the page's event (use_event_language)."""
    is_event = hasattr(obj, "default_language") and hasattr(obj, "languages")
    event = obj if is_event else (event if event is not None else _context_event())
    if event is None:
        return lang or current_language(), None
    return lang or content_language(event), default_language(event)


def tr(obj, field: str, lang: str | None = None, event=None) -> LocalText:
    """Template helper: `obj.field` in the content language of its event (`event` when the
    caller has it, which is needed outside the event's pages and emails)."""
    lang, default = _frame(obj, lang, event)
    return localized(obj, field, lang, default or "")


def tr_options(obj, field: str = "options", lang: str | None = None) -> list[LocalText]:
    """The labels of a list field (a question's options) in the page's language, one per stored
    value and in the same order; an option without a translation keeps its default text. The
    stored values (what answers hold) never change with the language."""
    lang, default = _frame(obj, lang)
    translated = translation(obj, field, lang) or []
    labels = []
    for i, value in enumerate(getattr(obj, field) or []):
        text = translated[i] if i < len(translated) else ""
        labels.append(LocalText(text, lang) if text else LocalText(value, default or ""))
    return labels


def tr_answer(question, value: str | None) -> str:
    """A stored choice answer (the default language's option texts, several joined by newlines)
    as the page's language words it."""
    if not value:
        return ""
    labels = dict(zip(question.options or [], tr_options(question)))
    return ", ".join(labels.get(part, part) for part in value.split("\n"))


def lang_attr(text) -> Markup:
    """` lang="xx"` when a text's language differs from the interface's, else nothing."""
    lang = getattr(text, "lang", None)
    if lang and lang != current_language():
        return Markup(' lang="%s"') % lang
    return Markup("")


def register_template_helpers(state) -> None:
    env = state.app.jinja_env
    env.globals.update(tr=tr, tr_options=tr_options, tr_answer=tr_answer, lang_attr=lang_attr, page_language=page_language, language_name=language_name,
                       missing_languages=missing_languages, event_languages=event_languages,
                       other_languages=other_languages, translation=translation)
