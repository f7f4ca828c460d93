"""Organiser forms for check-in: lists and volunteer links (shapes and choices only)."""
from __future__ import annotations

from wtforms import DateTimeLocalField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form
from .models import ListKind


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ListForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)],
                       description="For example: Main entrance, Workshop on housing rights.")
    kind = RadioField("Kind", choices=[(k.value, k.label) for k in ListKind], default=ListKind.MAIN.value)
    categories = MultiCheckboxField("Categories admitted", coerce=int,
                                    description="Leave all unticked to admit every category.")
    program_session_id = SelectField("Programme session", coerce=int,
                                     description="A per-session list admits the people who signed up, then walk-ins up to the room's capacity.")
    capacity = IntegerField("Walk-in capacity", validators=[Optional(), NumberRange(min=0)],
                            description="Walk-ins stop when this many people are checked in. Leave empty for no limit.")

    def __init__(self, *args, categories=(), sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories.choices = [(c.id, c.name) for c in categories]
        self.program_session_id.choices = [(0, "None (main entrance or a meeting outside the programme)")] + [
            (s.id, s.title) for s in sessions]


class LinkForm(Form):
    name = StringField("Door or person", validators=[DataRequired(), Length(max=120)],
                       description="Shown in the audit log and on every check-in made with the link, e.g. Door 2 or Maria.")
    list_id = SelectField("List", coerce=int)
    valid_from = DateTimeLocalField("Works from", validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    valid_until = DateTimeLocalField("Works until", validators=[DataRequired()], format="%Y-%m-%dT%H:%M")

    def __init__(self, *args, lists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.list_id.choices = [(item.id, item.name) for item in lists]
