"""Organiser set-up pages: categories, questions (own and built-in), codes, settings, waitlist."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.permissions import Action
from ..errors import DomainError, ValidationFailed
from ..events.access import managed_event
from ..events.content_languages import other_languages
from ..events.translation_forms import translated_form
from ..extensions import db
from ..money import plain
from ..types import utcnow
from . import catalogue, queries, services, waitlist
from .forms import AccessCodeForm, CategoryForm, CsrfForm, DiscountCodeForm, QuestionForm, SettingsForm, parse_money
from .models import AccessCode, DiscountCode, Question, RegistrationCategory, WaitlistEntry
from .catalogue import CATEGORY_TEXTS, QUESTION_TEXTS
from .questions import BUILTIN_QUESTIONS
from .blueprint import bp


def _to_utc(value: datetime | None, event) -> datetime | None:
    return value.replace(tzinfo=ZoneInfo(event.timezone)).astimezone(ZoneInfo("UTC")) if value else None


def _to_local(value: datetime | None, event) -> datetime | None:
    return value.astimezone(ZoneInfo(event.timezone)).replace(tzinfo=None) if value else None


def _apply_errors(form, error: ValidationFailed) -> None:
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + [message]
        else:
            form.extra_errors = getattr(form, "extra_errors", []) + [message]


def _money(form, name: str, errors: dict, currency: str) -> int | None:
    try:
        return parse_money(getattr(form, name).data or "", currency)
    except ValueError as error:
        errors[name] = str(error)
        return None


# --- categories -----------------------------------------------------------------------------------

@bp.route("/manage/<slug>/registration/categories")
@login_required
def manage_categories(slug: str):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    from .capacity import occupancy

    now = utcnow()
    event_free, per_category = services.places_left(event, now=now)
    categories = queries.all_categories(event)
    # A category's own free places can be more than the event has left: say which limit applies.
    taken = occupancy(event.id, now=now)
    capped = {c.id for c in categories if c.capacity is not None and event_free is not None and not c.is_online
              and (taken.free_in_category(c) or 0) > event_free}
    return render_template("registration/manage_categories.html", event=event, categories=categories,
                           per_category=per_category, capped=capped)


@bp.route("/manage/<slug>/registration/categories/new", methods=["GET", "POST"], defaults={"category_id": None})
@bp.route("/manage/<slug>/registration/categories/<int:category_id>", methods=["GET", "POST"])
@login_required
def manage_category_form(slug: str, category_id: int | None):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    category = db.session.get(RegistrationCategory, category_id) if category_id else None
    if category_id and (category is None or category.event_id != event.id):
        abort(404)
    # Amounts are typed in the category's currency (a new category takes the event's).
    currency = category.currency if category is not None else services.settings_for(event).currency
    form = translated_form(CategoryForm, other_languages(event), CATEGORY_TEXTS)(currency=currency)
    if request.method == "GET" and category is not None:
        form.process(obj=category)
        form.load_translations(category)
        form.price.data = plain(category.price_minor, currency) if category.price_minor else ""
        form.minimum.data = plain(category.min_minor, currency)
        form.suggested.data = plain(category.suggested_minor, currency) if category.suggested_minor else ""
        form.maximum.data = plain(category.max_minor, currency)
        form.sales_start.data, form.sales_end.data = _to_local(category.sales_start, event), _to_local(category.sales_end, event)
    if form.validate_on_submit():
        errors: dict = {}
        amounts = {name: _money(form, name, errors, currency) for name in ("price", "minimum", "suggested", "maximum")}
        data = catalogue.CategoryData(
            name=form.name.data, price_kind=form.price_kind.data, description=form.description.data or "",
            price_minor=amounts["price"] or 0, min_minor=amounts["minimum"] or 0, suggested_minor=amounts["suggested"] or 0,
            max_minor=amounts["maximum"], capacity=form.capacity.data, sales_start=_to_utc(form.sales_start.data, event),
            sales_end=_to_utc(form.sales_end.data, event), visibility=form.visibility.data, allows_waiver=form.allows_waiver.data,
            requires_approval=form.requires_approval.data, is_active=form.is_active.data, position=form.position.data or 0,
            attendance_mode=request.form.get("attendance_mode"))  # not posted: the kind stays
        try:
            if errors:
                raise ValidationFailed(errors)
            form.save_translations(catalogue.save_category(event, data, actor=current_user, category=category, now=utcnow()))
            db.session.commit()
            flash(_("Category saved."), "success")
            return redirect(url_for("registration.manage_categories", slug=slug))
        except ValidationFailed as error:
            db.session.rollback()
            _apply_errors(form, error)
    return render_template("registration/manage_form.html", event=event, form=form,
                           title=_("Edit category") if category else _("New category"),
                           back=url_for("registration.manage_categories", slug=slug)), (422 if form.errors or getattr(form, "extra_errors", None) else 200)


# --- questions ------------------------------------------------------------------------------------

@bp.route("/manage/<slug>/registration/questions")
@login_required
def manage_questions(slug: str):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    questions = queries.all_questions(event)
    enabled = {q.builtin_key for q in questions if q.builtin_key and q.is_active}
    return render_template("registration/manage_questions.html", event=event, questions=questions,
                           builtins=BUILTIN_QUESTIONS, enabled=enabled, csrf=CsrfForm(),
                           labels={q.id: q.label for q in questions})


@bp.route("/manage/<slug>/registration/questions/builtin/<key>", methods=["POST"])
@login_required
def manage_question_builtin(slug: str, key: str):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    if not CsrfForm().validate_on_submit() or key not in BUILTIN_QUESTIONS:
        abort(400)
    catalogue.set_builtin(event, key, request.form.get("enabled") == "1", actor=current_user, now=utcnow())
    db.session.commit()
    flash(_("Questions updated."), "success")
    return redirect(url_for("registration.manage_questions", slug=slug))


@bp.route("/manage/<slug>/registration/questions/new", methods=["GET", "POST"], defaults={"question_id": None})
@bp.route("/manage/<slug>/registration/questions/<int:question_id>", methods=["GET", "POST"])
@login_required
def manage_question_form(slug: str, question_id: int | None):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    question = db.session.get(Question, question_id) if question_id else None
    if question_id and (question is None or question.event_id != event.id):
        abort(404)
    form = translated_form(QuestionForm, other_languages(event), QUESTION_TEXTS, line_fields=("options",))()
    form.condition_question_id.choices = [(0, _("Always show"))] + [
        (q.id, q.label) for q in queries.all_questions(event) if question is None or q.id != question.id]
    if request.method == "GET" and question is not None:
        form.process(obj=question)
        form.options.data = "\n".join(question.options or [])
        form.condition_question_id.data = question.condition_question_id or 0
        form.load_translations(question)
    if form.validate_on_submit():
        data = catalogue.QuestionData(
            label=form.label.data, kind=form.kind.data, help_text=form.help_text.data or "",
            options=(form.options.data or "").splitlines(), required=form.required.data, is_personal=form.is_personal.data,
            condition_question_id=form.condition_question_id.data or None, condition_value=form.condition_value.data or "",
            position=form.position.data or 0)
        try:
            form.save_translations(catalogue.save_question(event, data, actor=current_user, question=question, now=utcnow()))
            db.session.commit()
            flash(_("Question saved."), "success")
            return redirect(url_for("registration.manage_questions", slug=slug))
        except ValidationFailed as error:
            db.session.rollback()
            _apply_errors(form, error)
    return render_template("registration/manage_form.html", event=event, form=form,
                           title=_("Edit question") if question else _("New question"),
                           back=url_for("registration.manage_questions", slug=slug)), (422 if form.errors or getattr(form, "extra_errors", None) else 200)


# --- codes ----------------------------------------------------------------------------------------

def _code_forms(event):
    choices = [(c.id, c.name) for c in queries.all_categories(event)]
    discount = DiscountCodeForm(prefix="discount", currency=services.settings_for(event).currency)
    access = AccessCodeForm(prefix="access")
    discount.category_ids.choices = choices
    access.category_ids.choices = choices
    return discount, access


@bp.route("/manage/<slug>/registration/codes", methods=["GET", "POST"])
@login_required
def manage_codes(slug: str):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    discount_form, access_form = _code_forms(event)
    kind = request.form.get("kind")
    status = 200
    try:
        if kind == "discount" and discount_form.validate_on_submit():
            errors: dict = {}
            amount = _money(discount_form, "amount", errors, services.settings_for(event).currency)
            if errors:
                raise ValidationFailed(errors)
            f = discount_form
            catalogue.create_discount_code(event, code=f.code.data, kind=f.kind.data, percent=f.percent.data or 0,
                                           amount_minor=amount or 0, category_ids=f.category_ids.data, usage_limit=f.usage_limit.data,
                                           valid_from=_to_utc(f.valid_from.data, event), valid_until=_to_utc(f.valid_until.data, event),
                                           actor=current_user, now=utcnow())
        elif kind == "access" and access_form.validate_on_submit():
            f = access_form
            catalogue.create_access_code(event, code=f.code.data, category_ids=f.category_ids.data, usage_limit=f.usage_limit.data,
                                         valid_until=_to_utc(f.valid_until.data, event), actor=current_user, now=utcnow())
        elif request.method == "POST":
            status = 422
        if request.method == "POST" and status == 200:
            db.session.commit()
            flash(_("Code created."), "success")
            return redirect(url_for("registration.manage_codes", slug=slug))
    except ValidationFailed as error:
        db.session.rollback()
        _apply_errors(discount_form if kind == "discount" else access_form, error)
        status = 422
    from sqlalchemy import select

    discounts = db.session.scalars(select(DiscountCode).where(DiscountCode.event_id == event.id).order_by(DiscountCode.code)).all()
    accesses = db.session.scalars(select(AccessCode).where(AccessCode.event_id == event.id).order_by(AccessCode.code)).all()
    return render_template("registration/manage_codes.html", event=event, discount_form=discount_form, access_form=access_form,
                           discounts=discounts, accesses=accesses, csrf=CsrfForm(),
                           currency=services.settings_for(event).currency,
                           category_names={c.id: c.name for c in queries.all_categories(event)}), status


@bp.route("/manage/<slug>/registration/codes/<any(discount, access):kind>/<int:code_id>/toggle", methods=["POST"])
@login_required
def manage_code_toggle(slug: str, kind: str, code_id: int):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    code = db.session.get(DiscountCode if kind == "discount" else AccessCode, code_id)
    if code is None or code.event_id != event.id:
        abort(404)
    if not CsrfForm().validate_on_submit():
        abort(400)
    catalogue.set_code_active(event, code, not code.is_active, actor=current_user, now=utcnow())
    db.session.commit()
    return redirect(url_for("registration.manage_codes", slug=slug))


# --- settings -------------------------------------------------------------------------------------

@bp.route("/manage/<slug>/registration/settings", methods=["GET", "POST"])
@login_required
def manage_settings(slug: str):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    current = services.settings_for(event)
    form = SettingsForm(obj=current if request.method == "GET" else None)
    if request.method == "GET":
        form.refund_until.data = _to_local(current.refund_until, event)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in catalogue.SETTING_FIELDS}
        values["refund_until"] = _to_utc(form.refund_until.data, event)
        values["confirmation_note"] = values["confirmation_note"] or ""
        try:
            catalogue.save_settings(event, values, actor=current_user, now=utcnow())
            db.session.commit()
            flash(_("Settings saved."), "success")
            return redirect(url_for("registration.manage_settings", slug=slug))
        except ValidationFailed as error:
            db.session.rollback()
            _apply_errors(form, error)
    return render_template("registration/manage_form.html", event=event, form=form, title=_("Registration settings"),
                           back=url_for("registration.manage_list", slug=slug)), (422 if form.errors or getattr(form, "extra_errors", None) else 200)


# --- waitlist -------------------------------------------------------------------------------------

@bp.route("/manage/<slug>/waitlist")
@login_required
def manage_waitlist(slug: str):
    event = managed_event(slug, Action.VIEW_REGISTRATIONS)
    return render_template("registration/manage_waitlist.html", event=event, entries=queries.waitlist_entries(event), csrf=CsrfForm())


@bp.route("/manage/<slug>/waitlist/<int:entry_id>/<any(up, down, offer, remove):action>", methods=["POST"])
@login_required
def manage_waitlist_action(slug: str, entry_id: int, action: str):
    event = managed_event(slug, Action.MANAGE_REGISTRATIONS)
    entry = db.session.get(WaitlistEntry, entry_id)
    if entry is None or entry.event_id != event.id:
        abort(404)
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        if action in ("up", "down"):
            waitlist.move_entry(entry, -1 if action == "up" else 1, actor=current_user)
        elif action == "offer":
            waitlist.offer_by_hand(entry, actor=current_user, now=utcnow())
            flash(_("Offer sent."), "success")
        else:
            waitlist.remove_entry(entry, actor=current_user, now=utcnow())
            flash(_("Removed from the waitlist."), "success")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("registration.manage_waitlist", slug=slug))
