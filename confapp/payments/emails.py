"""Payment emails: the apology for a payment refunded because no place was left, and the
notice of a refund made by the organisers. Rendered now, sent after commit."""
from __future__ import annotations

from ..extensions import db
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
    send_event_email(
        event, order.buyer_email, f"Your payment for {event.title} has been refunded", "payments_late_refund",
        recipient=recipient, recipient_name=name, order=order, amount_minor=amount_minor, reason=reason,
        reply_to=event.contact_email or None,
    )


def send_refund_notice(order: Order, amount_minor: int) -> None:
    event = _event(order)
    recipient, name = buyer_of(order)
    send_event_email(
        event, order.buyer_email, f"Refund for your registration to {event.title}", "payments_refund",
        recipient=recipient, recipient_name=name, order=order, amount_minor=amount_minor, receipt_link=_receipt_link(order, event),
        reply_to=event.contact_email or None,
    )
