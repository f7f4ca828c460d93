"""Organiser forms: refund (full or partial) and record an offline payment. Shapes only;
the limits (never more than was paid, never more than is due) are the services' rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import Form
from ..money import parse_money


def to_minor(text: str | None, currency: str = "USD") -> int | None:
    """'12.50' -> 1250 in USD, '1000' -> 1000 in JPY, '1.5' -> 1500 in KWD; None when empty.
    ValueError (with the message to show) for text that is not an amount of that currency."""
    return parse_money(text, currency)


class _AmountForm(Form):
    """The amount field is read in the order's currency (`currency=` when the form is made)."""

    def __init__(self, *args, currency: str = "USD", **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency

    def validate_amount(self, field):
        try:
            to_minor(field.data, self.currency)
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def amount_value(self) -> int | None:
        return to_minor(self.amount.data, self.currency)


class RefundForm(_AmountForm):
    full = BooleanField(_l("Refund everything that can be refunded"))
    amount = StringField(_l("Amount to refund"), validators=[Optional()],
                         description=_l("Leave empty with the box ticked for a full refund."))
    reason = StringField(_l("Reason (kept in the order history)"), validators=[DataRequired(), Length(max=300)])

    def amount_minor(self, refundable: int) -> int | None:
        return refundable if self.full.data else self.amount_value()


class MarkPaidForm(_AmountForm):
    method = RadioField(_l("How was it paid?"), choices=[("at_door", _l("At the door")), ("invoice", _l("Invoice / bank transfer"))],
                        validators=[DataRequired()])
    amount = StringField(_l("Amount received"), validators=[Optional()],
                         description=_l("Leave empty when everything due was paid."))
    note = StringField(_l("Note, e.g. invoice number"), validators=[Optional(), Length(max=300)])
