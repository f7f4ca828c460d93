"""CSV, XLSX and PDF of a report's aggregates. Built from a ReportView, so a public download
carries exactly the suppressed figures the public page shows."""
from __future__ import annotations

import csv
import io
from typing import Any, Iterator

from flask import render_template
from flask_babel import gettext

from .. import money
from .presenting import ReportView

HEADLINE_LABELS = {
    "registered": "Registered", "attended": "Attended", "no_shows": "No-shows", "walk_ins": "Walk-ins",
    "cancelled": "Cancelled", "group_orders": "Group registrations (orders)", "group_registrations": "People in group registrations",
    "pending": "Pending", "waitlist": "On the waitlist", "speakers": "Speakers", "sessions": "Sessions",
    "organisations": "Organisations", "cities": "Cities", "regions": "Regions", "countries": "Countries",
    "feedback_responses": "Feedback responses",
}
FINANCE_LABELS = {
    "fees_minor": "Fees collected", "discounts_minor": "Discounts given", "waived_minor": "Fees waived",
    "refunds_minor": "Refunds", "net_minor": "Net",
}


def _value(v: Any) -> Any:
    return "" if v is None else v


def sections(view: ReportView) -> Iterator[tuple[str, list[str], list[list[Any]]]]:
    """(section title, column headings, rows) for every table of the report."""
    f = view.figures
    yield "Headline figures", ["Figure", "Value"], [
        [label, _value(f["headline"].get(key))] for key, label in HEADLINE_LABELS.items() if key in f["headline"]
    ]
    for key, title in (("cities", "Cities"), ("regions", "Regions"), ("countries", "Countries"),
                       ("organisations", "Organisations (named with consent)"), ("organisation_kinds", "Kinds of organisation")):
        yield title, ["Name", "Participants"], [[row["label"], row["count"]] for row in f.get(key, [])]
    yield "Attendance by category", ["Category", "Registered", "Attended"], [
        [row["label"], row["registered"], _value(row["attended"]) if f.get("attendance_known") else ""]
        for row in f.get("by_category", [])
    ]
    yield gettext("Attendance by language"), [gettext("Language"), "Registered", "Attended"], [
        [row["label"], row["registered"], _value(row["attended"]) if f.get("attendance_known") else ""]
        for row in f.get("by_language", [])
    ]
    yield "Sessions", ["Session", "Starts", "Attendance", "Average rating", "Ratings"], [
        [row["title"], row.get("starts", ""), _value(row.get("attendance")), _value(row.get("rating")), _value(row.get("ratings"))]
        for row in f.get("sessions", [])
    ]
    yield "Registrations over time", ["Date", "New", "Running total"], [
        [row["date"], row["count"], row["cumulative"]] for row in f.get("registrations_over_time", [])
    ]
    yield "Arrivals by time of day", ["Hour", "Arrivals"], [[row["label"], row["count"]] for row in f.get("arrivals_by_hour", [])]
    feedback = f.get("feedback") or {}
    yield "Feedback", ["Figure", "Value"], [
        ["Responses", _value(feedback.get("responses"))],
        ["Average overall rating (1–5)", _value(feedback.get("overall_average"))],
    ] + [[f"Rated {row['label']}", row["count"]] for row in feedback.get("distribution", [])]
    if "finance" in f and not view.public:
        finance = f["finance"]
        yield "Finances", ["Figure", f"Amount ({finance['currency']})"], [
            [label, money.plain(finance[key], finance["currency"])] for key, label in FINANCE_LABELS.items()
        ] + [["Waived registrations (orders)", finance["waived_orders"]]]


def _cell(v: Any) -> Any:
    # A spreadsheet must not read an organisation called "=HYPERLINK(...)" as a formula.
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def to_csv(view: ReportView) -> str:
    """One table after another: a heading row (section first) and its rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    for title, headings, rows in sections(view):
        writer.writerow(["section", *headings])
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
