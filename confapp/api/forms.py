"""The organiser's API token form (shapes and choices only; the rules are in api/tokens.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..checkin.forms import MultiCheckboxField
from ..forms import Form
from .models import Scope

SCOPE_LABELS = {
    Scope.EVENTS_READ: _l("Events: read"),
    Scope.EVENTS_WRITE: _l("Events: write"),
    Scope.REGISTRATIONS_READ: _l("Registrations: read"),
    Scope.REGISTRATIONS_WRITE: _l("Registrations: write"),
    Scope.CHECKIN_READ: _l("Check-in: read"),
    Scope.CHECKIN_WRITE: _l("Check-in: write"),
    Scope.WEBHOOKS_READ: _l("Webhooks: read"),
    Scope.WEBHOOKS_WRITE: _l("Webhooks: write"),
    Scope.PROGRAMME_READ: _l("Programme: read (drafts too)"),
    Scope.PROGRAMME_WRITE: _l("Programme: write"),
    Scope.OUTREACH_READ: _l("Emails: read delivery counts"),
    Scope.OUTREACH_WRITE: _l("Emails: write drafts"),
    Scope.OUTREACH_SEND: _l("Emails: send"),
    Scope.REPORTS_READ: _l("Reports: live figures"),
    Scope.REGISTRATIONS_PUBLIC: _l("Partner site: sell places under the public form's rules, read back its own orders"),
}


class TokenForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)],
                       description=_l("The integration that will use it, e.g. CRM sync. Shown in the audit log."))
    scopes = MultiCheckboxField(_l("Permissions"), choices=[(s.value, label) for s, label in SCOPE_LABELS.items()],
                                description=_l("A token never does more than you may do yourself."))
    expires_on = DateField(_l("Expires after"), validators=[Optional()],
                           description=_l("Optional: the last day the token works, in the event's time zone."))
