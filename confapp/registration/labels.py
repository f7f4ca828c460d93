"""The words for registration's enums, in the interface's language (lazy: the choices of forms and
segments are built at import time and translated when shown). Keyed by the enums' values."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
