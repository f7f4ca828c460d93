"""Organiser forms: refund (full or partial) and record an offline payment. Shapes only;
the limits (never more than was paid, never more than is due) are the services' rules."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError


def to_minor(text: str | None) -> int | None:
    """'12.50' -> 1250 (currencies with cents); None when empty."""
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError("Enter an amount such as 25 or 25.50.") from error
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("Use at most two decimal places.")
    return int(value * 100)


def _amount(form, field):
    try:
        to_minor(field.data)
    except ValueError as error:
        raise ValidationError(str(error)) from error


class RefundForm(FlaskForm):
    full = BooleanField("Refund everything that can be refunded")
    amount = StringField("Amount to refund", validators=[Optional(), _amount],
                         description="Leave empty with the box ticked for a full refund.")
    reason = StringField("Reason (kept in the order history)", validators=[DataRequired(), Length(max=300)])

    def amount_minor(self, refundable: int) -> int | None:
        return refundable if self.full.data else to_minor(self.amount.data)


class MarkPaidForm(FlaskForm):
    method = RadioField("How was it paid?", choices=[("at_door", "At the door"), ("invoice", "Invoice / bank transfer")],
                        validators=[DataRequired()])
    amount = StringField("Amount received", validators=[Optional(), _amount],
                         description="Leave empty when everything due was paid.")
    note = StringField("Note, e.g. invoice number", validators=[Optional(), Length(max=300)])
