"""Public registration: the multi-step form, the order page, the attendee's self-service
ticket page, and the waitlist. Every step is a POST to one address carrying what was typed
in hidden fields, so the back button and a reload never lose anything; the final POST
carries a one-time token that makes a retried or doubled submission find the same order."""
from __future__ import annotations

import secrets

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import DomainError, SoldOut, ValidationFailed
from ..events.access import visible_event
from ..events.content_languages import tr
from ..events.services import registration_closed_reason
from ..extensions import commit_keeping_loaded, db, limiter
from ..forms import run_action, show_errors
from ..i18n import LANGUAGES, current_language, language_name, remember_language
from ..money import with_code
from ..sqlite import begin_writing, mark_request_read_only
from ..transactions import on_decision_point
from ..types import utcnow
from . import common, emails, links, pricing, queries, services, waitlist
from .forms import CancelForm, CsrfForm, TicketLanguageForm, WaitlistForm, parse_answers, parse_order_form
from .models import Order, PaymentMethod, Registration, RegistrationStatus
from .questions import countries, display_value
from .blueprint import bp


HONEYPOT = "website"
bp.context_processor(lambda: {"countries": countries(), "display_value": display_value})


def _rate_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _carry(form, *, drop=()) -> list[tuple[str, str]]:
    """The posted fields to re-send as hidden inputs on the next step."""
    skip = {"csrf_token", "step", HONEYPOT, *drop}
    return [(k, v) for k, values in form.lists() if k not in skip for v in values]


