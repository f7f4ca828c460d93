"""Organiser pages for registrations: list with search and filters, CSV export, detail with
history, manual add, edit, cancel, resend, approve and reject. Set-up pages (categories,
questions, codes, settings, waitlist) are in views_setup.py on the same blueprint."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..accounts.permissions import Action
from ..errors import DomainError, ValidationFailed
from ..events.access import managed_event
from ..extensions import db
from ..forms import run_action
from ..inputs import as_id, page_arg
from ..navigation import register_manage_nav
from ..types import utcnow
from . import queries, services
from .forms import (
    ApprovalForm, CsrfForm, EditRegistrationForm, ManualAddForm, OrganiserCancelForm, attendee_prefix, parse_answers,
)
from .labels import history_note
from .models import RegistrationStatus
from .questions import clean_answers
from .services import AttendeeData, CategoryChoice, OrderRequest
from .blueprint import bp

register_manage_nav(_l("Registrations"), "registration.manage_list", Action.VIEW_REGISTRATIONS, order=30, prefix="registration.manage")


def _filters() -> queries.RegistrationFilters:
    args = request.args

    def number(name):
        return as_id(args.get(name))

    return queries.RegistrationFilters(
        q=args.get("q", "").strip()[:200], category_id=number("category"),
        status=args.get("status", "") if args.get("status", "") in {s.value for s in RegistrationStatus} else "",
        payment=args.get("payment", "") if args.get("payment") in ("paid", "unpaid", "waived", "none") else "",
        checked_in=args.get("checked_in", "") if args.get("checked_in") in ("yes", "no") else "",
        question_id=number("question"), answer=args.get("answer", "").strip()[:200],
    )


@bp.route("/manage/<slug>/registrations")
@login_required
def manage_list(slug: str):
    event = managed_event(slug, Action.VIEW_REGISTRATIONS)
    filters = _filters()
    page = page_arg()
    rows, total = queries.registration_page(event, filters, page=page)
    pages = max((total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1)
    kept = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("registration/manage_list.html", event=event, rows=rows, total=total, page=page, pages=pages,
                           filters=filters, kept=kept, categories=queries.all_categories(event),
                           questions=queries.all_questions(event), counts=queries.status_counts(event),
                           statuses=list(RegistrationStatus))


@bp.route("/manage/<slug>/registrations/export.csv")
@login_required
def manage_export(slug: str):
    event = managed_event(slug, Action.VIEW_REGISTRATIONS)
    filters = _filters()
    response = Response(stream_with_context(queries.export_rows(event, filters)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}-registrations.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _registration(event, registration_id: int):
    registration = queries.registration_detail(event, registration_id)
    if registration is None:
        abort(404)
    return registration


@bp.route("/manage/<slug>/registrations/<int:registration_id>")
@login_required
def manage_detail(slug: str, registration_id: int):
    event = managed_event(slug, Action.VIEW_REGISTRATIONS)
    registration = _registration(event, registration_id)
    from .questions import display_value

    return render_template(
        "registration/manage_detail.html", event=event, registration=registration, order=registration.order,
        history=queries.order_history(registration.order_id), history_note=history_note, display_value=display_value,
        cancel_form=OrganiserCancelForm(), approval_form=ApprovalForm(), csrf=CsrfForm(),
        refundable=services.refundable_amount(registration.order, now=utcnow()),
        can_manage=Action.MANAGE_REGISTRATIONS,
    )


def _act(event, registration, action, success: str):
    def change():
        try:
            return action()
        except ValidationFailed as error:
            # These buttons have no fields to show errors beside: say what the service said.
            raise DomainError(" ".join(error.errors.values())) from error

    run_action(change, success)
    return redirect(url_for("registration.manage_detail", slug=event.slug, registration_id=registration.id))


@bp.route("/manage/<slug>/registrations/<int:registration_id>/cancel", methods=["POST"])
@login_required
def manage_cancel(slug: str, registration_id: int):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    registration = _registration(event, registration_id)
    form = OrganiserCancelForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(event, registration, lambda: services.cancel_registration(
        registration, actor=current_user, reason=form.reason.data or "", now=utcnow(), refund=form.refund.data),
        _("The registration is cancelled and the attendee was emailed."))


@bp.route("/manage/<slug>/registrations/<int:registration_id>/resend", methods=["POST"])
@login_required
def manage_resend(slug: str, registration_id: int):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    registration = _registration(event, registration_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    return _act(event, registration, lambda: services.send_confirmation(registration.order, actor=current_user, now=utcnow()),
                _("The confirmation was sent again."))


@bp.route("/manage/<slug>/registrations/<int:registration_id>/<any(approve, reject):decision>", methods=["POST"])
@login_required
def manage_decide(slug: str, registration_id: int, decision: str):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    registration = _registration(event, registration_id)
    form = ApprovalForm()
    if not form.validate_on_submit():
        abort(400)
    action = services.approve_order if decision == "approve" else services.reject_order
    return _act(event, registration, lambda: action(registration.order, actor=current_user, now=utcnow(), message=form.message.data or ""),
                _("Approved; the attendee was emailed.") if decision == "approve" else _("Rejected; the attendee was emailed."))


@bp.route("/manage/<slug>/registrations/<int:registration_id>/edit", methods=["GET", "POST"])
@login_required
def manage_edit(slug: str, registration_id: int):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    registration = _registration(event, registration_id)
    questions = services.active_questions(event.id)
    form = EditRegistrationForm(obj=registration)
    errors = {}
    if form.validate_on_submit():
        try:
            services.update_answers(registration, first_name=form.first_name.data, last_name=form.last_name.data or "",
                                    email=form.email.data, answers=parse_answers(request.form, "", questions),
                                    actor=current_user, now=utcnow())
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("registration.manage_detail", slug=slug, registration_id=registration.id))
        except ValidationFailed as error:
            db.session.rollback()
            errors = error.errors
    answers = {a.question_id: a.value for a in registration.answers}
    return render_template("registration/manage_edit.html", event=event, registration=registration, form=form,
                           questions=questions, answers=answers, errors=errors,
                           values=request.form if request.method == "POST" else None), (422 if errors or form.errors else 200)


# The one person an organiser adds: their question fields carry the public form's names, so the
# order service's errors ("attendees-0-q_7") land beside the same widgets.
_ADDED = attendee_prefix(0)


def _added_attendee(form: ManualAddForm, questions) -> AttendeeData:
    return AttendeeData(form.first_name.data, form.last_name.data or "", form.email.data,
                        parse_answers(request.form, _ADDED, questions))


def _place_errors(form: ManualAddForm, errors: dict[str, str]) -> dict[str, str]:
    """The service's errors: the person's name and email beside the form's fields, their answers
    returned by field name for the question widgets, the rest above the form."""
    own = {_ADDED + "first_name": form.first_name, _ADDED + "email": form.email}
    answers = {}
    for name, message in errors.items():
        if name in own:
            own[name].errors.append(message)
        elif name.startswith(_ADDED + "q_"):
            answers[name] = message
        else:
            form.extra_errors.append(message)
    return answers


@bp.route("/manage/<slug>/registrations/new", methods=["GET", "POST"])
@login_required
def manage_add(slug: str):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    form = ManualAddForm()
    form.category_id.choices = [(c.id, c.name) for c in queries.all_categories(event)]
    form.extra_errors = []
    questions = services.active_questions(event.id)
    answer_errors = {}
    if form.validate_on_submit():
        order_request = OrderRequest([CategoryChoice(form.category_id.data, 1)], [_added_attendee(form, questions)],
                                     payment_method=form.payment_method.data, send_email=form.send_email.data)
        try:
            order = services.place_order(event, order_request, actor=current_user, now=utcnow())
            services.history(order, "added_by_organiser", actor=current_user, now=utcnow())
            db.session.commit()
            flash(_("Registration added."), "success")
            return redirect(url_for("registration.manage_detail", slug=slug, registration_id=order.registrations[0].id))
        except DomainError as error:
            db.session.rollback()
            answer_errors = _place_errors(form, error.errors if isinstance(error, ValidationFailed) else {"": error.message})
    elif request.method == "POST":
        # The fields failed first: check the answers too (the service's own check), so one round shows every error.
        _values, unanswered = clean_answers(questions, parse_answers(request.form, _ADDED, questions))
        answer_errors = {f"{_ADDED}q_{qid}": message for qid, message in unanswered.items()}
    return render_template("registration/manage_add.html", event=event, form=form, questions=questions, prefix=_ADDED,
                           errors=answer_errors, values=request.form), \
        (422 if request.method == "POST" else 200)
