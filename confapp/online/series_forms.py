"""Forms of webcast series: the organiser's recurrence rule and the public "every edition" registration."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import Form
from .recurrence import parse_dates

WEEKDAYS = [(0, _l("Monday")), (1, _l("Tuesday")), (2, _l("Wednesday")), (3, _l("Thursday")), (4, _l("Friday")),
            (5, _l("Saturday")), (6, _l("Sunday"))]
ORDINALS = [(1, _l("First")), (2, _l("Second")), (3, _l("Third")), (4, _l("Fourth")), (-1, _l("Last"))]


def _dates(form, field) -> None:
    try:
        field.parsed = parse_dates(field.data or "")
    except ValueError:
        raise ValidationError(_l("Write one date a line as YYYY-MM-DD, such as 2027-07-06.")) from None


class SeriesRuleForm(Form):
    template_event_id = SelectField(_l("Template edition"), coerce=int, validate_choice=True,
                                    description=_l("Each new edition copies this one: categories, questions, join details, reminders."))
    frequency = RadioField(_l("Repeats"), default="monthly",
                           choices=[("monthly", _l("Monthly")), ("weekly", _l("Weekly"))])
    ordinal = SelectField(_l("Week of the month"), coerce=int, choices=ORDINALS, default=1,
                          description=_l("For monthly webcasts: first Tuesday, last Thursday..."))
    weekday = SelectField(_l("Day of the week"), coerce=int, choices=WEEKDAYS, default=1)
    interval = IntegerField(_l("Every how many weeks or months"), default=1,
                            validators=[InputRequired(), NumberRange(min=1, max=12)])
    at_time = StringField(_l("Start time"), default="19:00", validators=[DataRequired(), Length(max=5)],
                          description=_l("24-hour local time, such as 19:00."))
    timezone = StringField(_l("Time zone"), default="America/New_York", validators=[DataRequired(), Length(max=64)],
                           description=_l("The start time stays the same local time when the clocks change."))
    duration_minutes = IntegerField(_l("Length in minutes"), default=60,
                                    validators=[InputRequired(), NumberRange(min=5, max=1440)])
    starts_on = DateField(_l("First possible date"), validators=[InputRequired()])
    until = DateField(_l("Last possible date"), validators=[Optional()], description=_l("Optional."))
    count = IntegerField(_l("Number of editions"), validators=[Optional(), NumberRange(min=1, max=500)],
                         description=_l("Optional; skipped dates count too."))
    exceptions = TextAreaField(_l("Dates to skip"), validators=[Optional(), _dates],
                               description=_l("One date a line, such as 2027-07-06 (a holiday)."))


class CreateEditionsForm(Form):
    ahead = IntegerField(_l("How many upcoming dates"), default=3, validators=[InputRequired(), NumberRange(min=1, max=12)])


class SubscribeForm(Form):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)],
                             render_kw={"autocomplete": "given-name"})
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=100)],
                            render_kw={"autocomplete": "family-name"})
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)], render_kw={"autocomplete": "email"})
    category = SelectField(_l("Place"), validate_choice=True)
