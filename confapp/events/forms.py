from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import lazy_gettext as _l, ngettext
from wtforms import (BooleanField, DateTimeLocalField, EmailField, IntegerField, SelectField, SelectMultipleField, StringField,
                     SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES
from .services import EventData

COMMON_TIMEZONES = [
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix",
    "America/Anchorage", "Pacific/Honolulu", "America/Toronto", "America/Mexico_City", "America/Sao_Paulo",
    "Europe/London", "Europe/Paris", "Europe/Berlin", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Kolkata",
    "Asia/Tokyo", "Australia/Sydney", "UTC",
]


def timezone_choices() -> list[tuple[str, str]]:
    rest = sorted(available_timezones() - set(COMMON_TIMEZONES))
    return [(tz, tz.replace("_", " ")) for tz in COMMON_TIMEZONES + rest]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def language_choices() -> list[tuple[str, str]]:
    return list(LANGUAGES.items())


def lines(text: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


class EventForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    subtitle = StringField(_l("Subtitle or theme"), validators=[Optional(), Length(max=300)])
    edition_label = StringField(_l("Edition"), validators=[Optional(), Length(max=120)], description=_l("For example: 11th annual"))
    series_id = SelectField(_l("Series"), coerce=int, choices=[], validate_choice=True)
    slug = StringField(
        _l("Web address"),
        validators=[Optional(), Length(max=100), Regexp(r"^[a-z0-9-]*$", message=_l("Use lower-case letters, digits and hyphens."))],
        description=_l("The last part of the event's public address. Leave empty to make one from the title."),
    )
    description = TextAreaField(_l("Description"), validators=[Optional()], description=_l("Markdown: **bold**, *italic*, [links](https://…), lists."))
    timezone = SelectField(_l("Time zone"), choices=[], default="America/New_York")
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(message=_l("Give the start date and time."))])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(message=_l("Give the end date and time."))])
    venue_name = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    venue_address = StringField(_l("Street address"), validators=[Optional(), Length(max=300)])
    venue_city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    venue_region = StringField(_l("State or region"), validators=[Optional(), Length(max=120)])
    venue_country = StringField(_l("Country code"), validators=[Optional(), Length(min=2, max=2)], description=_l("Two letters, such as US."))
    venue_accessibility = TextAreaField(_l("Accessibility at the venue"), validators=[Optional()])
    organisers = TextAreaField(_l("Organising organisations"), validators=[Optional()], description=_l("One per line."))
    partners = TextAreaField(_l("Partner organisations"), validators=[Optional()], description=_l("One per line."))
    contact_email = EmailField(_l("Contact email"), validators=[Optional(), Email(), Length(max=254)])
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=0)], description=_l("Leave empty for no limit."))
    registration_opens_at = DateTimeLocalField(_l("Registration opens"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    registration_closes_at = DateTimeLocalField(_l("Registration closes"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    default_language = SelectField(_l("Default language"), choices=language_choices(), default=DEFAULT_LANGUAGE,
                                   description=_l("The language you write the event in first. Visitors whose language "
                                                  "the event does not have see this one."))
    languages = MultiCheckboxField(_l("Other languages of the event's content"), choices=language_choices(),
                                   description=_l("Once saved, this form has a place for the title, subtitle, "
                                                  "description and venue notes in each of them."))
    notify_registered = BooleanField(default=True, description=_l(
        "If you change the start or end, they get an email with the new date and time and the calendar file, "
        "and reminders already sent go again before the new date."))
    submit = SubmitField(_l("Save event"))

    def __init__(self, *args, series=(), registered: int = 0, **kwargs):
        """`registered`: how many confirmed people a change of date would tell (a published
        event's); without any, the form has no box to tell them."""
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()
        self.series_id.choices = [(0, _l("No series"))] + [(s.id, s.name) for s in series]
        if registered:
            self.notify_registered.label.text = ngettext(
                "Tell the %(num)d person registered", "Tell the %(num)d people registered", registered)
        else:
            del self.notify_registered

    @property
    def tells_registered(self) -> bool:
        return "notify_registered" in self._fields and bool(self.notify_registered.data)

    def _aware(self, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=ZoneInfo(self.timezone.data)) if value else None

    def load(self, event) -> None:
        """Fill the form from an event, showing times in the event's zone."""
        for name in ("title", "subtitle", "edition_label", "slug", "description", "timezone", "venue_name",
                     "venue_address", "venue_city", "venue_region", "venue_country", "venue_accessibility",
                     "contact_email", "capacity"):
            getattr(self, name).data = getattr(event, name)
        self.series_id.data = event.series_id or 0
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            moment = getattr(event, name)
            getattr(self, name).data = moment.astimezone(event.tz).replace(tzinfo=None) if moment else None
        self.organisers.data = "\n".join(o.name for o in event.organisers)
        self.partners.data = "\n".join(o.name for o in event.partners)
        self.default_language.data = event.default_language
        self.languages.data = [code for code in (event.languages or ()) if code != event.default_language]
        if hasattr(self, "load_translations"):
            self.load_translations(event)

    def to_data(self) -> EventData:
        return EventData(
            title=self.title.data.strip(),
            subtitle=(self.subtitle.data or "").strip(),
            edition_label=(self.edition_label.data or "").strip(),
            slug=(self.slug.data or "").strip() or None,
            series_id=self.series_id.data or None,
            description=self.description.data or "",
            timezone=self.timezone.data,
            starts_at=self._aware(self.starts_at.data),
            ends_at=self._aware(self.ends_at.data),
            venue_name=(self.venue_name.data or "").strip(),
            venue_address=(self.venue_address.data or "").strip(),
            venue_city=(self.venue_city.data or "").strip(),
            venue_region=(self.venue_region.data or "").strip(),
            venue_country=(self.venue_country.data or "").strip().upper(),
            venue_accessibility=self.venue_accessibility.data or "",
            contact_email=(self.contact_email.data or "").strip(),
            capacity=self.capacity.data,
            registration_opens_at=self._aware(self.registration_opens_at.data),
            registration_closes_at=self._aware(self.registration_closes_at.data),
            organisers=lines(self.organisers.data),
            partners=lines(self.partners.data),
            default_language=self.default_language.data,
            languages=tuple(self.languages.data or ()),
            translations=self.translation_texts() if hasattr(self, "translation_texts") else None,
        )


class CopyEventForm(Form):
    title = StringField(_l("Title of the new edition"), validators=[DataRequired(), Length(max=200)])
    edition_label = StringField(_l("Edition"), validators=[Optional(), Length(max=120)])
    starts_at = DateTimeLocalField(_l("New edition starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()],
                                   description=_l("Times in the event's own time zone. All other dates move by the same amount."))
    submit = SubmitField(_l("Create the new edition"))


class SeriesForm(Form):
    name = StringField(_l("Series name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    submit = SubmitField(_l("Create series"))
