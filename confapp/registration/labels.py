"""The words for registration's enums, in the interface's language (lazy: the choices of forms and
segments are built at import time and translated when shown). Keyed by the enums' values."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from ..i18n import known_words

REGISTRATION_STATUS_LABELS = {
    "awaiting_payment": _l("Awaiting payment"),
    "pending_approval": _l("Pending approval"),
    "confirmed": _l("Confirmed"),
    "cancelled": _l("Cancelled"),
    "expired": _l("Expired"),
    "rejected": _l("Rejected"),
}
PAYMENT_STATE_LABELS = {
    "not_required": _l("Not required"), "unpaid": _l("Unpaid"), "paid": _l("Paid"), "waived": _l("Waived"),
    "partially_refunded": _l("Partially refunded"), "refunded": _l("Refunded"),
}
PAYMENT_METHOD_LABELS = {"none": _l("None"), "card": _l("Card"), "at_door": _l("At door"), "invoice": _l("Invoice")}
REFUND_POLICY_LABELS = {"full": _l("Full refund"), "none": _l("No refunds"), "until_date": _l("Full refund until a date")}
VISIBILITY_LABELS = {"public": _l("Public"), "hidden": _l("Hidden")}
QUESTION_KIND_LABELS = {
    "short_text": _l("Short text"), "long_text": _l("Long text"), "single_choice": _l("Single choice"),
    "multiple_choice": _l("Multiple choice"), "checkbox": _l("Checkbox"), "country": _l("Country"),
    "email": _l("Email"), "phone": _l("Phone"),
}
WAITLIST_STATUS_LABELS = {
    "waiting": _l("Waiting"), "offered": _l("Offered"), "claimed": _l("Claimed"), "expired": _l("Expired"),
    "removed": _l("Removed"),
}


# An order's history keeps its notes in English (they are written by jobs and webhooks as well as
# by people); the organiser's page shows the known ones in the interface's language.
_NOTES = {
    "By the attendee": _l("By the attendee"),
    "By the organisers": _l("By the organisers"),
    "Late payment: place re-checked": _l("Late payment: place re-checked"),
    "The payment hold ran out": _l("The payment hold ran out"),
    "Will pay by invoice or bank transfer": _l("Will pay by invoice or bank transfer"),
    "Will pay at the door": _l("Will pay at the door"),
    "Recorded on the order without payment details": _l("Recorded on the order without payment details"),
    "A card payment attempt failed": _l("A card payment attempt failed"),
    **{value.replace("_", " ").capitalize(): label for value, label in REGISTRATION_STATUS_LABELS.items()},
}
_NOTE_PATTERNS = [
    (re.compile(r"^By the attendee; refund (?P<amount>.+)$"), _l("By the attendee; refund %(amount)s")),
    (re.compile(r"^By the organisers; refund (?P<amount>.+)$"), _l("By the organisers; refund %(amount)s")),
    (re.compile(r"^Refund (?P<amount>.+) failed$"), _l("Refund %(amount)s failed")),
    (re.compile(r"^Refund (?P<amount>.+)$"), _l("Refund %(amount)s")),
    (re.compile(r"^Part payment (?P<amount>.+)$"), _l("Part payment %(amount)s")),
    (re.compile(r"^Paid (?P<amount>.+) by card$"), _l("Paid %(amount)s by card")),
    (re.compile(r"^Refunded (?P<amount>.+) in Stripe$"), _l("Refunded %(amount)s in Stripe")),
    # A late card payment given back (payments/webhooks.py), one sentence per reason.
    (re.compile(r"^Received (?P<amount>.+) by card; refunded \(sold out\)$"),
     _l("Received %(amount)s by card; refunded (no place left)")),
    (re.compile(r"^Received (?P<amount>.+) by card; refunded \(order closed\)$"),
     _l("Received %(amount)s by card; refunded (the order was closed)")),
    (re.compile(r"^Received (?P<amount>.+) by card; refunded \(duplicate\)$"),
     _l("Received %(amount)s by card; refunded (already paid)")),
]


def history_note(note: str) -> str:
    """A stored history note in the interface's language when it is one the code writes; any
    other text (an organiser's reason, a language code) as it is."""
    if not note:
        return ""
    words = known_words(note, _NOTES, _NOTE_PATTERNS)
    return note if words is None else words
