"""Organiser pages: the live dashboard, the report editor, publishing, downloads, the
retention period and the purge."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from flask_login import current_user, login_required

from ..accounts.forms import ConfirmForm
from ..accounts.permissions import Action
from ..errors import DomainError, ValidationFailed
from ..events.access import managed_event
from ..events.content_languages import other_languages
from ..events.translation_forms import translated_form
from ..extensions import db
from ..forms import run_action, show_errors
from ..navigation import register_manage_nav
from ..sqlite import mark_request_read_only
from ..types import utcnow
from . import exports, services
from .cache import dashboard_figures
from .forms import PurgeForm, ReportForm, RetentionForm, WordingForm
from .presenting import report_view
from .services import ReportTexts, TEXT_FIELDS, report_for
from .blueprint import bp
from .downloads import download as _download

register_manage_nav(_l("Report"), "reports.dashboard", Action.MANAGE_REPORTS, order=60, prefix="reports.")


def _flash_error(error: DomainError) -> None:
    # The editor and the retention form flash a ValidationFailed's own messages (run_action
    # would flash only its summary, "Some fields need attention.").
    if isinstance(error, ValidationFailed):
        for message in error.errors.values():
            flash(message, "error")
    else:
        flash(error.message, "error")


@bp.route("/manage/<slug>/dashboard")
@login_required
def dashboard(slug: str):
    event = managed_event(slug, Action.MANAGE_REPORTS)
    report = report_for(event)
    retention = db.session.get(services.DataRetention, event.id)
    current = dashboard_figures(event, now=utcnow())
    view = report_view(event, report, public=False, published=False, figures=current.figures)
    return render_template("reports/dashboard.html", event=event, view=view, report=report, retention=retention,
                           figures_at=current.computed_at, confirm_form=ConfirmForm())


@bp.route("/manage/<slug>/dashboard/refresh", methods=["POST"])
@login_required
def dashboard_refresh(slug: str):
    # Seconds of reading, one row written: on SQLite, no write lock while the figures are counted.
    mark_request_read_only()
    event = managed_event(slug, Action.MANAGE_REPORTS)
    if ConfirmForm().validate_on_submit():
        dashboard_figures(event, now=utcnow(), refresh=True)
        flash(gettext("Figures refreshed."), "success")
    back = "reports.feedback_list" if request.args.get("back") == "feedback" else "reports.dashboard"
    return redirect(url_for(back, slug=slug))


@bp.route("/manage/<slug>/report", methods=["GET", "POST"])
@login_required
def report_edit(slug: str):
    event = managed_event(slug, Action.MANAGE_REPORTS)
    report = report_for(event)
    if report is None:
        return render_template("reports/report_start.html", event=event, confirm_form=ConfirmForm())
    form = translated_form(ReportForm, other_languages(event), services.TRANSLATED_TEXTS)(obj=report)
    if request.method == "GET":
        form.load_translations(report)
    if form.validate_on_submit():
        texts = ReportTexts(**{name: (getattr(form, name).data or "").replace("\r\n", "\n") for name in TEXT_FIELDS})
        try:
            services.update_report(report, texts, actor=current_user)
            form.save_translations(report)
        except DomainError as error:
            db.session.rollback()
            _flash_error(error)
        else:
            db.session.commit()
            flash(gettext("Report saved. Publish again to update the public report.") if report.is_published
                  else gettext("Report saved."), "success")
            return redirect(url_for("reports.report_edit", slug=slug))
    # The editor shows the headline figures: the dashboard's cached copy (publishing counts afresh).
    figures = dashboard_figures(event, now=utcnow()).figures
    view = report_view(event, report, public=False, published=False, figures=figures)
    return render_template("reports/report_edit.html", event=event, report=report, form=form, view=view,
                           confirm_form=ConfirmForm())


@bp.route("/manage/<slug>/report/start", methods=["POST"])
@login_required
def report_start(slug: str):
    event = managed_event(slug, Action.MANAGE_REPORTS)
    if ConfirmForm().validate_on_submit():
        services.start_report(event, actor=current_user)
        db.session.commit()
        flash(gettext("Draft report started from the figures so far."), "success")
    return redirect(url_for("reports.report_edit", slug=slug))


def _report_action(slug: str, action, message):
    event = managed_event(slug, Action.MANAGE_REPORTS)
    report = report_for(event)
    if report is None:
        return redirect(url_for("reports.report_edit", slug=slug))
    if ConfirmForm().validate_on_submit():
        run_action(lambda: action(report), lambda _result: message())
    return redirect(url_for("reports.report_edit", slug=slug))


@bp.route("/manage/<slug>/report/redraft", methods=["POST"])
@login_required
def report_redraft(slug: str):
    return _report_action(slug, lambda r: services.redraft_narrative(r, actor=current_user),
                          lambda: gettext("The narrative was drafted again from the current figures."))


@bp.route("/manage/<slug>/report/publish", methods=["POST"])
@login_required
def report_publish(slug: str):
    return _report_action(slug, lambda r: services.publish_report(r, actor=current_user, now=utcnow()),
                          lambda: gettext("Report published. Its figures are frozen as they are now."))


@bp.route("/manage/<slug>/report/unpublish", methods=["POST"])
@login_required
def report_unpublish(slug: str):
    return _report_action(slug, lambda r: services.unpublish_report(r, actor=current_user),
                          lambda: gettext("The public report is withdrawn."))


def _private_view(slug: str, public: bool = False):
    event = managed_event(slug, Action.MANAGE_REPORTS)
    report = report_for(event)
    published = bool(report and report.is_published and request.args.get("version") != "draft")
    return report_view(event, report, public=public, published=published)


@bp.route("/manage/<slug>/report/full")
@login_required
def report_private(slug: str):
    view = _private_view(slug, public=request.args.get("as") == "public")
    return render_template("reports/private_report.html", event=view.event, view=view)


@bp.route("/manage/<slug>/report/full.pdf")
@login_required
def report_private_pdf(slug: str):
    return _download(exports.to_pdf(_private_view(slug)), "application/pdf", f"{slug}-report-private.pdf")


@bp.route("/manage/<slug>/report/full.csv")
@login_required
def report_private_csv(slug: str):
    return _download(exports.to_csv(_private_view(slug)), "text/csv; charset=utf-8", f"{slug}-report-private.csv")


@bp.route("/manage/<slug>/report/full.xlsx")
@login_required
def report_private_xlsx(slug: str):
    return _download(exports.to_xlsx(_private_view(slug)),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{slug}-report-private.xlsx")


@bp.route("/manage/<slug>/data", methods=["GET", "POST"])
@login_required
def data_retention(slug: str):
    event = managed_event(slug, Action.PURGE_DATA)
    retention = db.session.get(services.DataRetention, event.id)
    form = RetentionForm(retention_days=retention.retention_days if retention else services.DEFAULT_RETENTION_DAYS)
    if form.validate_on_submit():
        try:
            services.set_retention(event, form.retention_days.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            _flash_error(error)
        else:
            db.session.commit()
            flash(gettext("Retention period saved."), "success")
            return redirect(url_for("reports.data_retention", slug=slug))
    return render_template("reports/data_retention.html", event=event, form=form, purge_form=PurgeForm(formdata=None),
                           retention=retention, due_at=services.purge_due_at(event, retention), now=utcnow())


@bp.route("/manage/<slug>/data/purge", methods=["POST"])
@login_required
def data_purge(slug: str):
    event = managed_event(slug, Action.PURGE_DATA)
    form = PurgeForm()
    if not form.validate_on_submit() or form.confirm_slug.data.strip() != event.slug:
        flash(gettext("Type %(slug)s exactly to confirm. Nothing was deleted.", slug=event.slug), "error")
        return redirect(url_for("reports.data_retention", slug=slug))
    run_action(lambda: services.purge_event(event, actor=current_user, now=utcnow()),
               gettext("Personal data deleted. The figures and any published report are unchanged."))
    return redirect(url_for("reports.data_retention", slug=slug))


@bp.route("/manage/<slug>/feedback")
@login_required
def feedback_list(slug: str):
    event = managed_event(slug, Action.MANAGE_REPORTS)
    from .queries import feedback_comments

    current = dashboard_figures(event, now=utcnow())
    return render_template("reports/feedback_list.html", event=event, comments=feedback_comments(event),
                           figures=current.figures, figures_at=current.computed_at, confirm_form=ConfirmForm())


@bp.route("/manage/<slug>/feedback/wording", methods=["GET", "POST"])
@login_required
def wording_edit(slug: str):
    """The certificate's wording and the survey's texts, in each of the event's languages."""
    from .wording import CERTIFICATE_FIELDS, TEXT_FIELDS, WordingTexts, save_wording, wording_for

    event = managed_event(slug, Action.MANAGE_REPORTS)
    wording = wording_for(event)
    form = translated_form(WordingForm, other_languages(event), TEXT_FIELDS)(obj=wording)
    if request.method == "GET" and wording is not None:
        form.load_translations(wording)
    if form.validate_on_submit():
        texts = WordingTexts(**{name: getattr(form, name).data or "" for name in TEXT_FIELDS})
        try:
            save_wording(event, texts, form.translation_texts(), actor=current_user)
        except ValidationFailed as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            db.session.commit()
            flash(gettext("Wording saved."), "success")
            return redirect(url_for("reports.wording_edit", slug=slug))
    return render_template("reports/wording_edit.html", event=event, form=form, merge_fields=CERTIFICATE_FIELDS), (
        422 if form.errors else 200)


