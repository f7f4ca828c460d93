"""CSV, XLSX and PDF of a report's aggregates. Built from a ReportView, so a public download
carries exactly the suppressed figures the public page shows."""
from __future__ import annotations

import csv
import io
from typing import Any, Iterator

from flask import render_template
from flask_babel import gettext, pgettext

from .. import money
from .charts import format_count, row_label
from .presenting import ReportView
from .suppression import is_suppressed

def _headline_labels() -> dict[str, str]:
    """The headline figures' names in the request's language (a function: gettext at call time)."""
    return {
        "registered": gettext("Registered"), "attended": gettext("Attended"), "no_shows": gettext("No-shows"),
        "walk_ins": gettext("Walk-ins"), "cancelled": pgettext("number of registrations", "Cancelled"),
        "group_orders": gettext("Group registrations (orders)"),
        "group_registrations": gettext("People in group registrations"), "pending": pgettext("number of registrations", "Pending"),
        "waitlist": gettext("On the waitlist"), "speakers": gettext("Speakers"), "sessions": gettext("Sessions"),
        "organisations": gettext("Organisations"), "cities": gettext("Cities"), "regions": gettext("Regions"),
        "countries": gettext("Countries"), "feedback_responses": gettext("Feedback responses"),
    }


def _finance_labels() -> dict[str, str]:
    return {
        "fees_minor": gettext("Fees collected"), "discounts_minor": gettext("Discounts given"),
        "waived_minor": gettext("Fees waived"), "refunds_minor": gettext("Refunds"), "net_minor": gettext("Net"),
    }


def _value(v: Any) -> Any:
    return "" if v is None else v


def sections(view: ReportView) -> Iterator[tuple[str, list[str], list[list[Any]]]]:
    """(section title, column headings, rows) for every table of the report."""
    f = view.figures
    figure, value = gettext("Figure"), gettext("Value")
    registered, attended = gettext("Registered"), gettext("Attended")
    yield gettext("Headline figures"), [figure, value], [
        [label, _value(f["headline"].get(key))] for key, label in _headline_labels().items() if key in f["headline"]
    ]
    for key, title in (("cities", gettext("Cities")), ("regions", gettext("Regions")), ("countries", gettext("Countries")),
                       ("organisations", gettext("Organisations (named with consent)")),
                       ("organisation_kinds", gettext("Kinds of organisation"))):
        yield title, [gettext("Name"), gettext("Participants")], [[row_label(row), row["count"]] for row in f.get(key, [])]
    yield gettext("Attendance by category"), [gettext("Category"), registered, attended], [
        [row["label"], row["registered"], _value(row["attended"]) if f.get("attendance_known") else ""]
        for row in f.get("by_category", [])
    ]
    yield gettext("Attendance by language"), [gettext("Language"), registered, attended], [
        [row_label(row), row["registered"], _value(row["attended"]) if f.get("attendance_known") else ""]
        for row in f.get("by_language", [])
    ]
    yield gettext("Sessions"), [gettext("Session"), gettext("Starts"), gettext("Attendance"), gettext("Average rating"),
                                gettext("Ratings")], [
        [row["title"], row.get("starts", ""), _value(row.get("attendance")), _value(row.get("rating")), _value(row.get("ratings"))]
        for row in f.get("sessions", [])
    ]
    yield gettext("Registrations over time"), [gettext("Date"), gettext("New"), gettext("Running total")], [
        [row["date"], row["count"], row["cumulative"]] for row in f.get("registrations_over_time", [])
    ]
    yield gettext("Arrivals by time of day"), [gettext("Hour"), gettext("Arrivals")], [[row["label"], row["count"]] for row in f.get("arrivals_by_hour", [])]
    feedback = f.get("feedback") or {}
    yield gettext("Feedback"), [figure, value], [
        [gettext("Responses"), _value(feedback.get("responses"))],
        [gettext("Average overall rating (1–5)"), _value(feedback.get("overall_average"))],
    ] + [[gettext("Rated %(rating)s", rating=row["label"]), row["count"]] for row in feedback.get("distribution", [])]
    if "finance" in f and not view.public:
        finance = f["finance"]
        yield gettext("Finances"), [figure, gettext("Amount (%(currency)s)", currency=finance["currency"])], [
            [label, money.plain(finance[key], finance["currency"])] for key, label in _finance_labels().items()
        ] + [[gettext("Waived registrations (orders)"), finance["waived_orders"]]]


def _cell(v: Any) -> Any:
    if is_suppressed(v):  # "fewer than 5", "not shown" in the download's language
        return format_count(v)
    # A spreadsheet must not read an organisation called "=HYPERLINK(...)" as a formula.
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def to_csv(view: ReportView) -> str:
    """One table after another: a heading row (section first) and its rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    for title, headings, rows in sections(view):
        writer.writerow([gettext("section"), *headings])
        for row in rows:
            writer.writerow([title, *map(_cell, row)])
    return out.getvalue()


def to_xlsx(view: ReportView) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, headings, rows in sections(view):
        sheet = book.create_sheet(title[:31].replace("/", "-"))
        sheet.append(headings)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(v) for v in row])
        sheet.column_dimensions["A"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(view: ReportView) -> bytes:
    html = render_template("reports/report_print.html", view=view, for_pdf=True)
    return render_pdf(html)


def render_pdf(html: str, landscape: bool = False) -> bytes:
    """HTML to PDF with the print stylesheet. No external fetches: everything (SVG charts, QR
    codes) is inline, so WeasyPrint is given a fetcher that refuses the network."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    from ..config import PROJECT_ROOT

    local_only = URLFetcher(allowed_protocols={"data", "file"})
    sheets = [CSS(filename=str(PROJECT_ROOT / "static" / "css" / "reports-print.css"))]
    if landscape:
        sheets.append(CSS(string="@page { size: A4 landscape; margin: 14mm; @bottom-right { content: none; } }"))
    return HTML(string=html, base_url=str(PROJECT_ROOT), url_fetcher=local_only).write_pdf(stylesheets=sheets)
