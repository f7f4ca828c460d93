"""What organisers write for participants after the event (issue 13): the certificate's wording
and the feedback survey's texts, each in the event's languages.

Every text is optional: empty means the catalogue's standard wording, translated as any
interface text. A text missing in the participant's language falls back silently to the
event's default language (events/content_languages.localized); the editing page says which
languages still lack it.

The certificate's wording may use merge fields written as in organisers' messages,
`{{ full_name }}`: the fields are plain substitutions (no template language), and any other
`{{ ... }}` is refused when the wording is saved.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record
from ..errors import ValidationFailed
from ..events.content_languages import default_language, localized, register_translatable, set_translations
from ..extensions import db
from ..templating import format_date_range
from .models import ParticipantWording

TEXT_FIELDS = ("certificate_text", "survey_intro", "survey_overall", "survey_comment")
register_translatable(ParticipantWording, TEXT_FIELDS)

# The certificate's merge fields: name -> what it is (shown on the editing page).
CERTIFICATE_FIELDS = {
    "full_name": _l("The participant's name"),
    "event_title": _l("Event title"),
    "event_dates": _l("Event dates"),
    "venue": _l("Venue"),
    "attendance_mode": _l('How they took part: "in person" or "online"'),
}

_MERGE = re.compile(r"\{\{(.*?)\}\}", re.S)


@dataclass
class WordingTexts:
    certificate_text: str = ""
    survey_intro: str = ""
    survey_overall: str = ""
    survey_comment: str = ""


def wording_for(event) -> ParticipantWording | None:
    return db.session.scalar(select(ParticipantWording).where(ParticipantWording.event_id == event.id))


def unknown_merge_fields(text: str) -> list[str]:
    """The `{{ ... }}` in `text` that are not certificate merge fields, as written; a lone `{{`
    or `}}` counts as one too (it would print as it is)."""
    unknown = [match.group(0) for match in _MERGE.finditer(text or "") if match.group(1).strip() not in CERTIFICATE_FIELDS]
    rest = _MERGE.sub("", text or "")
    unknown += [mark for mark in ("{{", "}}") if mark in rest]
    return unknown


def _check_merge_fields(texts: dict[str, str], errors: dict[str, str]) -> None:
    allowed = ", ".join("{{ %s }}" % name for name in CERTIFICATE_FIELDS)
    for key, text in texts.items():
        unknown = unknown_merge_fields(text)
        if unknown:
            errors[key] = gettext("Unknown merge field %(field)s. The certificate can use: %(allowed)s.",
                                  field=unknown[0], allowed=allowed)


def save_wording(event, texts: WordingTexts, translations: dict[str, dict[str, str]], *, actor) -> ParticipantWording:
    """Store the event's wording for participants (`translations`: {lang: {field: text}} for
    the event's other languages). The certificate's texts may use only CERTIFICATE_FIELDS.
    Raises ValidationFailed naming the field (`certificate_text`, `certificate_text__es`)."""
    values = {name: (getattr(texts, name) or "").replace("\r\n", "\n").strip() for name in TEXT_FIELDS}
    errors: dict[str, str] = {}
    certificate_texts = {"certificate_text": values["certificate_text"]}
    certificate_texts.update({f"certificate_text__{lang}": (fields.get("certificate_text") or "")
                              for lang, fields in translations.items()})
    _check_merge_fields(certificate_texts, errors)
    if errors:
        raise ValidationFailed(errors)
    wording = wording_for(event)
    if wording is None:
        wording = ParticipantWording(event_id=event.id, translations={})
        db.session.add(wording)
    for name, value in values.items():
        setattr(wording, name, value)
    set_translations(wording, translations, TEXT_FIELDS)
    db.session.flush()
    record("report.wording_saved", actor=actor, event=event, details={"languages": sorted(
        [default_language(event), *(lang for lang, fields in (wording.translations or {}).items() if fields)])})
    return wording


def wording_text(wording: ParticipantWording | None, field: str, event, lang: str) -> str:
    """The organiser's `field` in `lang`, else in the event's default language; "" when they
    wrote none (the caller then uses the catalogue's wording)."""
    if wording is None:
        return ""
    return str(localized(wording, field, lang, default_language(event)))


def certificate_paragraphs(wording: ParticipantWording | None, event, *, holder_name: str, online: bool | None,
                           lang: str) -> list[str]:
    """The organiser's certificate wording in `lang` with its merge fields filled in, one item
    per paragraph (blank lines); [] for the standard wording. Called inside the participant's
    language (confapp.i18n.in_language): the dates and the mode are in it."""
    text = wording_text(wording, "certificate_text", event, lang)
    if not text:
        return []
    if online is None:
        online = event.attendance_mode == "online"
    values = {
        "full_name": holder_name or gettext("A participant"),
        "event_title": str(localized(event, "title", lang, default_language(event))),
        "event_dates": format_date_range(event.starts_at, event.ends_at, event.timezone),
        "venue": event.venue_line or "",
        "attendance_mode": gettext("online") if online else gettext("in person"),
    }
    return paragraphs(_MERGE.sub(lambda match: values.get(match.group(1).strip(), match.group(0)), text))



def paragraphs(text: str) -> list[str]:
    """A text's paragraphs (separated by blank lines), for pages and emails."""
    return [part.strip() for part in re.split(r"\n\s*\n", text or "") if part.strip()]


def survey_texts(event, lang: str) -> dict[str, object]:
    """The survey's organiser-written texts in `lang` (falling back to the default language):
    `intro` (paragraphs), `overall` and `comment` ("" for the catalogue's wording)."""
    wording = wording_for(event)
    return {
        "intro": paragraphs(wording_text(wording, "survey_intro", event, lang)),
        "overall": wording_text(wording, "survey_overall", event, lang),
        "comment": wording_text(wording, "survey_comment", event, lang),
    }


def copy_wording(source, target, shift) -> None:
    """A new edition keeps the previous edition's wording: its merge fields name the edition."""
    wording = wording_for(source)
    if wording is not None:
        db.session.add(ParticipantWording(event_id=target.id, translations=dict(wording.translations or {}),
                                          **{name: getattr(wording, name) for name in TEXT_FIELDS}))
        db.session.flush()


from ..events.services import register_copy_hook  # noqa: E402  (events must not import reports)

register_copy_hook(copy_wording)
