"""A segment in words, for people: the composer's live description, and a saved message's
audience re-described in each reader's language from the names saved with it
(Message.segment_names), so the history never shows the words of whoever saved it."""
from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from ..events.content_languages import content_language, default_language, event_languages, localized
from ..extensions import db
from ..i18n import language_name
from ..program.models import ProgramSession
from ..registration.models import Question, RegistrationCategory
from .segments import PAYMENT_CHOICES, STATUS_CHOICES


def describe(event_id: int, segment: dict | None) -> str:
    """A short human description of a segment for the history ("Status: Confirmed AND NOT Checked in"),
    in the interface's language, the event's own names (categories, sessions, questions) in the
    event's content language."""
    from ..events.models import Event

    event = db.session.get(Event, event_id)  # loaded already by every caller: no query
    segment = segment or {"all": True}
    lang = content_language(event)
    rows = _named_rows(event, _referenced(segment, {}))  # only what the segment names
    return _describe(segment, {kind: {row.id: texts[lang] for row, texts in items} for kind, items in rows.items()})


# What a segment can refer to by id, and the text that names it.
_NAMED = (("category", RegistrationCategory, "name"), ("session", ProgramSession, "title"), ("question", Question, "label"))


def _named_rows(event, ids: dict[str, set[int]] | None = None) -> dict[str, list]:
    """{kind: [(row, {language: its name})]} for the event's rows of each kind (only `ids` when given),
    one query per kind; each name falls back to the default language's as pages show it."""
    languages, default = event_languages(event), default_language(event)
    found = {}
    for kind, model, field in _NAMED:
        query = select(model).where(model.event_id == event.id)
        if ids is not None:
            if not ids.get(kind):
                found[kind] = []
                continue
            query = query.where(model.id.in_(ids[kind]))
        found[kind] = [(row, {lang: str(localized(row, field, lang, default)) for lang in languages})
                       for row in db.session.scalars(query)]
    return found


def _referenced(node, found: dict[str, set[int]]) -> dict[str, set[int]]:
    """The ids of categories, sessions and questions a segment names."""
    (kind, value), = node.items()
    if kind in ("and", "or"):
        for child in value:
            _referenced(child, found)
    elif kind == "not":
        _referenced(value, found)
    elif kind in ("category", "session"):
        found.setdefault(kind, set()).update(int(v) for v in (value if isinstance(value, list) else [value]))
    elif kind == "answer":
        found.setdefault("question", set()).add(int(value["question"]))
    return found


def names_of(event, segment: dict | None) -> dict:
    """What a saved message keeps to describe its segment later in any of the event's languages
    (Message.segment_names): the names of what it refers to, as they are now, in each language."""
    rows = _named_rows(event, _referenced(segment or {"all": True}, {}))
    return {kind: {str(row.id): texts for row, texts in items} for kind, items in rows.items() if items}


def label_of(message, event) -> str:
    """A saved message's audience in words, in the reader's language: re-described from its
    segment and the names saved with it. Older messages (no saved names) and resends keep the
    label they were saved with."""
    if message.segment_names is None:
        return message.segment_label or ""
    lang, default = content_language(event), default_language(event)

    def name(texts: dict) -> str:
        return texts.get(lang) or texts.get(default) or next(iter(texts.values()), "")

    names = {kind: {int(i): name(texts) for i, texts in (message.segment_names.get(kind) or {}).items()}
             for kind, _model, _field in _NAMED}
    return _describe(message.segment or {"all": True}, names)


def _describe(node, names) -> str:
    (kind, value), = node.items()
    if kind in ("and", "or"):
        # The joining words stay AND / OR / NOT in every language: they read as operators.
        joined = f" {kind.upper()} ".join(_describe(child, names) for child in value)
        return f"({joined})" if len(value) > 1 else joined
    if kind == "not":
        return f"NOT {_describe(value, names)}"
    labels = {
        "all": gettext("Everyone"), "checked_in": gettext("Checked in"), "no_show": gettext("No-show"),
        "attended_online": gettext("Attended online"), "speakers": gettext("Speakers"), "staff": gettext("Staff"),
    }
    if kind in labels:
        return labels[kind] if value else f"NOT {labels[kind]}"
    values = value if isinstance(value, list) else [value]
    either = gettext(" or ")
    if kind == "status":
        return gettext("Status: %(values)s", values=either.join(str(dict(STATUS_CHOICES).get(v, v)) for v in values))
    if kind == "payment":
        return gettext("Payment: %(values)s", values=either.join(str(dict(PAYMENT_CHOICES).get(v, v)) for v in values))
    if kind == "language":
        return gettext("Language: %(values)s", values=either.join(language_name(v) for v in values))
    if kind == "category":
        return gettext("Category: %(values)s", values=either.join(names["category"].get(int(v), f"#{v}") for v in values))
    if kind == "session":
        return gettext("Session: %(values)s", values=either.join(names["session"].get(int(v), f"#{v}") for v in values))
    if kind == "answer":
        label = names["question"].get(int(value["question"]),
                                      gettext("question #%(id)s", id=value["question"]))
        return f"{label} = {value.get('value') or gettext('(any answer)')}"
    return kind
