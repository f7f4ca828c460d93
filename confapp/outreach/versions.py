"""One version of an announcement per language of the event.

The message's own subject and body are the version in the event's default language; the other
languages' versions sit in `Message.translations` ({"es": {"subject": ..., "body": ...}}, the same
shape as every translatable row, confapp/events/content_languages.py). Each recipient reads one
language: the one they chose or registered in when the event has it, else the event's default
(`reader_language`). They get the version in that language; when there is none, the default
version, but only if the organiser chose that (`Message.untranslated_fallback`): otherwise the
send is refused, saying who would be left without their language (`check_versions`).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext, ngettext
from sqlalchemy import or_, true

from ..errors import ValidationFailed
from ..events.content_languages import default_language, event_languages, other_languages, translation
from ..i18n import language_name
from . import segments

FIELDS = ("subject", "body")


def reader_language(event, code: str | None) -> str:
    """The language among the event's in which this person reads: theirs if the event has it."""
    return code if code in event_languages(event) else default_language(event)


def reads(event, column, lang: str):
    """SQL: the person whose language is in `column` reads `lang` (reader_language, in the query)."""
    if lang != default_language(event):
        return column == lang
    others = other_languages(event)
    return or_(column.is_(None), column.not_in(others)) if others else true()


def has_version(message, event, lang: str) -> bool:
    if lang == default_language(event):
        return True
    return bool(translation(message, "subject", lang).strip() and translation(message, "body", lang).strip())


def version(message, event, lang: str) -> tuple[str, str, str]:
    """(subject, body, language of the version) that a reader of `lang` gets: their own when it
    exists, else the default's (send refused earlier unless the organiser chose the fallback)."""
    if lang != default_language(event) and has_version(message, event, lang):
        return translation(message, "subject", lang), translation(message, "body", lang), lang
    return message.subject, message.body, default_language(event)


def version_languages(message, event) -> list[str]:
    """The languages the message is written in, the default first."""
    return [lang for lang in event_languages(event) if has_version(message, event, lang)]


@dataclass
class Audience:
    """How many of the recipients read one language, and what they will get."""

    language: str
    name: str
    count: int
    has_version: bool
    gets_default: bool  # no version of their own, and the organiser chose the default for them


def audience(message, event, segment: dict | None) -> list[Audience]:
    """The recipients by the language they read (one grouped query), the event's languages in order."""
    counts: dict[str, int] = {}
    for code, n in segments.language_counts(event.id, segment).items():
        lang = reader_language(event, code)
        counts[lang] = counts.get(lang, 0) + n
    fallback = bool(getattr(message, "untranslated_fallback", False))
    rows = []
    for lang in event_languages(event):
        own = has_version(message, event, lang) if message is not None else lang == default_language(event)
        if lang in counts or lang == default_language(event):
            rows.append(Audience(lang, language_name(lang), counts.get(lang, 0), own, not own and fallback))
    return rows


def check_versions(message, event) -> None:
    """Raises ValidationFailed when recipients read a language the message has no version in and
    the organiser has not chosen to send them the default version."""
    if message.untranslated_fallback:
        return
    missing = [row for row in audience(message, event, message.segment) if row.count and not row.has_version]
    if missing:
        default = language_name(default_language(event))
        parts = [ngettext("%(num)d person reads %(language)s", "%(num)d people read %(language)s", row.count,
                          language=row.name) for row in missing]
        raise ValidationFailed({"translations": gettext(
            "%(who)s, and this email has no version in it. Write one, or choose to send them the %(default)s version.",
            who="; ".join(parts), default=default)})


def cleaned(event, texts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The versions an organiser typed, for the event's other languages only; a version is a
    subject and a body together (half a version is refused by `check_halves`)."""
    return {lang: {field: (texts.get(lang) or {}).get(field, "") or "" for field in FIELDS}
            for lang in other_languages(event)}


def check_halves(event, texts: dict[str, dict[str, str]]) -> dict[str, str]:
    """Field errors for a version with a subject but no body, or a body but no subject."""
    errors = {}
    for lang, values in cleaned(event, texts).items():
        subject, body = values["subject"].strip(), values["body"].strip()
        if subject and not body:
            errors[f"body__{lang}"] = gettext("Write the %(language)s message, or leave its subject empty too.",
                                             language=language_name(lang))
        elif body and not subject:
            errors[f"subject__{lang}"] = gettext("Write the %(language)s subject, or leave its message empty too.",
                                                language=language_name(lang))
    return errors
