"""What a report page, its PDF and its downloads are built from: the figures (live, frozen or
snapshot; private or public), the texts, the charts. One function, so the HTML, the PDF and
the CSV/XLSX can never disagree."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..events.content_languages import LocalText, content_language, default_language
from ..events.models import Event
from ..templating import format_date_range
from .charts import report_charts
from .models import Report
from .queries import compute_figures
from .services import TEXT_FIELDS, TRANSLATED_TEXTS
from .suppression import public_figures


@dataclass
class ReportView:
    event: Event
    report: Report | None
    figures: dict[str, Any]
    texts: dict[str, str]  # in the page's language where the organiser translated them (LocalText)
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
        translations = report.snapshot.get("translations") or {}
    else:
        figures = compute_figures(event) if figures is None else figures
        texts = {name: getattr(report, name) if report else "" for name in TEXT_FIELDS}
        translations = (report.translations if report else None) or {}
    texts = _localized(event, texts, translations)
    if public:
        figures = public_figures(figures)
    figures = _labels_in(figures, content_language(event))
    return ReportView(
        event=event, report=report, figures=figures, texts=texts, charts=report_charts(figures), public=public,
        published=published, dates=format_date_range(event.starts_at, event.ends_at, event.timezone),
    )


def _labels_in(figures: dict[str, Any], lang: str) -> dict[str, Any]:
    """The figures with their session titles and category names in `lang` where the organiser
    translated them. The figures are computed (and cached, and frozen in a snapshot) once for all
    languages with every translation beside its default text, so each reader gets theirs; figures
    frozen before translations were kept have none and keep the default text."""
    def relabel(rows: list[dict], field: str, translations: str) -> list[dict]:
        return [dict(row, **{field: row[translations][lang]}) if (row.get(translations) or {}).get(lang) else row
                for row in rows]

    return dict(figures, sessions=relabel(figures.get("sessions", []), "title", "titles"),
                by_category=relabel(figures.get("by_category", []), "label", "labels"))


def _localized(event: Event, texts: dict[str, str], translations: dict) -> dict[str, str]:
    """The report's texts in the event's content language for this page (the default's where
    a text is not translated), each knowing its language for the page's `lang` attributes."""
    lang, default = content_language(event), default_language(event)
    chosen = translations.get(lang) or {}
    return {name: LocalText(chosen[name], lang) if name in TRANSLATED_TEXTS and chosen.get(name)
            else LocalText(text or "", default) for name, text in texts.items()}
