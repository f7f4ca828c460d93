"""Organiser payment actions for one order: refund (full or partial), record an offline payment,
and the receipt.

Embedding in the registration detail page (registration's view and template):

    from confapp.payments.queries import order_payment_panel
    panel = order_payment_panel(order, event)            # 2 queries
    render_template(..., payment_panel=panel)

    {% if payment_panel %}{% include "payments/_order_panel.html" %}{% endif %}

The include shows the order's payments and refunds and, for users with MANAGE_PAYMENTS,
the refund and mark-paid forms. They POST to `payments.manage_refund` /
`payments.manage_mark_paid` with a hidden `next` (the page's own path) and come back there
with a flash. `payments.manage_order_payments` is the same panel as a page of its own.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..accounts.permissions import Action
from ..errors import DomainError, ValidationFailed
from ..events.access import managed_event
from ..extensions import db
from ..forms import show_errors
from ..inputs import page_arg
from ..money import format_money
from ..types import utcnow
from . import services
from .forms import MarkPaidForm, RefundForm
from ..navigation import register_manage_nav
from .queries import event_payments, has_receipt, method_label, order_for_event, order_payment_panel, receipt_for
from .blueprint import bp
from .receipts import pdf_response

register_manage_nav(_l("Payments"), "payments.manage_event_payments", Action.MANAGE_PAYMENTS, order=35,
                    prefix="payments.manage_")


@bp.route("/manage/<slug>/payments")
@login_required
def manage_event_payments(slug: str):
    """Money received and refunded for the event, refunds that need attention, every payment."""
    event = managed_event(slug, Action.MANAGE_PAYMENTS)
    page = page_arg()
    return render_template("payments/manage_event_payments.html", event=event, data=event_payments(event, page=page),
                           method_label=method_label)


def _managed_order(slug: str, code: str, action: Action):
    from flask import abort

    event = managed_event(slug, action)
    order = order_for_event(event, code)
    if order is None:
        abort(404)
    return event, order


def _back(slug: str, code: str) -> str:
    target = request.form.get("next", "")
    # Only our own organiser pages: never an open redirect.
    if target.startswith("/manage/") and "//" not in target and "\\" not in target:
        return target
    return url_for("payments.manage_order_payments", slug=slug, code=code)


def _render_panel(event, order, *, refund_form=None, paid_form=None, status: int = 200):
    return render_template(
        "payments/manage_payments.html", event=event, order=order, payment_panel=order_payment_panel(order, event),
        refund_form=refund_form, paid_form=paid_form,
        panel_return_to=url_for("payments.manage_order_payments", slug=event.slug, code=order.code),
    ), status


@bp.route("/manage/<slug>/orders/<code>/payments")
@login_required
def manage_order_payments(slug: str, code: str):
    event, order = _managed_order(slug, code, Action.MANAGE_PAYMENTS)
    return _render_panel(event, order)


@bp.post("/manage/<slug>/orders/<code>/refund")
@login_required
def manage_refund(slug: str, code: str):
    event, order = _managed_order(slug, code, Action.MANAGE_PAYMENTS)
    form = RefundForm(currency=order.currency)
    if form.validate_on_submit():
        amount = form.amount_minor(services.refundable(order))
        if amount is None:
            form.amount.errors = [gettext("Enter an amount, or tick the box for a full refund.")]
        else:
            try:
                services.refund_order(order, amount, actor=current_user, reason=form.reason.data.strip(), now=utcnow(),
                                      notify=True)
            except ValidationFailed as error:
                db.session.rollback()
                form.amount.errors = [error.errors.get("amount") or error.message]
            except DomainError as error:
                db.session.rollback()
                form.amount.errors = [error.message]
            else:
                db.session.commit()
                flash(gettext("Refund of %(amount)s recorded.", amount=format_money(amount, order.currency)), "success")
                return redirect(_back(slug, code), code=303)
    return _render_panel(event, order, refund_form=form, status=422)


@bp.post("/manage/<slug>/orders/<code>/mark-paid")
@login_required
def manage_mark_paid(slug: str, code: str):
    event, order = _managed_order(slug, code, Action.MANAGE_PAYMENTS)
    form = MarkPaidForm(currency=order.currency)
    if form.validate_on_submit():
        try:
            payment = services.mark_paid_offline(order, amount_minor=form.amount_value(), method=form.method.data,
                                                 actor=current_user, now=utcnow(), note=form.note.data or "")
        except ValidationFailed as error:
            db.session.rollback()
            show_errors(form, error)
        except DomainError as error:
            db.session.rollback()
            form.amount.errors = [error.message]
        else:
            db.session.commit()
            flash(gettext("Payment of %(amount)s recorded.", amount=format_money(payment.amount_minor, payment.currency)), "success")
            return redirect(_back(slug, code), code=303)
    return _render_panel(event, order, paid_form=form, status=422)


def _manage_receipt(slug: str, code: str):
    from flask import abort

    event, order = _managed_order(slug, code, Action.VIEW_REGISTRATIONS)
    if not has_receipt(order):
        abort(404)
    return receipt_for(order, event)


@bp.route("/manage/<slug>/orders/<code>/receipt")
@login_required
def manage_receipt(slug: str, code: str):
    data = _manage_receipt(slug, code)
    return render_template("payments/receipt.html", receipt=data, event=data.event, order=data.order,
                           pdf_url=url_for("payments.manage_receipt_pdf", slug=slug, code=code),
                           back_url=url_for("payments.manage_order_payments", slug=slug, code=code))


@bp.route("/manage/<slug>/orders/<code>/receipt.pdf")
@login_required
def manage_receipt_pdf(slug: str, code: str):
    return pdf_response(_manage_receipt(slug, code))
