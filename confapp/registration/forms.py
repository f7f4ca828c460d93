"""Forms. The public registration form's shape depends on the event (categories, quantity,
questions), so its fields are read by `parse_order_form` and checked by the services, which
name their errors after these same fields; Flask-WTF supplies the CSRF check."""
from __future__ import annotations


from babel.numbers import get_currency_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField, DateTimeLocalField, EmailField, IntegerField, SelectField, SelectMultipleField,
    StringField, TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from .. import money
from ..errors import ValidationFailed
from ..i18n import DEFAULT_LANGUAGE, current_language
from ..forms import Form
from .labels import QUESTION_KIND_LABELS, REFUND_POLICY_LABELS
from .models import DiscountKind, PlaceKind, PriceKind, QuestionKind, RefundPolicy, Visibility
from .quoting import MAX_PLACES_PER_ORDER, AttendeeData, CategoryChoice, OrderRequest


class CsrfForm(Form):
    """CSRF only: the registration steps' fields are parsed by parse_order_form."""


def parse_money(text: str, currency: str = "USD") -> int | None:
    """'25', '25.5', '$1,000.00' -> minor units of `currency` (its own number of decimals);
    '' -> None; ValueError, with the message to show, if not an amount of zero or more."""
    value = money.parse_money(text, currency)
    if value is not None and value < 0:
        raise ValueError(gettext("Enter an amount like %(example)s.", example=money.example(currency)))
    return value


def parse_choices(form: MultiDict, categories) -> tuple[list[CategoryChoice], dict[str, str]]:
    """Each category's quantity and pay-what-you-can amount. No quantity passes above what any
    order may hold (MAX_PLACES_PER_ORDER), and neither does their sum, so nothing later builds a
    place per number typed."""
    choices, errors = [], {}
    for category in categories:
        raw = (form.get(f"quantity_{category.id}") or "0").strip()
        try:
            quantity = int(raw) if len(raw) <= 6 else None
        except ValueError:
            quantity = None
        if quantity is None:
            errors[f"quantity_{category.id}"] = gettext("Choose a number of places.")
            continue
        if quantity > MAX_PLACES_PER_ORDER:
            errors[f"quantity_{category.id}"] = gettext("One order can hold at most %(limit)s people.", limit=MAX_PLACES_PER_ORDER)
            continue
        if quantity <= 0:
            continue
        amount = None
        if category.price_kind == PriceKind.PAY_WHAT_YOU_CAN:
            try:
                amount = parse_money(form.get(f"amount_{category.id}", ""), category.currency)
            except ValueError as error:
                errors[f"amount_{category.id}"] = str(error)
        choices.append(CategoryChoice(category.id, quantity, amount))
    if sum(c.quantity for c in choices) > MAX_PLACES_PER_ORDER:
        errors["quantity"] = gettext("One order can hold at most %(limit)s people.", limit=MAX_PLACES_PER_ORDER)
    return choices, errors


def attendee_prefix(index: int) -> str:
    """The field-name prefix of the `index`-th person's fields; the services name their errors with it."""
    return f"attendees-{index}-"


def parse_answers(form: MultiDict, prefix: str, questions) -> dict[int, object]:
    """One person's raw answers, read from the fields `question_field` draws (`<prefix>q_<id>`):
    a list for multiple choice, a string otherwise. The services check them (clean_answers)."""
    answers: dict[int, object] = {}
    for question in questions:
        name = f"{prefix}q_{question.id}"
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            answers[question.id] = form.getlist(name)
        else:
            answers[question.id] = form.get(name, "")
    return answers


def parse_attendees(form: MultiDict, count: int, questions) -> list[AttendeeData]:
    attendees = []
    for i in range(count):
        prefix = attendee_prefix(i)
        attendees.append(AttendeeData(form.get(prefix + "first_name", "").strip(), form.get(prefix + "last_name", "").strip(),
                                      form.get(prefix + "email", "").strip(), parse_answers(form, prefix, questions)))
    return attendees


