"""The narrative paragraph drafted from the figures, in the style of a convening's press
release ("Over 150 academics, advocates and activists from 10 cities, including Baltimore,
Boston and Chicago, took part in ..."). A pure function: the organiser edits what it drafts.

It must read correctly for none, one, two and many places and organisations: no "1 cities",
no "including" with nothing after it, no list that claims to be partial when it is whole.
"""
from __future__ import annotations

from dataclasses import dataclass, field

_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
# How many names a list shows before it becomes "including A, B and C".
LIST_LIMIT = 3


@dataclass(frozen=True)
class NarrativeFacts:
    event_title: str
    participants: int = 0
    audience: str = ""  # plural noun phrase; "participants" when empty
    venue: str = ""
    dates: str = ""
    cities: list[str] = field(default_factory=list)  # names safe to print, most participants first
    cities_total: int = 0
    countries_total: int = 0
    organisations: list[str] = field(default_factory=list)
    organisations_total: int = 0
    sessions_total: int = 0
    speakers_total: int = 0
    # Public text: a number of people under five is never printed.
    public: bool = True


def number(n: int) -> str:
    return _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    return f"{number(n)} {singular if n == 1 else (plural_form or singular + 's')}"


def join_names(names: list[str]) -> str:
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def people_phrase(n: int, audience: str, public: bool) -> str:
    """'Over 150 academics', 'Twelve participants', 'One participant', 'Fewer than five participants'."""
    noun = audience.strip() or "participants"
    if n == 1 and not public:
        return "One participant"
    if n < 5 and public:
        return f"Fewer than five {noun}"
    if n < 20:
        return f"{number(n).capitalize()} {noun}"
    if n % 10:
        return f"Over {n - n % 10:,} {noun}"
    return f"{n:,} {noun}"


def _named_group(total: int, names: list[str], singular: str, plural_form: str) -> tuple[str, str]:
    """(head, including): ('Boston and Chicago', '') when the names are the whole group,
    ('10 cities', 'A, B and C') when they are part of it, ('', '') when there is nothing."""
    names = [n for n in names if n][: max(total, 0)]
    if total <= 0:
        return "", ""
    if names and len(names) == total and total <= LIST_LIMIT:
        return join_names(names), ""
    return plural(total, singular, plural_form), join_names(names[:LIST_LIMIT])


def draft_narrative(facts: NarrativeFacts) -> str:
    if facts.participants <= 0:
        return f"No participants have been recorded for {facts.event_title} yet."
    subject = people_phrase(facts.participants, facts.audience, facts.public)
    places, including = _named_group(facts.cities_total, facts.cities, "city", "cities")
    if places:
        subject += f" from {places}"
        if facts.countries_total > 1:
            subject += f" in {plural(facts.countries_total, 'country', 'countries')}"
        if including:
            # The list sits between commas: "from 10 cities, including A and B, took part".
            subject += f", including {including},"
    sentence = f"{subject} took part in {facts.event_title}"
    if facts.venue:
        sentence += f" at {facts.venue}"
    if facts.dates:
        sentence += f" on {facts.dates}"
    sentences = [sentence + "."]

    organisations, including = _named_group(
        facts.organisations_total, facts.organisations, "organisation", "organisations"
    )
    if organisations:
        sentences.append(f"They represented {organisations}" + (f", including {including}." if including else "."))

    if facts.sessions_total > 0:
        programme = f"The programme had {plural(facts.sessions_total, 'session')}"
        if facts.speakers_total > 0:
            programme += f" with {plural(facts.speakers_total, 'speaker')}"
        sentences.append(programme + ".")
    return " ".join(sentences)
