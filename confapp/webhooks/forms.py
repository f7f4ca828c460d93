"""The organiser's webhook endpoint form (shapes and choices only; the rules are in services.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form
from .catalogue import EVENT_TYPES


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EndpointForm(Form):
    url = StringField(_l("URL"), validators=[DataRequired(), Length(max=2000)],
                      description=_l("Where confapp sends a signed POST request for each event, e.g. "
                                     "https://crm.example.org/hooks/confapp."))
    description = StringField(_l("Description"), validators=[Length(max=200)],
                              description=_l("Optional: what receives them, e.g. CRM sync."))
    event_types = MultiCheckboxField(_l("Events to send"), choices=[(t, label) for t, label in EVENT_TYPES.items()])