def parse_order_form(form: MultiDict, categories, questions, *, with_attendees: bool, ip: str = "",
                     language: str | None = None) -> OrderRequest:
    """Build an OrderRequest from the posted fields (`language`: the page's, for the order's emails).
    Raises ValidationFailed for values that are not even numbers."""
    choices, errors = parse_choices(form, categories)
    if errors:
        raise ValidationFailed(errors)
    count = sum(c.quantity for c in choices)
    # Buyer fields count only when the buyer ticks "I am not attending myself".
    buyer_separate = with_attendees and form.get("buyer_separate") in ("y", "on", "1", "yes")
    return OrderRequest(
        choices=choices,
        attendees=parse_attendees(form, count, questions) if with_attendees else [],
        buyer_name=form.get("buyer_name", "").strip()[:200] if buyer_separate else "",
        buyer_email=form.get("buyer_email", "").strip() if buyer_separate else "",
        buyer_separate=buyer_separate,
        discount_code=form.get("discount_code", "").strip(),
        access_code=form.get("access_code", "").strip(),
        waiver_requested=form.get("waiver_requested") in ("y", "on", "1", "yes"),
        waiver_reason=form.get("waiver_reason", "").strip(),
        payment_method=form.get("payment_method") or None,
        idempotency_key=(form.get("form_token") or None),
        ip_address=ip,
        waitlist_token=form.get("offer") or None,
        language=language,
    )


class WaitlistForm(Form):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)], render_kw={"autocomplete": "email"})
    category_id = SelectField(_l("Category you want"), coerce=int, choices=[], validate_choice=True)
    website = StringField(_l("Leave this empty"), validators=[Optional()])


class CancelForm(Form):
    confirm = BooleanField(_l("Yes, cancel my registration"), validators=[DataRequired(message=_l("Tick the box to confirm."))])


class TicketLanguageForm(Form):
    """The attendee's language on their ticket page; the view fills the choices (confapp.i18n.LANGUAGES)."""
    language = SelectField(_l("Language for your emails"), validators=[DataRequired(message=_l("Choose a language."))])


class ApprovalForm(Form):
    message = TextAreaField(_l("Message to the attendee (optional)"), validators=[Optional(), Length(max=2000)])


class OrganiserCancelForm(Form):
    refund = SelectField(_l("Refund"), choices=[("policy", _l("As the refund policy allows")), ("full", _l("Full refund of what was paid")),
                                                ("none", _l("No refund"))], default="policy")
    reason = StringField(_l("Reason (sent to nobody; kept in the history)"), validators=[Optional(), Length(max=200)])


class CategoryForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    price_kind = SelectField(_l("Price"), choices=[(PriceKind.FREE.value, _l("Free")), (PriceKind.FIXED.value, _l("Fixed fee")),
                                                   (PriceKind.PAY_WHAT_YOU_CAN.value, _l("Pay what you can"))])
    price = StringField(_l("Fee"), validators=[Optional()], description=_l("For a fixed fee, e.g. %(example)s", example="150.00"))
    minimum = StringField(_l("Minimum"), validators=[Optional()], description=_l("Pay what you can: the least one may pay (0 for none)."))
    suggested = StringField(_l("Suggested amount"), validators=[Optional()])
    maximum = StringField(_l("Maximum (optional)"), validators=[Optional()])
    capacity = IntegerField(_l("Places (optional)"), validators=[Optional(), NumberRange(min=0)], description=_l("Leave empty for no limit beyond the event's."))
    sales_start = DateTimeLocalField(_l("Sales start (optional)"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    sales_end = DateTimeLocalField(_l("Sales end (optional)"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    visibility = SelectField(_l("Visibility"), choices=[(Visibility.PUBLIC.value, _l("Public")),
                                                        (Visibility.HIDDEN.value, _l("Hidden: needs an access code"))])
    allows_waiver = BooleanField(_l("Offer a fee waiver request (goes to approval)"))
    requires_approval = BooleanField(_l("Organisers approve each registration"))
    is_active = BooleanField(_l("On sale"), default=True)
    position = IntegerField(_l("Order in the list"), default=0, validators=[Optional()])
    attendance_mode = SelectField(_l("Kind of place"), default=PlaceKind.IN_PERSON.value, choices=[
        (PlaceKind.IN_PERSON.value, _l("In person")), (PlaceKind.ONLINE.value, _l("Online"))],
        description=_l("Online places do not count against the venue's capacity. A hybrid event has categories of both kinds."))

    def __init__(self, *args, currency: str = "USD", **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("price", "minimum", "suggested", "maximum"):
            field = getattr(self, name)
            field.label.text = f"{field.label.text} ({currency})"
        self.price.description = gettext("For a fixed fee, e.g. %(example)s",
                                         example=money.plain(150 * 10 ** money.exponent(currency), currency))


class QuestionForm(Form):
    label = StringField(_l("Question"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(_l("Kind of answer"), choices=[(k.value, QUESTION_KIND_LABELS[k.value]) for k in QuestionKind])
    help_text = StringField(_l("Help text"), validators=[Optional(), Length(max=500)])
    options = TextAreaField(_l("Options (one per line)"), validators=[Optional()], description=_l("For single and multiple choice."))
    required = BooleanField(_l("Required"))
    is_personal = BooleanField(_l("Personal data (deleted by the retention purge)"), default=True)
    condition_question_id = SelectField(_l("Show only if another answer…"), coerce=int, choices=[], validate_choice=True)
    condition_value = StringField(_l("…is (or includes)"), validators=[Optional(), Length(max=300)])
    position = IntegerField(_l("Order in the form"), default=0, validators=[Optional()])


class DiscountCodeForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    kind = SelectField(_l("Kind"), choices=[(DiscountKind.PERCENT.value, _l("Percentage")), (DiscountKind.FIXED.value, _l("Fixed amount"))])
    percent = IntegerField(_l("Percent off"), validators=[Optional(), NumberRange(min=0, max=100)])
    amount = StringField(_l("Amount off per person"), validators=[Optional()])

    def __init__(self, *args, currency: str = "USD", **kwargs):
        super().__init__(*args, **kwargs)
        self.amount.label.text = f"{self.amount.label.text} ({currency})"
    category_ids = SelectMultipleField(_l("Only for these categories (none = all)"), coerce=int, choices=[])
    usage_limit = IntegerField(_l("Usage limit (orders)"), validators=[Optional(), NumberRange(min=1)])
    valid_from = DateTimeLocalField(_l("Valid from"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    valid_until = DateTimeLocalField(_l("Valid until"), validators=[Optional()], format="%Y-%m-%dT%H:%M")


class AccessCodeForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    category_ids = SelectMultipleField(_l("Unlocks these categories (none = all hidden ones)"), coerce=int, choices=[])
    usage_limit = IntegerField(_l("Usage limit (orders)"), validators=[Optional(), NumberRange(min=1)])
    valid_until = DateTimeLocalField(_l("Valid until"), validators=[Optional()], format="%Y-%m-%dT%H:%M")


class SettingsForm(Form):
    hold_minutes = IntegerField(_l("Minutes a card payment holds the places"), validators=[DataRequired(), NumberRange(min=5, max=1440)])
    allow_multiple_per_email = BooleanField(_l("Allow more than one registration per email address"))
    max_per_order = IntegerField(_l("Most people in one order"), validators=[DataRequired(), NumberRange(min=1, max=MAX_PLACES_PER_ORDER)])
    currency = SelectField(_l("Currency"), choices=list(money.CURRENCIES),
                           description=_l("Categories and fixed discounts follow it, amounts kept as typed. "
                                          "It cannot change once people have been asked to pay."))
    refund_policy = SelectField(_l("Refund when an attendee cancels"), choices=[(p.value, REFUND_POLICY_LABELS[p.value]) for p in RefundPolicy])
    refund_until = DateTimeLocalField(_l("Refunds until"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    waitlist_enabled = BooleanField(_l("Offer a waitlist when full"))
    offer_hours = IntegerField(_l("Hours a waitlist offer (or an approval's payment link) stays open"), validators=[DataRequired(), NumberRange(min=1, max=720)])
    card_enabled = BooleanField(_l("Card payment online"))
    at_door_enabled = BooleanField(_l("Pay at the door"))
    invoice_enabled = BooleanField(_l("Invoice / bank transfer"))
    confirmation_note = TextAreaField(_l("Note added to confirmation emails"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The currencies by their names in the interface's language (CLDR, through Babel).
        language = current_language()
        if language != DEFAULT_LANGUAGE:
            self.currency.choices = [(code, _capitalised(get_currency_name(code, locale=language)))
                                     for code, _name in money.CURRENCIES]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


class ManualAddForm(Form):
    category_id = SelectField(_l("Category"), coerce=int, choices=[], validate_choice=True)
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=120)])
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    payment_method = SelectField(_l("Payment"), choices=[("none", _l("Nothing to pay / complimentary")), ("at_door", _l("Pays at the door")),
                                                         ("invoice", _l("Invoice / bank transfer"))])
    send_email = BooleanField(_l("Email the confirmation"), default=True)


class EditRegistrationForm(Form):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=120)])
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
