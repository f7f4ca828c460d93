"""Public report pages: the published report at a shareable URL, its PDF and downloads.
Everything here reads the published snapshot only, with small counts suppressed."""
from __future__ import annotations

from flask import abort, render_template

from ..events.content_languages import use_event_language
from ..events.models import EventStatus
from ..events.queries import event_by_slug
from . import exports
from .charts import format_count, row_label
from .presenting import report_view
from .services import report_for
from .blueprint import bp
from .downloads import download as _download



def _published(slug: str):
    event = event_by_slug(slug)
    # A draft event has no public existence, so neither has its report.
    report = report_for(event) if event is not None and event.status != EventStatus.DRAFT else None
    if report is None or not report.is_published or report.snapshot is None:
        abort(404)
    use_event_language(event)
    return report_view(event, report, public=True, published=True)


@bp.route("/e/<slug>/report")
def public_report(slug: str):
    return render_template("reports/public_report.html", view=_published(slug))


@bp.route("/e/<slug>/report.pdf")
def public_report_pdf(slug: str):
    view = _published(slug)
    return _download(exports.to_pdf(view), "application/pdf", f"{slug}-report.pdf")


@bp.route("/e/<slug>/report.csv")
def public_report_csv(slug: str):
    return _download(exports.to_csv(_published(slug)), "text/csv; charset=utf-8", f"{slug}-report.csv")


@bp.route("/e/<slug>/report.xlsx")
def public_report_xlsx(slug: str):
    return _download(
        exports.to_xlsx(_published(slug)),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{slug}-report.xlsx",
    )





@bp.app_template_filter("rows")
def rows_filter(items, *keys):
    """[{"label": "Boston", "count": 7}] | rows("label", "count") -> [["Boston", 7]] for data tables
    (labels as charts.row_label shows them: languages and pooled rows in the page's language)."""
    return [[row_label(item) if key == "label" else item.get(key) for key in keys] for item in items or []]


@bp.app_template_filter("report_number")
def report_number_filter(value):
    """A figure in the page's language (charts.format_count): 1,234 / 1234 / 12.345, the
    suppression markers translated, None as a dash."""
    return format_count(value)


@bp.app_template_global("report_certificate_for")
def _certificate_for(registration):
    """For the self-service include, which is rendered by another domain's view."""
    from .certificates import certificate_for

    return certificate_for(registration)


@bp.app_template_global("report_attended")
def _attended(registration):
    from .certificates import attended

    return attended(registration)


