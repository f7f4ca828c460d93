"""What a report page, its PDF and its downloads are built from: the figures (live, frozen or
snapshot; private or public), the texts, the charts. One function, so the HTML, the PDF and
the CSV/XLSX can never disagree."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..events.models import Event
from ..templating import format_date_range
from .charts import report_charts
from .models import Report
from .queries import compute_figures
from .services import TEXT_FIELDS
from .suppression import public_figures


@dataclass
class ReportView:
    event: Event
    report: Report | None
    figures: dict[str, Any]
    texts: dict[str, str]
    charts: dict
    public: bool
    published: bool  # showing the published snapshot rather than live figures
    dates: str


def report_view(event: Event, report: Report | None, *, public: bool, published: bool,
                figures: dict[str, Any] | None = None) -> ReportView:
    """`published=True` reads the snapshot only (never live data); otherwise live figures (or
    the `figures` given, the dashboard's cached copy) and the current draft text."""
    if published:
        assert report is not None and report.snapshot is not None
        figures = report.snapshot["figures"]
        texts = report.snapshot["texts"]
    else:
        figures = compute_figures(event) if figures is None else figures
        texts = {name: getattr(report, name) if report else "" for name in TEXT_FIELDS}
    if public:
        figures = public_figures(figures)
    return ReportView(
        event=event, report=report, figures=figures, texts=texts, charts=report_charts(figures), public=public,
        published=published, dates=format_date_range(event.starts_at, event.ends_at, event.timezone),
    )
