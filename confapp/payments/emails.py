"""Payment emails: the apology for a payment refunded because no place was left, and the
notice of a refund made by the organisers. Rendered now, in the language the order was placed
in (they go to its buyer), sent after commit."""
from __future__ import annotations

from flask_babel import gettext

from ..events.content_languages import tr
from ..extensions import db
from ..i18n import in_language
from ..outreach.event_mail import buyer_of, send_event_email
from ..registration.models import Order


def _event(order: Order):
    from ..events.models import Event

    return db.session.get(Event, order.event_id)


def _receipt_link(order: Order, event) -> str | None:
    from .links import receipt_url

    return receipt_url(order, event)


def send_late_payment_refund(order: Order, amount_minor: int, *, reason: str) -> None:
    """Sorry: your payment arrived but we could not give you a place; it is refunded in full."""
    event = _event(order)
    recipient, name = buyer_of(order)
    with in_language(order.language):
        send_event_email(
            event, order.buyer_email, gettext("Your payment for %(event)s has been refunded", event=tr(event, "title")),
            "payments_late_refund", recipient=recipient, recipient_name=name, order=order, amount_minor=amount_minor,
            reason=reason, reply_to=event.contact_email or None,
        )


def send_refund_notice(order: Order, amount_minor: int) -> None:
    event = _event(order)
    recipient, name = buyer_of(order)
    with in_language(order.language):
        send_event_email(
            event, order.buyer_email, gettext("Refund for your registration to %(event)s", event=tr(event, "title")),
            "payments_refund", recipient=recipient, recipient_name=name, order=order, amount_minor=amount_minor,
            receipt_link=_receipt_link(order, event), reply_to=event.contact_email or None,
        )
