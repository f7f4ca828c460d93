"""Organiser forms for online attendance (shapes and choices only; the rules are in services)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..events.models import AttendanceMode
from ..forms import Form
from ..program.models import SessionDelivery
from ..registration.models import PlaceKind

MODE_LABELS = {
    AttendanceMode.IN_PERSON: _l("In person"),
    AttendanceMode.ONLINE: _l("Online"),
    AttendanceMode.HYBRID: _l("Hybrid (in person and online)"),
}
PLACE_LABELS = {PlaceKind.IN_PERSON: _l("In-person places"), PlaceKind.ONLINE: _l("Online places")}
DELIVERY_LABELS = {
    SessionDelivery.ROOM: _l("In the room only"),
    SessionDelivery.STREAMED: _l("In the room and streamed"),
    SessionDelivery.ONLINE: _l("Online only"),
}
AS_EVENT = ""


class ModesForm(Form):
    mode = SelectField(_l("How people take part"), choices=[(m.value, label) for m, label in MODE_LABELS.items()])


def modes_form(event, *, categories, sessions, **kwargs) -> ModesForm:
    """The event's mode, plus one select per category (`category_<id>`) and per session
    (`session_<id>`) built from the event's own rows."""

    class EventModesForm(ModesForm):
        pass

    for category in categories:
        setattr(EventModesForm, f"category_{category.id}", SelectField(
            category.name, choices=[(k.value, label) for k, label in PLACE_LABELS.items()],
            default=category.attendance_mode.value))
    for session in sessions:
        setattr(EventModesForm, f"session_{session.id}", SelectField(
            session.title, choices=[(AS_EVENT, _l("As the event"))] + [(d.value, label) for d, label in DELIVERY_LABELS.items()],
            default=session.delivery.value if session.delivery else AS_EVENT))
    form = EventModesForm(mode=event.attendance_mode.value, **kwargs)
    form.category_fields = [(c, form[f"category_{c.id}"]) for c in categories]
    form.session_fields = [(s, form[f"session_{s.id}"]) for s in sessions]
    return form


class JoinDetailsForm(Form):
    meeting_url = StringField(_l("Meeting address"), validators=[DataRequired(), Length(max=500)],
                              description=_l("The link to the Zoom, Jitsi or BigBlueButton meeting, or to the livestream page."))
    dial_in_numbers = TextAreaField(_l("Dial-in numbers"), validators=[Optional(), Length(max=2000)],
                                    description=_l("One number per line, for people who join by phone. Optional."))
    access_code = StringField(_l("Access code"), validators=[Optional(), Length(max=100)],
                              description=_l("The meeting ID or passcode asked for on the phone. Optional."))
    instructions = TextAreaField(_l("Instructions"), validators=[Optional(), Length(max=5000)],
                                 description=_l("What attendees should know before joining (captions, interpretation channels, muting)."))
    # InputRequired, not DataRequired: 0 (shown from the start) is an answer.
    reveal_minutes = IntegerField(_l("Show from (minutes before the start)"), default=30,
                                  validators=[InputRequired(message=_l("Enter a number of minutes.")), NumberRange(min=0, max=10080)])
    in_person_may_join = BooleanField(_l("People with in-person places may use the link too"))


class MarkAttendedForm(Form):
    registration_id = IntegerField(_l("Attendee"), validators=[DataRequired()])
    target = SelectField(_l("Session"))

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.target.choices = [(str(t.session_id or 0), t.session.title if t.session else _l("The event"))
                               for t in targets]


class FollowUpLinksForm(Form):
    recording_url = StringField(_l("Recording"), validators=[Optional(), Length(max=500)],
                                description=_l("The address of the recording (a video page or a file). Optional."))
    materials = TextAreaField(_l("Materials"), validators=[Optional(), Length(max=5000)],
                              description=_l("One link per line; put a title and | before it if you like: Slides | https://…"))
    visibility = RadioField(_l("Who sees these links"), default="registered", choices=[
        ("registered", _l("Registered attendees, on their ticket page")),
        ("public", _l("Everyone, on the event's public pages")),
    ])


class FollowUpEmailForm(Form):
    audience = RadioField(_l("Send to"), default="registered", choices=[
        ("registered", _l("Everyone registered (confirmed)")),
        ("attended", _l("Only those who attended, in person or online")),
    ])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=20000)],
                         description=_l("Markdown, with merge fields such as {{ first_name }}. The links are filled in for you."))
