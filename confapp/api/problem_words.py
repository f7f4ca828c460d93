"""marshmallow's own validation messages (English, built into the library) in the request's
language, for the `errors` of the API's 422 problems. The msgids are marshmallow's English
words, so English answers stay exactly as they were; the app's own messages are translated
where they are written and pass through unchanged, as does anything not listed here."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from ..i18n import known_words

_EXACT = {
    "Missing data for required field.": _l("Missing data for required field."),
    "Field may not be null.": _l("Field may not be null."),
    "Unknown field.": _l("Unknown field."),
    "Invalid input type.": _l("Invalid input type."),
    "Invalid value.": _l("Invalid value."),
    "Invalid input.": _l("Invalid input."),
    "Invalid type.": _l("Invalid type."),
    "Not a valid integer.": _l("Not a valid integer."),
    "Not a valid number.": _l("Not a valid number."),
    "Number too large.": _l("Number too large."),
    "Not a valid string.": _l("Not a valid string."),
    "Not a valid boolean.": _l("Not a valid boolean."),
    "Not a valid date.": _l("Not a valid date."),
    "Not a valid datetime.": _l("Not a valid datetime."),
    "Not a valid aware datetime.": _l("Not a valid aware datetime."),
    "Not a valid time.": _l("Not a valid time."),
    "Not a valid email address.": _l("Not a valid email address."),
    "Not a valid URL.": _l("Not a valid URL."),
    "Not a valid list.": _l("Not a valid list."),
    "Not a valid mapping type.": _l("Not a valid mapping type."),
    "Not a valid UUID.": _l("Not a valid UUID."),
    "String does not match expected pattern.": _l("String does not match expected pattern."),
    "Special numeric values (nan or infinity) are not permitted.":
        _l("Special numeric values (nan or infinity) are not permitted."),
}
_PATTERNS = [
    (re.compile(r"^Must be one of: (?P<choices>.+)\.$"), _l("Must be one of: %(choices)s.")),
    (re.compile(r"^Length must be between (?P<min>\S+) and (?P<max>\S+)\.$"), _l("Length must be between %(min)s and %(max)s.")),
    (re.compile(r"^Shorter than minimum length (?P<min>\S+)\.$"), _l("Shorter than minimum length %(min)s.")),
    (re.compile(r"^Longer than maximum length (?P<max>\S+)\.$"), _l("Longer than maximum length %(max)s.")),
    (re.compile(r"^Must be greater than or equal to (?P<min>\S+) and less than or equal to (?P<max>\S+)\.$"),
     _l("Must be greater than or equal to %(min)s and less than or equal to %(max)s.")),
    (re.compile(r"^Must be greater than or equal to (?P<min>\S+)\.$"), _l("Must be greater than or equal to %(min)s.")),
    (re.compile(r"^Must be less than or equal to (?P<max>\S+)\.$"), _l("Must be less than or equal to %(max)s.")),
]


def in_request_language(message: str) -> str:
    """One validation message in the request's language when it is one of marshmallow's."""
    words = known_words(message, _EXACT, _PATTERNS)
    return message if words is None else words


def translated(problem):
    """A field's problem as webargs gives it (a message, a list of them, or a nested schema's
    {field: problem}), with every message in the request's language."""
    if isinstance(problem, str):
        return in_request_language(problem)
    if isinstance(problem, list):
        return [translated(item) for item in problem]
    if isinstance(problem, dict):
        return {key: translated(value) for key, value in problem.items()}
    return problem