@bp.route("/e/<slug>/register", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def public_start(slug: str):
    with common.reads_once():
        return _public_start(slug)


def _public_start(slug: str):
    # These steps validate and re-render only; on embedded SQLite they must not queue behind writers.
    # The confirm step reads as they do up to place_order's decision point (_confirm).
    mark_request_read_only(request.method == "POST" and request.form.get("step") in ("choose", "edit", "details", "confirm"))
    event = visible_event(slug)
    now = utcnow()
    closed = registration_closed_reason(event, now)
    form_data = request.form if request.method == "POST" else request.args
    offer_token = form_data.get("offer") or None
    offer = waitlist.offer_for_token(event, offer_token, now=now) if offer_token else None
    if closed:
        return render_template("registration/closed.html", event=event, reason=closed)
    access_code = form_data.get("access_code", "").strip()
    access, access_problem = queries.access_code_for(event, access_code, now=now)
    categories = queries.categories_for_sale(event, access=None if access_problem else access, now=now, offer=offer)
    settings = services.settings_for(event)
    csrf = CsrfForm()
    choose = _ChoosePage(event, categories, settings, offer, (access_code, access_problem), csrf)
    if request.method == "GET":
        return choose.first(now)
    if not csrf.validate_on_submit() or request.form.get(HONEYPOT):
        abort(400)
    step = request.form.get("step", "choose")
    questions = services.active_questions(event.id)
    try:
        order_request = parse_order_form(request.form, categories, questions, with_attendees=step != "choose",
                                         ip=request.remote_addr or "", language=current_language())
        return _next_step(event, step, order_request, questions, settings, csrf, now)
    except ValidationFailed as error:
        _read_again()
        if step == "choose" or "form" in error.errors or any(k.startswith(("quantity", "amount_", "access_code", "waitlist")) for k in error.errors):
            return choose.again(error.errors, now), 422
        return _details(event, questions, order_request, errors=error.errors), 422
    except SoldOut as error:
        _read_again()
        flash(gettext("%(problem)s You can join the waitlist below.", problem=error.message) if settings.waitlist_enabled else error.message,
              "error")
        return redirect(url_for("registration.public_start", slug=event.slug))


def _read_again() -> None:
    """After a refusal: rolled back, and the page that says why is read beside the writers."""
    db.session.rollback()
    mark_request_read_only()


def _next_step(event, step: str, order_request, questions, settings, csrf, now):
    """What the step just submitted leads to: details, the review, or the order placed."""
    if step == "choose":
        services.check_choices(event, order_request, actor=current_user, now=now)
        return _details(event, questions, order_request, errors={})
    if step == "edit":
        return _details(event, questions, order_request, errors={})
    if step == "confirm":
        # place_order quotes under its lock and raises what quoting here would: quote once.
        return _confirm(event, order_request, now)
    if step == "details":
        quote = services.quote_order(event, order_request, actor=current_user, now=now)
        return render_template("registration/step_review.html", event=event, quote=quote, carry=_carry(request.form),
                               csrf=csrf, request_data=order_request, questions=questions,
                               hold_minutes=settings.hold_minutes)
    abort(400)


class _ChoosePage:
    """The first step (categories and quantities), shown first or again with what went wrong."""

    def __init__(self, event, categories, settings, offer, access: tuple[str, str | None], csrf):
        """`access`: the access code as typed, and why it cannot be used (queries.access_code_for)."""
        self.event, self.categories, self.settings, self.offer = event, categories, settings, offer
        (self.access_code, self.access_problem), self.csrf = access, csrf

    def first(self, now):
        event_free, per_category = services.places_left(self.event, now=now)
        errors = {}
        if self.access_problem:
            errors["access_code"] = self.access_problem
        elif self.access_code and not any(c.visibility == "hidden" for c in self.categories):
            # A usable code whose hidden categories are all closed unlocks nothing here.
            errors["access_code"] = pricing.access_code_problem(None, now=now)
        sold_out = self.offer is None and (
            event_free == 0 or (self.categories and all(per_category.get(c.id) == 0 for c in self.categories)))
        waitlist_form = _waitlist_form(self.event, self.categories, per_category=None if sold_out else per_category)
        return self._render(per_category, sold_out, request.args, errors, waitlist_form)

    def again(self, errors, now):
        _, per_category = services.places_left(self.event, now=now)
        return self._render(per_category, False, request.form, errors, _waitlist_form(self.event, self.categories))

    def _render(self, per_category, sold_out, values, errors, waitlist_form):
        return render_template("registration/step_choose.html", event=self.event, categories=self.categories,
                               per_category=per_category, sold_out=sold_out, settings=self.settings, values=values,
                               errors=errors, offer=self.offer, access_code=self.access_code, csrf=self.csrf,
                               waitlist_form=waitlist_form)


def _details(event, questions, order_request, *, errors):
    form = request.form
    count = sum(c.quantity for c in order_request.choices)
    token = form.get("form_token") or secrets.token_urlsafe(24)
    settings = services.settings_for(event)
    categories = {c.id: c for c in queries.categories_by_id(event, [c.category_id for c in order_request.choices])}
    slots = [categories[c.category_id] for c in order_request.choices for _ in range(c.quantity)]
    values = _prefill_from_offer(event, form, order_request.waitlist_token)
    return render_template(
        "registration/step_details.html", event=event, questions=questions, count=count, slots=slots, values=values,
        errors=errors, carry=_carry(form, drop=_detail_fields(form)), form_token=token, csrf=CsrfForm(),
        settings=settings, waiver_offered=all(c.allows_waiver for c in slots),
        # What was chosen, not what a category could cost: pay-what-you-can at 0 owes nothing.
        money_due=any(pricing.base_price(categories[c.category_id], c.amount_minor)[0] > 0 for c in order_request.choices),
        card_offered=settings.card_enabled and common.card_payments_available(),
    )


def _prefill_from_offer(event, form, token):
    """A waitlist offer's one place is for the person who waited: their name and email, as they gave them."""
    entry = waitlist.offer_for_token(event, token, now=utcnow()) if token else None
    if entry is None:
        return form
    values = form.copy()
    first, _, last = entry.name.strip().partition(" ")
    values.setdefault("attendees-0-first_name", first)
    values.setdefault("attendees-0-last_name", last.strip())
    values.setdefault("attendees-0-email", entry.email)
    return values


def _detail_fields(form) -> set[str]:
    own = {"discount_code", "waiver_requested", "waiver_reason", "payment_method", "form_token",
           "buyer_separate", "buyer_name", "buyer_email"}
    return own | {k for k in form.keys() if k.startswith("attendees-")}


def _confirm(event, order_request, now):
    """Reads (the event, its categories, settings and questions, the quote) in a deferred
    transaction on embedded SQLite; the write lock is taken at place_order's decision point, for
    deciding and writing the order only, as the desk's redeem does."""
    try:
        with on_decision_point(begin_writing):
            order = services.place_order(event, order_request, actor=current_user, now=now)
        # The redirect reads the order just written: kept loaded, it needs no query.
        commit_keeping_loaded()
    except IntegrityError:
        # The same form token committed by a concurrent twin request: show that order.
        _read_again()
        order = services.find_order_by_key(order_request.idempotency_key)
        if order is None:
            raise
    mark_request_read_only()
    statuses = {r.status for r in order.registrations}
    if RegistrationStatus.AWAITING_PAYMENT in statuses and order.payment_method == PaymentMethod.CARD:
        return redirect(url_for("payments.checkout_start", slug=event.slug, token=links.order_token(order)))
    return redirect(url_for("registration.order_page", slug=event.slug, token=links.order_token(order)))


def _waitlist_form(event, categories, *, per_category=None):
    """The waitlist form; with `per_category` (the event still has room) it offers only the full categories."""
    form = WaitlistForm(prefix="waitlist")
    full = [c for c in categories if per_category is not None and per_category.get(c.id) == 0]
    if full:
        form.category_id.choices = [(c.id, tr(c, "name", event=event)) for c in full]
    else:
        form.category_id.choices = [(0, gettext("Any category"))] + [(c.id, tr(c, "name", event=event)) for c in categories]
    return form


@bp.route("/e/<slug>/waitlist", methods=["POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def waitlist_join(slug: str):
    event = visible_event(slug)
    now = utcnow()
    categories = queries.categories_for_sale(event, now=now)
    form = _waitlist_form(event, categories)
    if form.website.data:
        abort(400)
    if form.validate_on_submit():
        try:
            # The partner API's service too: the window and the categories are decided once, for both.
            entry = waitlist.join_waitlist_as_public(event, name=form.name.data, email=form.email.data, now=now,
                                                     category_id=form.category_id.data or None, language=current_language())
            db.session.commit()
            return render_template("registration/waitlist_joined.html", event=event, entry=entry)
        except ValidationFailed as error:
            db.session.rollback()
            if "form" in error.errors:  # registration closed (or not yet open) meanwhile: the closed page says why
                flash(gettext("You have not been added to the waitlist: it is open only while registration is."), "error")
                return redirect(url_for("registration.public_start", slug=slug))
            show_errors(form, error)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("registration.public_start", slug=slug))
    event_free, per_category = services.places_left(event, now=now)
    sold_out = event_free == 0 or (bool(categories) and all(per_category.get(c.id) == 0 for c in categories))
    return render_template("registration/step_choose.html", event=event, categories=categories, per_category=per_category,
                           sold_out=sold_out, settings=services.settings_for(event), values={}, errors={}, offer=None,
                           access_code="", csrf=CsrfForm(), waitlist_form=form), 422


@bp.route("/e/<slug>/waitlist/<token>")
def waitlist_claim(slug: str, token: str):
    event = visible_event(slug)
    entry = waitlist.offer_for_token(event, token, now=utcnow())
    if entry is None:
        return render_template("registration/offer_expired.html", event=event), 410
    return redirect(url_for("registration.public_start", slug=slug, offer=token))


def _order_for(slug: str, token: str) -> tuple:
    event = visible_event(slug)
    code = links.order_code_from_token(token)
    order = db.session.scalar(select(Order).where(Order.code == code, Order.event_id == event.id)) if code else None
    if order is None:
        abort(404)
    return event, order


@bp.route("/e/<slug>/orders/<token>")
def order_page(slug: str, token: str):
    event, order = _order_for(slug, token)
    return render_template("registration/order.html", event=event, order=order, links=links,
                           payment_available=common.card_payments_available(),
                           other_methods=_other_methods(event, order))


def _other_methods(event, order) -> list[tuple[str, str]]:
    """Ways other than card the event allows, offered to a card order still waiting for its payment."""
    if order.payment_method != PaymentMethod.CARD or not any(
            r.status == RegistrationStatus.AWAITING_PAYMENT for r in order.registrations):
        return []
    settings = services.settings_for(event)
    return [(method, label) for method, label, on in (
        ("invoice", gettext("Pay by invoice or bank transfer"), settings.invoice_enabled),
        ("at_door", gettext("Pay at the door"), settings.at_door_enabled)) if on]


@bp.route("/e/<slug>/orders/<token>/pay-another-way", methods=["POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def order_pay_another_way(slug: str, token: str):
    event, order = _order_for(slug, token)
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        method = PaymentMethod(request.form.get("payment_method", ""))
    except ValueError:
        abort(400)
    run_action(lambda: services.pay_another_way(order, method, now=utcnow()),
               gettext("Your places are confirmed. The organisers will send you an invoice.") if method == PaymentMethod.INVOICE
               else gettext("Your places are confirmed. Please pay at the door."))
    return redirect(url_for("registration.order_page", slug=slug, token=token))


def _ticket_for(slug: str, token: str) -> tuple:
    event = visible_event(slug)
    code = links.ticket_code_from_token(token)
    registration = db.session.scalar(select(Registration).where(Registration.ticket_code == code, Registration.event_id == event.id)) if code else None
    if registration is None or registration.purged_at:
        abort(404)
    return event, registration


@bp.route("/e/<slug>/ticket/<token>", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def ticket_page(slug: str, token: str):
    event, registration = _ticket_for(slug, token)
    questions = services.active_questions(event.id)
    errors, values = {}, None
    if request.method == "POST":
        if not CsrfForm().validate_on_submit():
            abort(400)
        answers = parse_answers(request.form, "", questions)
        try:
            services.update_answers(registration, first_name=request.form.get("first_name", ""),
                                    last_name=request.form.get("last_name", ""), answers=answers,
                                    actor=None, now=utcnow(), by_attendee=True)
            db.session.commit()
            flash(gettext("Your answers are saved."), "success")
            return redirect(url_for("registration.ticket_page", slug=slug, token=token))
        except ValidationFailed as error:
            db.session.rollback()
            errors, values = error.errors, request.form
    answers = {a.question_id: a.value for a in registration.answers}
    # The receipt and the pay page carry the order token: only for the attendee who is the buyer.
    buyer = links.is_buyer(registration)
    return render_template(
        "registration/ticket.html", event=event, registration=registration, questions=questions, answers=answers,
        errors=errors, values=values, csrf=CsrfForm(), cancel_form=CancelForm(), token=token,
        language_form=_language_form(registration),
        qr_data_uri=emails.ticket_qr(registration.ticket_code).svg_data_uri(scale=6, border=2) if registration.status == RegistrationStatus.CONFIRMED else None,
        refund_minor=min(registration.price_minor, services.refundable_amount(registration.order, now=utcnow())),
        receipt_url=links.receipt_url(registration.order, event) if buyer and registration.order.paid_minor else None,
        payment_url=links.payment_url(registration.order, event)
        if buyer and registration.status == RegistrationStatus.AWAITING_PAYMENT else None,
    ), (422 if errors else 200)


def _language_form(registration) -> TicketLanguageForm:
    form = TicketLanguageForm(formdata=None, language=registration.spoken_language)
    form.language.choices = list(LANGUAGES.items())
    return form


@bp.route("/e/<slug>/ticket/<token>/language", methods=["POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def ticket_language(slug: str, token: str):
    """The attendee's language: their emails speak it from now on, and the page switches to it."""
    event, registration = _ticket_for(slug, token)
    form = TicketLanguageForm()
    form.language.choices = list(LANGUAGES.items())
    back = redirect(url_for("registration.ticket_page", slug=slug, token=token))
    if not form.validate_on_submit():
        flash(gettext("Choose one of the languages offered."), "error")
        return back
    if not run_action(lambda: services.set_language(registration, form.language.data, now=utcnow()), None):
        return back
    with force_locale(registration.spoken_language):
        flash(gettext("Saved: we will write to you in %(language)s.", language=language_name(registration.spoken_language)),
              "success")
    return remember_language(back, registration.spoken_language)


@bp.route("/e/<slug>/ticket/<token>/cancel", methods=["POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def ticket_cancel(slug: str, token: str):
    event, registration = _ticket_for(slug, token)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(gettext("Tick the box to confirm that you want to cancel."), "error")
        return redirect(url_for("registration.ticket_page", slug=slug, token=token))
    run_action(
        lambda: services.cancel_registration(registration, actor=None, reason="Cancelled by the attendee", now=utcnow(),
                                             by_attendee=True),
        lambda refund: gettext("Your registration is cancelled. We are refunding %(amount)s.",
                               amount=with_code(refund, registration.order.currency))
        if refund else gettext("Your registration is cancelled."))
    return redirect(url_for("registration.ticket_page", slug=slug, token=token))


@bp.route("/e/<slug>/ticket/<token>/event.ics")
def ticket_calendar(slug: str, token: str):
    event, registration = _ticket_for(slug, token)
    return Response(emails.event_ics(event, registration), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'})


