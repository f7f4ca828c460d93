"""Webcast series: the organiser's recurrence page (rule, skipped and cancelled dates, "create
the next editions") and the public series page (upcoming and past editions, upcoming cancelled
dates, recordings, registration for every upcoming edition)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext, ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.permissions import Action
from ..events.access import managed_event
from ..events.models import EventStatus, Series
from ..errors import ValidationFailed
from ..extensions import db, limiter
from ..forms import Form, run_action
from ..program.tokens import registration_for_token
from ..registration.forms import parse_attendees
from ..registration.models import RegistrationCategory, Visibility
from ..registration.questions import countries
from ..registration.services import AttendeeData
from ..types import utcnow
from . import follow_up, queries, recurrence, series, series_schedule
from .blueprint import bp
from .series_forms import CreateEditionsForm, SeriesRuleForm, SubscribeForm


def _rule_form(event, row):
    form = SeriesRuleForm(obj=row, exceptions=recurrence.format_dates(series.to_rule(row).exceptions) if row else "")
    form.template_event_id.choices = [(e.id, f"{e.title} · {e.edition_label or e.slug}") for e in event.series.events]
    if row is None and not form.is_submitted():
        form.template_event_id.data = event.id
    return form


def _rule_data(form) -> series.RuleData:
    return series.RuleData(
        template_event_id=form.template_event_id.data, frequency=form.frequency.data, weekday=form.weekday.data,
        ordinal=form.ordinal.data, at_time=(form.at_time.data or "").strip(), timezone=(form.timezone.data or "").strip(),
        duration_minutes=form.duration_minutes.data, starts_on=form.starts_on.data, interval=form.interval.data,
        until=form.until.data, count=form.count.data, exceptions=getattr(form.exceptions, "parsed", frozenset()))


def _saved_message(outcome) -> str:
    _, changes = outcome
    parts = [gettext("Recurrence saved.")]
    if changes.moved:
        parts.append(ngettext("%(num)d upcoming edition moved to the new dates.",
                              "%(num)d upcoming editions moved to the new dates.", len(changes.moved)))
    if changes.cancelled:
        parts.append(ngettext("%(num)d upcoming edition cancelled (its attendees are told).",
                              "%(num)d upcoming editions cancelled (their attendees are told).", len(changes.cancelled)))
    if changes.added:
        parts.append(ngettext("%(num)d edition created.", "%(num)d editions created.", len(changes.added)))
    return " ".join(parts)


@bp.route("/manage/<slug>/online/series", methods=["GET", "POST"])
@login_required
def manage_series(slug: str):
    event = managed_event(slug, Action.EDIT_EVENT)
    if event.series is None:
        return render_template("online/manage_series.html", event=event, form=None, row=None)
    row = series.rule_for(event.series)
    form = _rule_form(event, row)
    if form.validate_on_submit():
        saved = run_action(lambda: series_schedule.change_rule(event.series, _rule_data(form), actor=current_user,
                                                               now=utcnow()), _saved_message, form=form)
        if saved:
            return redirect(url_for("online.manage_series", slug=slug))
    cancelled = queries.cancelled_dates(row.id) if row else []
    upcoming = recurrence.occurrences(series.schedule_rule(row, frozenset(c.local_date for c in cancelled)),
                                      after=utcnow(), limit=6) if row else []
    return render_template("online/manage_series.html", event=event, form=form, row=row, upcoming=upcoming,
                           cancelled=cancelled, editions_form=CreateEditionsForm(formdata=None)), (422 if form.errors else 200)


def _created_message(events) -> str:
    if not events:
        return gettext("No new editions: the upcoming dates exist already.")
    return ngettext("%(num)d edition created.", "%(num)d editions created.", len(events))


@bp.route("/manage/<slug>/online/series/editions", methods=["POST"])
@login_required
def manage_series_editions(slug: str):
    event = managed_event(slug, Action.EDIT_EVENT)
    row = series.rule_for(event.series) if event.series else None
    if row is None:
        abort(404)
    form = CreateEditionsForm()
    if not form.validate_on_submit():
        flash(gettext("Choose between 1 and 12 dates."), "error")
    else:
        run_action(lambda: series.create_editions(row, actor=current_user, now=utcnow(), ahead=form.ahead.data),
                   _created_message)
    return redirect(url_for("online.manage_series", slug=slug))


def _series_or_404(series_slug: str) -> Series:
    found = db.session.scalar(select(Series).where(Series.slug == series_slug))
    if found is None:
        abort(404)
    return found


def _subscribe_form(row, upcoming, **kwargs):
    form = SubscribeForm(**kwargs)
    names = []
    if upcoming:
        names = [c.name for c in db.session.scalars(select(RegistrationCategory).where(
            RegistrationCategory.event_id == upcoming[0].id, RegistrationCategory.is_active.is_(True),
            RegistrationCategory.visibility == Visibility.PUBLIC)
            .order_by(RegistrationCategory.position, RegistrationCategory.id))]
    form.category.choices = [(n, n) for n in names]
    if current_user.is_authenticated and not form.is_submitted():
        # A signed-in attendee: their account's name and address, which they may change.
        first, _, last = (current_user.name or "").partition(" ")
        form.first_name.data, form.last_name.data, form.email.data = first, last, current_user.email
    return form


def _series_page(found: Series, *, form=None, status: int = 200, question_errors=None):
    now, row = utcnow(), series.rule_for(found)
    shown = [e for e in found.events if e.status in (EventStatus.PUBLISHED, EventStatus.ARCHIVED)]
    if not shown:
        abort(404)  # a series of drafts only is nobody's business yet
    upcoming = [e for e in shown if e.starts_at > now]
    past = [(e, follow_up.visible_links(e)) for e in reversed(shown) if e.starts_at <= now]
    form = form or (_subscribe_form(row, upcoming) if row and upcoming else None)
    questions = series.series_questions(row, now)[1] if form is not None else []
    # Only dates still ahead: a visitor plans from today; the organiser's page lists them all.
    cancelled = queries.cancelled_dates(row.id, after=now) if row else []
    return render_template("online/series_page.html", series=found, upcoming=upcoming, past=past, form=form,
                           rule=row, cancelled=cancelled, questions=questions, values=request.form, question_errors=question_errors or {},
                           countries=countries() if any(q.kind == "country" for q in questions) else []), status


@bp.route("/series/<series_slug>")
def series_page(series_slug: str):
    return _series_page(_series_or_404(series_slug))


def _rate_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _subscribed_message(result) -> str:
    message = ngettext("You are registered for %(num)d upcoming edition, and for the ones announced later.",
                       "You are registered for %(num)d upcoming editions, and for the ones announced later.",
                       len(result.registered))
    if result.refused:
        message += " " + ngettext("%(num)d edition could not take your registration (full or closed).",
                                  "%(num)d editions could not take your registration (full or closed).", len(result.refused))
    return message


@bp.route("/series/<series_slug>/subscribe", methods=["POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def series_subscribe(series_slug: str):
    found = _series_or_404(series_slug)
    row = series.rule_for(found)
    if row is None:
        abort(404)
    form = _subscribe_form(row, series.upcoming_editions(row, utcnow()))
    if not form.validate_on_submit():
        return _series_page(found, form=form, status=422)
    _, questions = series.series_questions(row, utcnow())
    answers = parse_attendees(request.form, 1, questions)[0].answers
    attendee = AttendeeData(form.first_name.data, form.last_name.data or "", form.email.data, answers)
    language = str(get_locale()) if get_locale() else None
    question_errors: dict[str, str] = {}

    def subscribe():
        try:
            return series.subscribe(row, attendee, form.category.data, now=utcnow(), language=language)
        except ValidationFailed as error:  # the answers' messages go next to the questions
            question_errors.update({k: v for k, v in error.errors.items() if k.startswith("attendees-0-q_")})
            raise ValidationFailed({k: v for k, v in error.errors.items() if k not in question_errors}) from None

    if run_action(subscribe, _subscribed_message, form=form):
        return redirect(url_for("online.series_page", series_slug=series_slug))
    return _series_page(found, form=form, status=422, question_errors=question_errors)


class LeaveSeriesForm(Form):
    """The ticket page's "stop registering me" button: only its CSRF token."""


@bp.app_template_global("online_series_subscription")
def series_subscription(registration):
    """For the ticket page (registration's template): the series registration behind this
    edition's place, with the form to leave it; None when there is none."""
    subscription = series.subscription_for(registration)
    return {"subscription": subscription, "form": LeaveSeriesForm()} if subscription else None


@bp.route("/e/<slug>/ticket/<token>/leave-series", methods=["POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def series_leave(slug: str, token: str):
    registration = registration_for_token(token)
    if registration is None or registration.event.slug != slug:
        abort(404)
    subscription = series.subscription_for(registration)
    if subscription is None:
        abort(404)
    if not LeaveSeriesForm().validate_on_submit():
        abort(400)
    run_action(lambda: series.leave(subscription, now=utcnow()),
               gettext("You will not be registered for new editions. Your places in editions already announced stay until you cancel them."))
    return redirect(url_for("registration.ticket_page", slug=slug, token=token))
