"""Template filters and globals shared by every page."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, has_request_context, request

from .money import format_money, plain  # format_money is also imported from here
from .navigation import MANAGE_NAV
from .text import render_markdown
from .types import utcnow


def format_datetime(moment: datetime | None, tz: str | ZoneInfo | None = None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    if moment is None:
        return ""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return moment.astimezone(zone).strftime(fmt) if zone else moment.strftime(fmt)


def format_date_range(start: datetime, end: datetime, tz: str) -> str:
    """'8–9 December 2016', '30 Nov – 2 Dec 2026', in the event's time zone."""
    zone = ZoneInfo(tz)
    a, b = start.astimezone(zone), end.astimezone(zone)
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
