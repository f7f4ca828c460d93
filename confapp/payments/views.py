"""Public payment pages: pay (redirect to Stripe Checkout), the return pages, the Stripe webhook
and the buyer's receipt. Organiser routes are in views_manage.py (same blueprint).

The buyer's pages are addressed by registration's signed order token, the buyer's secret: the
order code printed in every email opens none of them. The receipt keeps the code in its address
beside the token.
"""
from __future__ import annotations

import logging

from flask import abort, jsonify, redirect, render_template, request, url_for

from flask_babel import gettext

from ..errors import DomainError, InvalidState
from ..events.access import visible_event
from ..extensions import csrf, db
from ..registration.links import order_url
from ..registration.models import PaymentState
from ..types import utcnow
from . import services
from .gateway import GatewayError, MalformedEvent, SignatureError
from .links import order_code, token_matches
from .queries import has_receipt, order_for_event, receipt_for
from .receipts import pdf_response
from .blueprint import bp

log = logging.getLogger(__name__)



def _order_or_404(slug: str, token: str):
    """The order whose signed token this is; an order code or a forged token is simply not found."""
    event = visible_event(slug)
    code = order_code(token)
    order = order_for_event(event, code) if code else None
    if order is None:
        abort(404)
    return event, order


@bp.route("/e/<slug>/orders/<token>/pay", methods=["GET", "POST"])
def checkout_start(slug: str, token: str):
    """GET: what is due and a Pay button. POST: open (or reuse) the Stripe Checkout page and go there."""
    event, order = _order_or_404(slug, token)
    now = utcnow()
    problem = None
    try:
        services.check_payable(order, now=now)
    except InvalidState as error:
        problem = error.message
    if problem is None and not services.card_payments_available():
        problem = str(services.NOT_CONFIGURED)
    if request.method == "POST" and problem is None:
        try:
            payment = services.start_checkout(
                order,
                success_url=url_for("payments.checkout_success", slug=slug, token=token, _external=True),
                cancel_url=url_for("payments.checkout_cancel", slug=slug, token=token, _external=True),
                now=now,
            )
        except DomainError as error:
            db.session.rollback()
            problem = error.message
        else:
            return redirect(payment.checkout_url, code=303)
    status = 409 if problem and request.method == "POST" else 200
    return render_template("payments/pay.html", event=event, order=order, problem=problem, order_token=token,
                           due_minor=services.amount_due(order), order_page=order_url(order, event)), status


@bp.route("/e/<slug>/orders/<token>/payment/done")
def checkout_success(slug: str, token: str):
    event, order = _order_or_404(slug, token)
    paid = order.payment_state in (PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED)
    return render_template("payments/success.html", event=event, order=order, paid=paid, order_token=token,
                           order_page=order_url(order, event))


@bp.route("/e/<slug>/orders/<token>/payment/cancelled")
def checkout_cancel(slug: str, token: str):
    event, order = _order_or_404(slug, token)
    problem = None
    try:
        services.check_payable(order, now=utcnow())
    except InvalidState as error:
        problem = error.message
    return render_template("payments/cancelled.html", event=event, order=order, problem=problem, order_token=token,
                           due_minor=services.amount_due(order), order_page=order_url(order, event))


@bp.post("/e/<slug>/orders/<token>/payment/abandon")
def checkout_abandon(slug: str, token: str):
    """The buyer (the only one holding the order token) decides not to pay: the Stripe page is
    closed and the held places released."""
    event, order = _order_or_404(slug, token)
    if order.payment_state != PaymentState.UNPAID:
        abort(409)
    try:
        services.abandon_checkout(order, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        return render_template("payments/cancelled.html", event=event, order=order, problem=error.message,
                               order_token=token, due_minor=services.amount_due(order), order_page=None), 409
    return render_template("payments/abandoned.html", event=event, order=order)


@bp.post("/payments/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    """Stripe's webhook endpoint: signed events only; JSON answers; 2xx once stored."""
    try:
        result = services.handle_webhook(request.get_data(cache=False), request.headers.get("Stripe-Signature"),
                                         now=utcnow())
    except SignatureError:
        db.session.rollback()
        return jsonify(error={"code": "bad_signature", "message": "The Stripe signature does not match."}), 400
    except MalformedEvent as error:
        db.session.rollback()
        log.warning("webhook payload refused: %s", error)
        return jsonify(error={"code": "malformed_event", "message": "The payload is not a readable Stripe event."}), 400
    except GatewayError as error:
        db.session.rollback()
        log.warning("webhook could not reach Stripe: %s", error.message)
        return jsonify(error={"code": "stripe_unavailable", "message": gettext("Try again later.")}), 503
    db.session.commit()
    return jsonify(received=True, event=result.event_id, outcome=result.outcome)


def _receipt_or_404(slug: str, code: str, token: str):
    event = visible_event(slug)
    order = order_for_event(event, code)
    if order is None or not token_matches(order, token) or not has_receipt(order):
        abort(404)
    return receipt_for(order, event)


@bp.route("/e/<slug>/orders/<code>/receipt/<token>")
def receipt(slug: str, code: str, token: str):
    data = _receipt_or_404(slug, code, token)
    pdf_url = url_for("payments.receipt_pdf", slug=slug, code=code, token=token)
    return render_template("payments/receipt.html", receipt=data, event=data.event, order=data.order, pdf_url=pdf_url,
                           back_url=order_url(data.order, data.event))


@bp.route("/e/<slug>/orders/<code>/receipt/<token>.pdf")
def receipt_pdf(slug: str, code: str, token: str):
    return pdf_response(_receipt_or_404(slug, code, token))
