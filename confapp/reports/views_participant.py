"""Participants' pages: the feedback survey, certificates (download and public verification),
their own data and the request to be forgotten. Linked from the registration self-service page
through the include templates/reports/_self_service.html."""
from __future__ import annotations

import json

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from ..accounts.forms import ConfirmForm
from ..errors import Conflict, DomainError, ValidationFailed
from ..events.access import visible_event
from ..events.content_languages import content_language
from ..extensions import db, limiter
from ..forms import show_errors
from ..i18n import LANGUAGE_COOKIE, current_language, in_language, supported
from ..registration import links
from ..registration.models import Registration
from ..types import utcnow
from . import certificates, feedback, services
from .forms import ForgetForm, survey_form_class
from .mydata import export_registration
from .wording import survey_texts
from .blueprint import bp
from .downloads import download as _download


def _rate_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _own_registration(slug: str, token: str) -> tuple:
    """The event and the registration a self-service token opens; 404 for anything else."""
    event = visible_event(slug)
    code = links.ticket_code_from_token(token)
    registration = db.session.scalar(
        select(Registration).where(Registration.ticket_code == code, Registration.event_id == event.id)
    ) if code else None
    if registration is None or registration.purged_at is not None:
        abort(404)
    return event, registration


def _participant_language(registration) -> str:
    """The language of a participant's own survey and certificate: the one chosen in this browser
    (profile or switcher), else the one they registered in or chose on their ticket page (not
    the browser's Accept-Language: the link comes from an email in their language)."""
    if current_user.is_authenticated and supported(getattr(current_user, "locale", None)):
        return current_language()
    if supported(request.cookies.get(LANGUAGE_COOKIE)):
        return current_language()
    return registration.spoken_language


@bp.route("/e/<slug>/survey/<token>", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def survey(slug: str, token: str):
    event = visible_event(slug)
    registration = feedback.registration_from_survey_token(event, token)
    if registration is None:
        abort(404)
    with in_language(_participant_language(registration)):
        return _survey_page(event, registration)


def _survey_page(event, registration):
    now = utcnow()
    if registration.purged_at is not None or not feedback.survey_open(event, now):
        return render_template("reports/survey_closed.html", event=event), 410
    if feedback.has_responded(registration):
        return render_template("reports/survey_thanks.html", event=event, already=True)
    sessions = feedback.sessions_for(registration)
    texts = survey_texts(event, content_language(event))
    form = survey_form_class(sessions, overall_label=texts["overall"], comment_label=texts["comment"])()
    if form.validate_on_submit():
        ratings = {sid: int(getattr(form, f"session_{sid}").data) for sid, _ in sessions if getattr(form, f"session_{sid}").data}
        try:
            feedback.submit_feedback(
                registration, overall=int(form.overall.data) if form.overall.data else None, session_ratings=ratings,
                comment=form.comment.data or "", named=form.named.data == "named", now=now,
            )
        except Conflict:
            db.session.rollback()
            return render_template("reports/survey_thanks.html", event=event, already=True)
        except ValidationFailed as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            db.session.commit()
            return render_template("reports/survey_thanks.html", event=event, already=False)
    session_fields = [getattr(form, f"session_{sid}") for sid, _ in sessions]
    return render_template("reports/survey.html", event=event, form=form, session_fields=session_fields,
                           intro=texts["intro"]), (422 if form.errors else 200)


@bp.route("/certificates/<code>")
def certificate_verify(code: str):
    certificate = certificates.certificate_by_code(code)
    if certificate is None:
        return render_template("reports/certificate_unknown.html"), 404
    return render_template("reports/certificate_verify.html", certificate=certificate, event=certificate.event)


@bp.route("/e/<slug>/ticket/<token>/certificate", methods=["POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def self_certificate_issue(slug: str, token: str):
    event, registration = _own_registration(slug, token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        certificates.issue_certificate(registration, actor=None, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("registration.ticket_page", slug=slug, token=token))
    db.session.commit()
    return redirect(url_for("reports.self_certificate_pdf", slug=slug, token=token))


@bp.route("/e/<slug>/ticket/<token>/certificate.pdf")
def self_certificate_pdf(slug: str, token: str):
    event, registration = _own_registration(slug, token)
    certificate = certificates.certificate_for(registration)
    if certificate is None:
        abort(404)
    return _download(certificates.certificate_pdf(certificate, _participant_language(registration)), "application/pdf",
                     f"certificate-{event.slug}.pdf")


@bp.route("/e/<slug>/ticket/<token>/my-data.json")
def self_data(slug: str, token: str):
    event, registration = _own_registration(slug, token)
    body = json.dumps(export_registration(registration, _participant_language(registration)), indent=2,
                      ensure_ascii=False)
    response = _download(body, "application/json", f"my-data-{event.slug}.json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/e/<slug>/ticket/<token>/forget", methods=["POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def self_forget(slug: str, token: str):
    event, registration = _own_registration(slug, token)
    form = ForgetForm()
    if not form.validate_on_submit():
        flash(gettext("Tick the box to confirm that you want your data deleted."), "error")
        return redirect(url_for("registration.ticket_page", slug=slug, token=token))
    try:
        services.forget_registration(registration, actor=None, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("registration.ticket_page", slug=slug, token=token))
    db.session.commit()
    return redirect(url_for("reports.self_forgotten", slug=slug))


@bp.route("/e/<slug>/forgotten")
def self_forgotten(slug: str):
    return render_template("reports/forgotten.html", event=visible_event(slug))
