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


# --- Spanish -------------------------------------------------------------------------------------
# The same facts in Spanish, written for the language rather than translated phrase by phrase:
# number words agree with their noun ("una ciudad", "un país"), lists end in "y" (or "e"), the
# verb agrees with one participant or many. "participants" (the English default audience phrase)
# reads as "participantes".

_WORDS_ES = {"f": ["ninguna", "una", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"],
             "m": ["ningún", "un", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"]}


def number_es(n: int, gender: str = "f") -> str:
    if 0 <= n < len(_WORDS_ES[gender]):
        return _WORDS_ES[gender][n]
    from babel.numbers import format_decimal

    return format_decimal(n, locale="es")


def plural_es(n: int, singular: str, plural_form: str, gender: str = "f") -> str:
    return f"{number_es(n, gender)} {singular if n == 1 else plural_form}"


def join_names_es(names: list[str]) -> str:
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    last = names[-1]
    # "y" becomes "e" before an "i" sound: "Boston e Indianápolis" (not before "hie", "hia": "y hielo").
    folded = last.lower()
    conjunction = "e" if (folded.startswith(("i", "í", "hi", "hí")) and not folded.startswith(("hia", "hie", "hio"))) else "y"
    return ", ".join(names[:-1]) + f" {conjunction} " + last


def people_phrase_es(n: int, audience: str, public: bool) -> str:
    """'Más de 150 participantes', '12 participantes', 'Una persona participante', 'Menos de cinco participantes'."""
    noun = audience.strip()
    noun = "participantes" if not noun or noun == "participants" else noun
    if n == 1 and not public:
        return "Una persona participante"
    if n < 5 and public:
        return f"Menos de cinco {noun}"
    if n < 10:
        return f"{number_es(n).capitalize()} {noun}"
    if n >= 20 and n % 10:
        return f"Más de {number_es(n - n % 10)} {noun}"
    return f"{number_es(n)} {noun}"


def _named_group_es(total: int, names: list[str], singular: str, plural_form: str, gender: str) -> tuple[str, str]:
    names = [n for n in names if n][: max(total, 0)]
    if total <= 0:
        return "", ""
    if names and len(names) == total and total <= LIST_LIMIT:
        return join_names_es(names), ""
    return plural_es(total, singular, plural_form, gender), join_names_es(names[:LIST_LIMIT])


def draft_narrative_es(facts: NarrativeFacts) -> str:
    if facts.participants <= 0:
        return f"Todavía no se han registrado participantes en {facts.event_title}."
    one = facts.participants == 1 and not facts.public
    subject = people_phrase_es(facts.participants, facts.audience, facts.public)
    places, including = _named_group_es(facts.cities_total, facts.cities, "ciudad", "ciudades", "f")
    if places:
        subject += f" de {places}"
        if facts.countries_total > 1:
            subject += f" de {plural_es(facts.countries_total, 'país', 'países', 'm')}"
        if including:
            subject += f", entre ellas {including},"
    sentence = f"{subject} {'participó' if one else 'participaron'} en {facts.event_title}"
    if facts.venue:
        sentence += f", en {facts.venue}"
    if facts.dates:
        sentence += f" ({facts.dates})"
    sentences = [sentence + "."]

    organisations, including = _named_group_es(
        facts.organisations_total, facts.organisations, "organización", "organizaciones", "f"
    )
    if organisations:
        verb = "Representó" if one else "Representaron"
        sentences.append(f"{verb} a {organisations}" + (f", entre ellas {including}." if including else "."))

    if facts.sessions_total > 0:
        programme = f"El programa tuvo {plural_es(facts.sessions_total, 'sesión', 'sesiones', 'f')}"
        if facts.speakers_total > 0:
            speakers = "una persona ponente" if facts.speakers_total == 1 else f"{number_es(facts.speakers_total)} ponentes"
            programme += f" con {speakers}"
        sentences.append(programme + ".")
    return " ".join(sentences)


def draft_in(language: str, facts: NarrativeFacts) -> str:
    """The draft in `language` (the event's content language it is for); English otherwise."""
    return draft_narrative_es(facts) if language == "es" else draft_narrative(facts)
