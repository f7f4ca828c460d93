"""The event types an endpoint can subscribe to, with the organiser's words for them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

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

STATE_LABELS = {
    "pending": _l("Waiting"),
    "sending": _l("Sending"),
    "delivered": _l("Delivered"),
    "failed": _l("Failed"),
}