@bp.route("/manage/<slug>/feedback/send", methods=["POST"])
@login_required
def survey_send(slug: str):
    from .feedback import send_survey_invitations

    event = managed_event(slug, Action.MANAGE_REPORTS)
    if ConfirmForm().validate_on_submit():
        run_action(lambda: send_survey_invitations(event, actor=current_user, now=utcnow()),
                   lambda count: ngettext("Survey link queued for %(num)d participant.",
                                                "Survey links queued for %(num)d participants.", count))
    return redirect(url_for("reports.feedback_list", slug=slug))


@bp.route("/manage/<slug>/certificates/send", methods=["POST"])
@login_required
def certificates_send(slug: str):
    from .certificates import issue_all_and_notify

    event = managed_event(slug, Action.MANAGE_REPORTS)
    if ConfirmForm().validate_on_submit():
        run_action(lambda: issue_all_and_notify(event, actor=current_user, now=utcnow()),
                   lambda count: ngettext("Certificate sent to %(num)d participant.",
                                                "Certificates sent to %(num)d participants.", count))
    return redirect(url_for("reports.feedback_list", slug=slug))


@bp.route("/manage/series/<series_slug>/report")
@login_required
def series_report(series_slug: str):
    """The editions of a series the user may report on, side by side; 404 if none."""
    from flask import abort

    from ..accounts import permissions
    from ..events.models import Series
    from .charts import bar_chart
    from .series import series_rows

    series = db.session.scalar(select(Series).where(Series.slug == series_slug))
    if series is None:
        abort(404)
    editions = [e for e in series.events if permissions.can(current_user, Action.MANAGE_REPORTS, e)]
    if not editions:
        abort(404 if not series.events else 403)
    rows = series_rows(editions)
    chart = bar_chart([(row["label"], row["attended"] if row["attended"] is not None else row["registered"]) for row in rows],
                      gettext("Participants by edition"))
    return render_template("reports/series.html", series=series, rows=rows, chart=chart)
