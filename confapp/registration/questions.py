"""Registration questions: the built-ins organisers switch on, visibility of conditional
questions, and checking one attendee's answers. Used by the order service and the
attendee's self-service page alike."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from flask_babel import gettext
from ..i18n import DEFAULT_LANGUAGE, current_language
from ..text import without_accents
from .models import Question, QuestionKind


@dataclass(frozen=True)
class BuiltinQuestion:
    key: str
    kind: QuestionKind
    label: str
    help_text: str = ""
    options: tuple[str, ...] = ()
    is_personal: bool = True


def N_(text: str) -> str:
    """Marks a built-in question's text for the catalogue; it is stored in the event's language
    when switched on (catalogue.set_builtin), so it is translated then, not here."""
    return text


BUILTIN_QUESTIONS: dict[str, BuiltinQuestion] = {
    q.key: q
    for q in (
        BuiltinQuestion("organisation", QuestionKind.SHORT_TEXT, N_("Organisation"), N_("The organisation you work or volunteer with, if any.")),
        BuiltinQuestion("city", QuestionKind.SHORT_TEXT, N_("City")),
        BuiltinQuestion("region", QuestionKind.SHORT_TEXT, N_("State, province or region")),
        BuiltinQuestion("country", QuestionKind.COUNTRY, N_("Country")),
        BuiltinQuestion("pronouns", QuestionKind.SHORT_TEXT, N_("Pronouns"), N_("For your badge, for example she/her, they/them.")),
        BuiltinQuestion("accessibility", QuestionKind.LONG_TEXT, N_("Accessibility needs"),
                        N_("Anything we should arrange so that you can take part fully: seating, captioning, ASL, a quiet room, large print.")),
        BuiltinQuestion("dietary", QuestionKind.SHORT_TEXT, N_("Dietary needs"), N_("Allergies, vegetarian, vegan, halal, kosher...")),
        BuiltinQuestion("interpretation", QuestionKind.SINGLE_CHOICE, N_("Interpretation language"),
                        N_("If you would like interpretation, choose the language."),
                        (N_("None needed"), N_("Spanish"), N_("ASL"), N_("French"), N_("Haitian Creole"), N_("Other"))),
        BuiltinQuestion("consent_attendee_list", QuestionKind.CHECKBOX, N_("List my name and organisation on the attendee list"),
                        N_("Other participants will see your name and organisation.")),
        BuiltinQuestion("consent_photos", QuestionKind.CHECKBOX, N_("I agree to appear in photos of the event"),
                        N_("If you do not agree, ask at the desk for a no-photo lanyard."), (), False),
    )
}

MAX_SHORT = 300
MAX_LONG = 5000
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ().-]{5,24}$")


def countries() -> list[tuple[str, str]]:
    """(ISO 3166 alpha-2 code, name) sorted by name, in the interface's language (CLDR's names
    through Babel; pycountry's English where CLDR has none)."""
    return _countries(current_language())


@lru_cache(maxsize=8)
def _countries(language: str) -> list[tuple[str, str]]:
    import pycountry
    from babel import Locale

    names = Locale.parse(language).territories if language != DEFAULT_LANGUAGE else {}
    pairs = [(c.alpha_2, names.get(c.alpha_2) or getattr(c, "common_name", None) or c.name) for c in pycountry.countries]
    # Accents and case ignored: "Åland" sorts with A, "Perú" before "Polonia".
    return sorted(pairs, key=lambda p: without_accents(p[1].casefold()))


def country_names() -> dict[str, str]:
    return _country_names(current_language())


@lru_cache(maxsize=8)
def _country_names(language: str) -> dict[str, str]:
    return dict(_countries(language))


def is_visible(question: Question, answers: dict[int, str]) -> bool:
    """A conditional question shows when the answer it depends on matches its condition value."""
    if question.condition_question_id is None:
        return True
    given = answers.get(question.condition_question_id, "")
    return question.condition_value in given.split("\n") if given else False


def normalise_email(value: str) -> str:
    return value.strip().lower()


def check_email(value: str) -> str | None:
    """The message for an invalid email address, or None."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return gettext("Enter an email address like name@example.org.")
    return None


def clean_answer(question: Question, raw) -> tuple[str, str | None]:
    """(stored value, error message or None) for one answer."""
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        values = [v for v in (raw if isinstance(raw, (list, tuple)) else ([raw] if raw else [])) if v]
        unknown = [v for v in values if v not in question.options]
        if unknown:
            return "", gettext("Choose from the options given.")
        if question.required and not values:
            return "", gettext("Choose at least one option.")
        return "\n".join(v for v in question.options if v in values), None
    value = (raw[0] if isinstance(raw, (list, tuple)) and raw else raw) or ""
    value = str(value).strip()
    if question.kind == QuestionKind.CHECKBOX:
        checked = value.lower() in {"y", "yes", "on", "true", "1"}
        if question.required and not checked:
            return "", gettext("Tick this box to continue.")
        return ("yes" if checked else ""), None
    if not value:
        return "", (gettext("Answer this question.") if question.required else None)
    if question.kind == QuestionKind.SHORT_TEXT and len(value) > MAX_SHORT:
        return value, gettext("Keep this under %(num)s characters.", num=MAX_SHORT)
    if question.kind == QuestionKind.LONG_TEXT and len(value) > MAX_LONG:
        return value, gettext("Keep this under %(num)s characters.", num=MAX_LONG)
    if question.kind == QuestionKind.SINGLE_CHOICE and value not in question.options:
        return value, gettext("Choose from the options given.")
    if question.kind == QuestionKind.COUNTRY:
        code = value.upper()
        if code not in country_names():
            return value, gettext("Choose a country from the list.")
        return code, None
    if question.kind == QuestionKind.EMAIL:
        error = check_email(value)
        return normalise_email(value), error
    if question.kind == QuestionKind.PHONE and not PHONE_RE.match(value):
        return value, gettext("Enter a phone number with digits only, for example +1 617 555 0134.")
    return value, None


def clean_answers(questions: list[Question], raw: dict[int, object]) -> tuple[dict[int, str], dict[int, str]]:
    """Check one attendee's answers against the event's active questions, in order.
    Returns (values by question id, errors by question id). Hidden conditional questions
    are neither required nor kept."""
    values: dict[int, str] = {}
    errors: dict[int, str] = {}
    for question in questions:
        if not is_visible(question, values):
            continue
        value, error = clean_answer(question, raw.get(question.id))
        if error:
            errors[question.id] = error
        if value:
            values[question.id] = value
    return values, errors


def display_value(question: Question, value: str) -> str:
    if question.kind == QuestionKind.COUNTRY:
        return country_names().get(value, value)
    if question.kind == QuestionKind.CHECKBOX:
        return gettext("Yes") if value else gettext("No")
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return ", ".join(value.split("\n"))
    return value
