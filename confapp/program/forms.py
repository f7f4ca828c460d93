"""Programme forms: field shapes and choices only; the services own the rules."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (BooleanField, EmailField, IntegerField, SelectField, StringField, TextAreaField,
                     TimeField)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from ..forms import Form
from ..templating import format_day
from .models import SESSION_KIND_LABELS, SPEAKER_ROLE_LABELS, SessionKind, SpeakerRole
from .services import RoomData, SessionData, TrackData
from .speakers import SpeakerData


def _optional_int(value):
    if value in (None, "", "None", "0", 0):
        return None
    return int(value)


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SessionForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the session a title.")), Length(max=250)])
    kind = SelectField(_l("Type"), choices=[(k.value, SESSION_KIND_LABELS[k]) for k in SessionKind], default=SessionKind.PANEL.value,
                       description=_l("Without an end time, the type's usual length is used: plenary 60 min, panel 75, "
                                      "workshop 90, roundtable 60, break 15, social 90."))
    day = SelectField(_l("Day"), choices=[], validate_choice=True)
    starts = TimeField(_l("Starts"), validators=[Optional()], description=_l("Local time at the event, 24-hour clock."))
    ends = TimeField(_l("Ends"), validators=[Optional()], description=_l("Leave empty for the type's usual length."))
    room_id = SelectField(_l("Room"), coerce=_optional_int, choices=[], validate_choice=True)
    track_id = SelectField(_l("Track"), coerce=_optional_int, choices=[], validate_choice=True)
    description = TextAreaField(_l("Description"), validators=[Optional()],
                                description=_l("Markdown: **bold**, *italic*, [links](https://…), lists."))
    language = StringField(_l("Language"), validators=[Optional(), Length(max=80)], default="English")
    interpretation = StringField(_l("Interpretation"), validators=[Optional(), Length(max=300)],
                                 description=_l("For example: Spanish interpretation by headset; ASL."))
    accessibility = TextAreaField(_l("Accessibility notes"), validators=[Optional()])
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=0)],
                            description=_l("Workshops with a capacity take sign-ups. Leave empty for no limit."))

    def __init__(self, *args, event, rooms, tracks, **kwargs):
        super().__init__(*args, **kwargs)
        from .queries import event_days

        self.event = event
        self.day.choices = [("", _l("Not scheduled yet"))] + [
            (d.isoformat(), format_day(d, "%A %-d %B %Y")) for d in event_days(event)]
        self.room_id.choices = [(None, _l("No room"))] + [(r.id, r.name) for r in rooms]
        self.track_id.choices = [(None, _l("No track"))] + [(t.id, t.name) for t in tracks]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.day.data and not self.starts.data:
            self.starts.errors = list(self.starts.errors) + [_l("Give a start time for the chosen day.")]
            ok = False
        if self.ends.data and not self.day.data:
            self.day.errors = list(self.day.errors) + [_l("Choose a day for the session.")]
            ok = False
        return ok

    def load(self, session) -> None:
        tz = self.event.tz
        self.title.data, self.kind.data = session.title, session.kind.value
        self.room_id.data, self.track_id.data = session.room_id, session.track_id
        self.description.data, self.language.data = session.description, session.language
        self.interpretation.data, self.accessibility.data = session.interpretation, session.accessibility
        self.capacity.data = session.capacity
        if session.starts_at:
            start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
            self.day.data, self.starts.data, self.ends.data = start.date().isoformat(), start.time(), end.time()

    def to_data(self) -> SessionData:
        tz = self.event.tz
        starts_at = ends_at = None
        if self.day.data and self.starts.data:
            day = datetime.fromisoformat(self.day.data).date()
            starts_at = datetime.combine(day, self.starts.data, tz)
            if self.ends.data:
                ends_at = datetime.combine(day, self.ends.data, tz)
        return SessionData(
            title=self.title.data or "", kind=SessionKind(self.kind.data), starts_at=starts_at, ends_at=ends_at,
            room_id=self.room_id.data, track_id=self.track_id.data, description=self.description.data or "",
            language=self.language.data or "", interpretation=self.interpretation.data or "",
            accessibility=self.accessibility.data or "", capacity=self.capacity.data,
        )


class PublishForm(Form):
    acknowledge = BooleanField(_l("I have reviewed the timetable warnings; publish anyway"))


class RoomForm(Form):
    name = StringField(_l("Room name"), validators=[DataRequired(message=_l("Give the room a name.")), Length(max=120)])
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=0)])
    accessibility = TextAreaField(_l("Accessibility notes"), validators=[Optional()],
                                  description=_l("Step-free access, hearing loop, nearest accessible restroom…"))
    available_from = TimeField(_l("Available from"), validators=[Optional()], description=_l("Daily, local time. Leave empty if always available."))
    available_until = TimeField(_l("Available until"), validators=[Optional()])
    position = IntegerField(_l("Order in the list"), validators=[Optional()], default=0)

    def load(self, room) -> None:
        for name in ("name", "capacity", "accessibility", "available_from", "available_until", "position"):
            getattr(self, name).data = getattr(room, name)

    def to_data(self) -> RoomData:
        return RoomData(name=self.name.data or "", capacity=self.capacity.data, accessibility=self.accessibility.data or "",
                        available_from=self.available_from.data, available_until=self.available_until.data,
                        position=self.position.data or 0)


class TrackForm(Form):
    name = StringField(_l("Track name"), validators=[DataRequired(message=_l("Give the track a name.")), Length(max=120)])
    colour = StringField(_l("Colour"), validators=[DataRequired(), Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Give the colour as #rrggbb."))],
                         default="#1d4e89", description=_l("A colour like #1d4e89; the label text is chosen to stay readable."))
    position = IntegerField(_l("Order in the list"), validators=[Optional()], default=0)

    def load(self, track) -> None:
        self.name.data, self.colour.data, self.position.data = track.name, track.colour, track.position

    def to_data(self) -> TrackData:
        return TrackData(name=self.name.data or "", colour=(self.colour.data or "").lower(), position=self.position.data or 0)


class SpeakerProfileForm(Form):
    """What a speaker edits about themselves (organisers also get the email field)."""

    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Give the speaker's name.")), Length(max=200)])
    pronouns = StringField(_l("Pronouns"), validators=[Optional(), Length(max=60)], description=_l("For example: she/her, they/them."))
    affiliation = StringField(_l("Organisation or affiliation"), validators=[Optional(), Length(max=200)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    bio = TextAreaField(_l("Short bio"), validators=[Optional(), Length(max=2000)], description=_l("Up to 2,000 characters."))
    links = TextAreaField(_l("Links"), validators=[Optional()], description=_l("One web address per line, up to five."))
    photo = FileField(_l("Photo"), description=_l("JPEG, PNG or WebP, up to 5 MB. It is resized to 600 pixels."))

    def load(self, speaker) -> None:
        for name in ("name", "pronouns", "affiliation", "city", "bio"):
            getattr(self, name).data = getattr(speaker, name)
        self.links.data = "\n".join(speaker.links or [])

    def to_data(self, email: str = "") -> SpeakerData:
        return SpeakerData(name=self.name.data or "", email=email, pronouns=self.pronouns.data or "",
                           affiliation=self.affiliation.data or "", city=self.city.data or "",
                           bio=self.bio.data or "", links=lines(self.links.data))


class SpeakerForm(SpeakerProfileForm):
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)],
                       description=_l("Where the invitation and self-service link are sent. Never shown publicly."))

    def load(self, speaker) -> None:
        super().load(speaker)
        self.email.data = speaker.email

    def to_data(self, email: str = "") -> SpeakerData:
        return super().to_data(email=self.email.data or "")


class AssignSpeakerForm(Form):
    speaker_id = SelectField(_l("Speaker"), coerce=int, choices=[], validate_choice=True)
    role = SelectField(_l("Role"), choices=[(r.value, SPEAKER_ROLE_LABELS[r]) for r in SpeakerRole], default=SpeakerRole.PANELIST.value)

    def __init__(self, *args, speakers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.speaker_id.choices = [(s.id, s.name + (f" ({s.affiliation})" if s.affiliation else "")) for s in speakers]


class ConfirmForm(Form):
    """CSRF only: for buttons."""
