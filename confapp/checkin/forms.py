"""Organiser forms for check-in: lists and volunteer links (shapes and choices only)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form
from .models import ListKind


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ListForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)],
                       description=_l("For example: Main entrance, Workshop on housing rights."))
    kind = RadioField(_l("Kind"), choices=[(k.value, k.label) for k in ListKind], default=ListKind.MAIN.value)
    categories = MultiCheckboxField(_l("Categories admitted"), coerce=int,
                                    description=_l("Leave all unticked to admit every category."))
    program_session_id = SelectField(_l("Programme session"), coerce=int,
                                     description=_l("A per-session list admits the people who signed up, then walk-ins up to the room's capacity."))
    capacity = IntegerField(_l("Walk-in capacity"), validators=[Optional(), NumberRange(min=0)],
                            description=_l("Walk-ins stop when this many people are checked in. Leave empty for no limit."))

    def __init__(self, *args, categories=(), sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories.choices = [(c.id, c.name) for c in categories]
        self.program_session_id.choices = [(0, _l("None (main entrance or a meeting outside the programme)"))] + [
            (s.id, s.title) for s in sessions]


class LinkForm(Form):
    name = StringField(_l("Door or person"), validators=[DataRequired(), Length(max=120)],
                       description=_l("Shown in the audit log and on every check-in made with the link, e.g. Door 2 or Maria."))
    list_id = SelectField(_l("List"), coerce=int)
    valid_from = DateTimeLocalField(_l("Works from"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    valid_until = DateTimeLocalField(_l("Works until"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")

    def __init__(self, *args, lists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.list_id.choices = [(item.id, item.name) for item in lists]
