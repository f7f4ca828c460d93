"""Template filters and globals shared by every page."""
from __future__ import annotations

import functools
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import dates as babel_dates

from flask import Flask, has_request_context, request

from .i18n import DEFAULT_LANGUAGE, current_language
from .money import format_money, plain  # format_money is also imported from here
from .navigation import MANAGE_NAV
from .text import render_markdown
from .types import utcnow


# strftime directives the templates use, and their CLDR equivalents for Babel.
_CLDR = {"%-d": "d", "%d": "dd", "%b": "MMM", "%B": "MMMM", "%a": "EEE", "%A": "EEEE", "%Y": "yyyy",
         "%H": "HH", "%M": "mm", "%S": "ss", "%-m": "M", "%m": "MM"}
_DIRECTIVE = re.compile("|".join(re.escape(d) for d in sorted(_CLDR, key=len, reverse=True)))


def _long_date_joiners(language: str) -> tuple[str, str]:
    """What the language writes between day and full month name, and between month and year, in
    its long date: Spanish "d 'de' MMMM 'de' y" gives (" 'de' ", " 'de' "); a space otherwise."""
    pattern = babel_dates.get_date_format("long", locale=language).pattern
    found = re.search(r"d+(\s[^My]*?)MMMM(\s[^y]*?)y+", pattern)
    return (found.group(1), found.group(2)) if found else (" ", " ")


@functools.lru_cache(maxsize=256)
def _cldr_pattern(fmt: str, language: str | None = None) -> str:
    """A strftime format as a CLDR pattern: directives mapped, literal text quoted ("at" stays "at").
    With `language`, a day, full month and year joined by spaces take that language's joining
    words ("21 de noviembre de 2026")."""
    pattern = _cldr_words(fmt)
    if language:
        day_month, month_year = _long_date_joiners(language)
        pattern = re.sub(r"(?<![d'])(d{1,2}) MMMM", lambda m: m.group(1) + day_month + "MMMM", pattern)
        pattern = pattern.replace("MMMM yyyy", "MMMM" + month_year + "yyyy")
    return pattern


def _cldr_words(fmt: str) -> str:
    parts, last = [], 0
    for match in _DIRECTIVE.finditer(fmt):
        literal = fmt[last:match.start()]
        if literal:
            parts.append("'" + literal.replace("'", "''") + "'" if any(c.isalpha() for c in literal) else literal)
        parts.append(_CLDR[match.group(0)])
        last = match.end()
    tail = fmt[last:]
    if tail:
        parts.append("'" + tail.replace("'", "''") + "'" if any(c.isalpha() for c in tail) else tail)
    return "".join(parts)


def format_datetime(moment: datetime | None, tz: str | ZoneInfo | None = None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    """`moment` in the zone `tz` (the event's), by a strftime-style `fmt`. In English exactly as
    strftime writes it; in another language with that language's month and weekday names (Babel)."""
    if moment is None:
        return ""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local = moment.astimezone(zone) if zone else moment
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return local.strftime(fmt)
    return babel_dates.format_datetime(local, _cldr_pattern(fmt, language), tzinfo=local.tzinfo, locale=language)


def format_day(day: date, fmt: str = "%A %-d %B %Y") -> str:
    """A calendar day (no time, no zone), like format_datetime."""
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return day.strftime(fmt)
    return babel_dates.format_date(day, _cldr_pattern(fmt, language), locale=language)


def format_date_range(start: datetime, end: datetime, tz: str) -> str:
    """'8–9 December 2016', '30 Nov – 2 Dec 2026', in the event's time zone (in Spanish:
    '8–9 de diciembre de 2016', through Babel's interval formats)."""
    zone = ZoneInfo(tz)
    a, b = start.astimezone(zone), end.astimezone(zone)
    language = current_language()
    if language != DEFAULT_LANGUAGE:
        if a.date() == b.date():
            return babel_dates.format_date(a.date(), "long", locale=language)
        return babel_dates.format_interval(a.date(), b.date(), "yMMMMd", locale=language)
    if a.date() == b.date():
        return f"{a:%-d %B %Y}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a:%-d}–{b:%-d %B %Y}"
    if a.year == b.year:
        return f"{a:%-d %B} – {b:%-d %B %Y}"
    return f"{a:%-d %B %Y} – {b:%-d %B %Y}"


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["money"] = format_money
    # The bare number for a form field: 25.00 (USD), 1000 (JPY), 1.500 (KWD).
    app.jinja_env.filters["money_plain"] = plain
    app.jinja_env.globals["date_range"] = format_date_range
    app.jinja_env.globals["utcnow"] = utcnow
    app.jinja_env.globals["manage_nav"] = MANAGE_NAV
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject_navigation():
        # Emails are rendered from services, jobs and the CLI too, where there is no request.
        # (`can`, `Action` and `can_create_event` come from confapp/accounts/blueprint.py.)
        return {"current_path": request.path if has_request_context() else ""}
