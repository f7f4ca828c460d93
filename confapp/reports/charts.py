"""Charts drawn on the server as small, self-contained SVG: no script, no external files,
no inline styles (the CSP forbids them), a <title> and <desc> for screen readers. Pages
show the data table beside each chart, so the chart is never the only way to the numbers.

A count suppressed in the public version ("fewer than 5", or "not shown" when it is hidden so
that another cannot be worked out) is drawn as no bar, labelled.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from babel.numbers import format_decimal
from flask_babel import gettext
from markupsafe import Markup, escape

from ..i18n import DEFAULT_LANGUAGE, current_language, language_name
from .suppression import SUPPRESSED, WITHHELD

WIDTH = 640


def _value(v: Any) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0


def format_count(v: Any, float_format: str | None = None) -> Any:
    """A figure as a page shows it: a number in the page's language (English exactly as before:
    "1,234", "4.25"), the suppression markers ("fewer than 5", "not shown") translated, None as a
    dash; anything else as it is."""
    if v is None:
        return "–"
    if v == SUPPRESSED:
        return gettext("fewer than 5")
    if v == WITHHELD:
        return gettext("not shown")
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return v
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return f"{v:,}" if isinstance(v, int) else (format(v, float_format) if float_format else str(v))
    if isinstance(v, float) and float_format:
        return format_decimal(v, "#,##0.0", locale=language)
    return format_decimal(v, locale=language)


def row_label(row: dict) -> Any:
    """A table or chart row's label as shown: a language by its name in the page's language
    (the figures keep its English name), the pooled row of small places in the page's language,
    and names of places, categories and organisations as they were entered."""
    label = row.get("label")
    if row.get("code") and "registered" in row:
        return language_name(row["code"])
    if row.get("pooled"):
        pooled = {"Other cities (under 5 each)": gettext("Other cities (under 5 each)"),
                  "Other regions (under 5 each)": gettext("Other regions (under 5 each)"),
                  "Other countries (under 5 each)": gettext("Other countries (under 5 each)"),
                  "Other kinds (under 5 each)": gettext("Other kinds (under 5 each)")}
        return pooled.get(label, label)
    return label


def _label(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return "–"
    return str(format_count(v, ",.1f"))


def _frame(title: str, desc: str, height: int, body: str, css: str) -> Markup:
    # Ids come from the title, not a counter: the same figures always give the same bytes.
    n = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return Markup(
        f'<svg class="chart {css}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="chart-t{n} chart-d{n}">'
        f'<title id="chart-t{n}">{escape(title)}</title><desc id="chart-d{n}">{escape(desc)}</desc>'
        f'<g font-family="DejaVu Sans, Noto Sans, sans-serif" font-size="13">{body}</g></svg>'
    )


def describe(rows: Iterable[tuple[str, Any]], limit: int = 6) -> str:
    rows = list(rows)
    if not rows:
        return gettext("No data.")
    parts = [f"{label}: {_label(value)}" for label, value in rows[:limit]]
    more = gettext("; and %(num)s more in the table", num=len(rows) - limit) if len(rows) > limit else ""
    return "; ".join(parts) + more + "."


def _empty(title: str) -> Markup:
    empty = escape(gettext("No data yet"))
    return _frame(title, gettext("No data."), 40, f'<text x="8" y="24" fill="#333">{empty}</text>', "chart--empty")


def bar_chart(rows: list[tuple[str, Any]], title: str, *, limit: int = 12) -> Markup:
    """Horizontal bars, one per row, largest first as given; labels on the left, values at the end."""
    rows = rows[:limit]
    if not rows:
        return _empty(title)
    bar_h, gap, label_w = 22, 8, 220
    height = len(rows) * (bar_h + gap) + gap
    top = max((_value(v) for _, v in rows), default=0) or 1
    span = WIDTH - label_w - 90
    parts = []
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        text = escape(label if len(label) <= 30 else label[:29] + "…")
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" fill="#1a1a1a">{text}</text>')
        w = round(_value(value) / top * span, 1)
        if w > 0:
            parts.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="#1f5f8b"/>')
        shown = escape(_label(value))
        parts.append(f'<text x="{label_w + w + 6}" y="{y + 16}" fill="#1a1a1a">{shown}</text>')
    return _frame(title, describe(rows), height, "".join(parts), "chart--bars")


def column_chart(rows: list[tuple[str, Any]], title: str) -> Markup:
    """Vertical columns along a time axis (arrivals by hour)."""
    if not rows:
        return _empty(title)
    height, base, left = 240, 200, 40
    top = max((_value(v) for _, v in rows), default=0) or 1
    step = (WIDTH - left - 10) / len(rows)
    width = max(step * 0.7, 2)
    parts = [f'<line x1="{left}" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="#555"/>']
    for i, (label, value) in enumerate(rows):
        x = left + i * step + (step - width) / 2
        h = round(_value(value) / top * (base - 30), 1)
        if h > 0:
            parts.append(f'<rect x="{x:.1f}" y="{base - h}" width="{width:.1f}" height="{h}" fill="#1f5f8b"/>')
        cx = x + width / 2
        parts.append(f'<text x="{cx:.1f}" y="{base + 18}" text-anchor="middle" font-size="11" fill="#1a1a1a">{escape(label)}</text>')
        shown = "<5" if value == SUPPRESSED else _label(value)
        parts.append(f'<text x="{cx:.1f}" y="{base - h - 5}" text-anchor="middle" font-size="11" fill="#1a1a1a">{escape(shown)}</text>')
    return _frame(title, describe(rows), height, "".join(parts), "chart--columns")


def line_chart(points: list[tuple[str, Any]], title: str, *, ceiling: int | None = None, ceiling_label: str | None = None) -> Markup:
    """A running total over time, with an optional horizontal line (capacity). A point hidden in
    the public version is left out, not drawn as zero."""
    points = [(label, v) for label, v in points if not isinstance(v, str)]
    if not points:
        return _empty(title)
    ceiling_label = gettext("Capacity") if ceiling_label is None else ceiling_label
    height, base, left, right = 260, 220, 56, WIDTH - 16
    values = [_value(v) for _, v in points]
    peak = max(values + [float(ceiling or 0)]) or 1
    top = peak * 1.08
    step = (right - left) / max(len(points) - 1, 1)

    def y(v: float) -> float:
        return round(base - v / top * (base - 20), 1)

    parts = [
        f'<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="#555"/>',
        f'<line x1="{left}" y1="20" x2="{left}" y2="{base}" stroke="#555"/>',
        f'<text x="{left - 6}" y="{base + 4}" text-anchor="end" font-size="11" fill="#1a1a1a">0</text>',
        f'<text x="{left - 6}" y="{y(peak) + 4}" text-anchor="end" font-size="11" fill="#1a1a1a">{escape(_label(int(peak)))}</text>',
    ]
    if ceiling:
        cy = y(ceiling)
        parts.append(f'<line x1="{left}" y1="{cy}" x2="{right}" y2="{cy}" stroke="#b3261e" stroke-dasharray="6 4"/>')
        parts.append(f'<text x="{right}" y="{cy - 6}" text-anchor="end" font-size="11" fill="#b3261e">{escape(ceiling_label)} {escape(_label(ceiling))}</text>')
    path = " ".join(f"{left + i * step:.1f},{y(v)}" for i, v in enumerate(values))
    parts.append(f'<polyline points="{path}" fill="none" stroke="#1f5f8b" stroke-width="3"/>')
    for i in sorted({0, len(points) - 1}):
        anchor = "start" if i == 0 else "end"
        parts.append(f'<text x="{left + i * step:.1f}" y="{base + 18}" text-anchor="{anchor}" font-size="11" fill="#1a1a1a">{escape(points[i][0])}</text>')
    last_label, last_value = points[-1]
    if ceiling:
        desc = gettext("From %(first)s to %(last)s, rising to %(value)s against a capacity of %(capacity)s",
                       first=points[0][0], last=last_label, value=_label(last_value), capacity=_label(ceiling))
    else:
        desc = gettext("From %(first)s to %(last)s, rising to %(value)s", first=points[0][0], last=last_label,
                       value=_label(last_value))
    return _frame(title, desc + ".", height, "".join(parts), "chart--line")


def report_charts(figures: dict) -> dict[str, Markup]:
    """The four report charts from a figures dict (live, frozen or public)."""
    return {
        "over_time": line_chart(
            [(row["date"], row["cumulative"]) for row in figures.get("registrations_over_time", [])],
            gettext("Registrations over time"),
            ceiling=(figures.get("event") or {}).get("capacity"),
        ),
        "arrivals": column_chart(
            [(row["label"], row["count"]) for row in figures.get("arrivals_by_hour", [])], gettext("Arrivals by time of day")
        ),
        "by_category": bar_chart(
            [(row["label"], row["attended"] if figures.get("attendance_known") else row["registered"])
             for row in figures.get("by_category", [])],
            gettext("Attendance by category") if figures.get("attendance_known") else gettext("Registrations by category"),
        ),
        "by_language": bar_chart(
            [(row_label(row), row["attended"] if figures.get("attendance_known") else row["registered"])
             for row in figures.get("by_language", [])],
            gettext("Attendance by language") if figures.get("attendance_known") else gettext("Registrations by language"),
        ),
        "cities": bar_chart([(row_label(row), row["count"]) for row in figures.get("cities", [])],
                            gettext("Participants by city")),
    }
