"""The event types an endpoint can subscribe to, with the organiser's words for them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l, pgettext

EVENT_TYPES = {
    "registration.created": _l("A registration is made"),
    "registration.updated": _l("A registration's details change"),
    "registration.cancelled": _l("A registration is cancelled"),
    "order.paid": _l("An order is paid"),
    "order.refunded": _l("Money is refunded"),
    "checkin.created": _l("Someone is checked in"),
    "checkin.undone": _l("A check-in is undone"),
    "session.published": _l("A session is published"),
    "session.updated": _l("A published session changes"),
    "session.cancelled": _l("A published session is cancelled"),
    "waitlist.offered": _l("Someone on the waiting list is offered a place"),
    "message.sent": _l("An announcement starts going out"),
    "report.published": _l("The summary report is published"),
}

def state_labels() -> dict[str, str]:
    """One delivery's state in the request's language, with its own context so Spanish agrees with
    "la entrega" (Entregada, Fallida); the list's count headings use "number of webhook deliveries"
    (Entregadas, Fallidas). A function, not lazy strings: `make messages` extracts pgettext but not
    lazy_pgettext."""
    return {
        "pending": pgettext("webhook delivery state", "Waiting"),
        "sending": pgettext("webhook delivery state", "Sending"),
        "delivered": pgettext("webhook delivery state", "Delivered"),
        "failed": pgettext("webhook delivery state", "Failed"),
    }
