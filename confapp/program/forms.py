"""Programme forms: field shapes and choices only; the services own the rules."""
from __future__ import annotations

from datetime import datetime

from flask_wtf.file import FileField
from wtforms import (BooleanField, EmailField, IntegerField, SelectField, StringField, TextAreaField,
                     TimeField)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from ..forms import Form
from .models import SessionKind, SpeakerRole
from .services import RoomData, SessionData, TrackData
from .speakers import SpeakerData


def _optional_int(value):
    if value in (None, "", "None", "0", 0):
        return None
    return int(value)


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SessionForm(Form):
    title = StringField("Title", validators=[DataRequired(message="Give the session a title."), Length(max=250)])
    kind = SelectField("Type", choices=[(k.value, k.label) for k in SessionKind], default=SessionKind.PANEL.value,
                       description="Without an end time, the type's usual length is used: plenary 60 min, panel 75, "
                                   "workshop 90, roundtable 60, break 15, social 90.")
    day = SelectField("Day", choices=[], validate_choice=True)
    starts = TimeField("Starts", validators=[Optional()], description="Local time at the event, 24-hour clock.")
    ends = TimeField("Ends", validators=[Optional()], description="Leave empty for the type's usual length.")
    room_id = SelectField("Room", coerce=_optional_int, choices=[], validate_choice=True)
    track_id = SelectField("Track", coerce=_optional_int, choices=[], validate_choice=True)
    description = TextAreaField("Description", validators=[Optional()],
                                description="Markdown: **bold**, *italic*, [links](https://…), lists.")
    language = StringField("Language", validators=[Optional(), Length(max=80)], default="English")
    interpretation = StringField("Interpretation", validators=[Optional(), Length(max=300)],
                                 description="For example: Spanish interpretation by headset; ASL.")
    accessibility = TextAreaField("Accessibility notes", validators=[Optional()])
    capacity = IntegerField("Capacity", validators=[Optional(), NumberRange(min=0)],
                            description="Workshops with a capacity take sign-ups. Leave empty for no limit.")

    def __init__(self, *args, event, rooms, tracks, **kwargs):
        super().__init__(*args, **kwargs)
        from .queries import event_days

        self.event = event
        self.day.choices = [("", "Not scheduled yet")] + [
            (d.isoformat(), f"{d:%A %-d %B %Y}") for d in event_days(event)]
        self.room_id.choices = [(None, "No room")] + [(r.id, r.name) for r in rooms]
        self.track_id.choices = [(None, "No track")] + [(t.id, t.name) for t in tracks]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.day.data and not self.starts.data:
            self.starts.errors = list(self.starts.errors) + ["Give a start time for the chosen day."]
            ok = False
        if self.ends.data and not self.day.data:
            self.day.errors = list(self.day.errors) + ["Choose a day for the session."]
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
    acknowledge = BooleanField("I have reviewed the timetable warnings; publish anyway")


class RoomForm(Form):
    name = StringField("Room name", validators=[DataRequired(message="Give the room a name."), Length(max=120)])
    capacity = IntegerField("Capacity", validators=[Optional(), NumberRange(min=0)])
    accessibility = TextAreaField("Accessibility notes", validators=[Optional()],
                                  description="Step-free access, hearing loop, nearest accessible restroom…")
    available_from = TimeField("Available from", validators=[Optional()], description="Daily, local time. Leave empty if always available.")
    available_until = TimeField("Available until", validators=[Optional()])
    position = IntegerField("Order", validators=[Optional()], default=0)

    def load(self, room) -> None:
        for name in ("name", "capacity", "accessibility", "available_from", "available_until", "position"):
            getattr(self, name).data = getattr(room, name)

    def to_data(self) -> RoomData:
        return RoomData(name=self.name.data or "", capacity=self.capacity.data, accessibility=self.accessibility.data or "",
                        available_from=self.available_from.data, available_until=self.available_until.data,
                        position=self.position.data or 0)


class TrackForm(Form):
    name = StringField("Track name", validators=[DataRequired(message="Give the track a name."), Length(max=120)])
    colour = StringField("Colour", validators=[DataRequired(), Regexp(r"^#[0-9a-fA-F]{6}$", message="Give the colour as #rrggbb.")],
                         default="#1d4e89", description="A colour like #1d4e89; the label text is chosen to stay readable.")
    position = IntegerField("Order", validators=[Optional()], default=0)

    def load(self, track) -> None:
        self.name.data, self.colour.data, self.position.data = track.name, track.colour, track.position

    def to_data(self) -> TrackData:
        return TrackData(name=self.name.data or "", colour=(self.colour.data or "").lower(), position=self.position.data or 0)


class SpeakerProfileForm(Form):
    """What a speaker edits about themselves (organisers also get the email field)."""

    name = StringField("Name", validators=[DataRequired(message="Give the speaker's name."), Length(max=200)])
    pronouns = StringField("Pronouns", validators=[Optional(), Length(max=60)], description="For example: she/her, they/them.")
    affiliation = StringField("Organisation or affiliation", validators=[Optional(), Length(max=200)])
    city = StringField("City", validators=[Optional(), Length(max=120)])
    bio = TextAreaField("Short bio", validators=[Optional(), Length(max=2000)], description="Up to 2,000 characters.")
    links = TextAreaField("Links", validators=[Optional()], description="One web address per line, up to five.")
    photo = FileField("Photo", description="JPEG, PNG or WebP, up to 5 MB. It is resized to 600 pixels.")

    def load(self, speaker) -> None:
        for name in ("name", "pronouns", "affiliation", "city", "bio"):
            getattr(self, name).data = getattr(speaker, name)
        self.links.data = "\n".join(speaker.links or [])

    def to_data(self, email: str = "") -> SpeakerData:
        return SpeakerData(name=self.name.data or "", email=email, pronouns=self.pronouns.data or "",
                           affiliation=self.affiliation.data or "", city=self.city.data or "",
                           bio=self.bio.data or "", links=lines(self.links.data))


class SpeakerForm(SpeakerProfileForm):
    email = EmailField("Email", validators=[Optional(), Email(), Length(max=254)],
                       description="Where the invitation and self-service link are sent. Never shown publicly.")

    def load(self, speaker) -> None:
        super().load(speaker)
        self.email.data = speaker.email

    def to_data(self, email: str = "") -> SpeakerData:
        return super().to_data(email=self.email.data or "")


class AssignSpeakerForm(Form):
    speaker_id = SelectField("Speaker", coerce=int, choices=[], validate_choice=True)
    role = SelectField("Role", choices=[(r.value, r.label) for r in SpeakerRole], default=SpeakerRole.PANELIST.value)

    def __init__(self, *args, speakers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.speaker_id.choices = [(s.id, s.name + (f" ({s.affiliation})" if s.affiliation else "")) for s in speakers]


class ConfirmForm(Form):
    """CSRF only: for buttons."""
