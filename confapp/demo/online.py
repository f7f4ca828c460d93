"""Demo: online and hybrid convenings (issue 15).

- A monthly UPR tele-town hall series ("first Tuesday of each month, 19:00 New York, 60
  minutes"): three past editions, with online attendance recorded through the online services
  (personal links, and phone participants marked by hand) and public recordings, and the
  upcoming one, created by the series rule, with its join details and reminder. Some people
  registered once for the whole series.
- The upcoming PHRGE Institute made hybrid: an online category beside the in-person ones, and
  join details for the stream.
"""
from __future__ import annotations

import random
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select

from ..accounts.models import EventRole, Role
from ..events import services as events
from ..events.models import AttendanceMode
from ..events.services import EventData
from ..online import follow_up, recurrence, series, services
from ..online.models import AttendanceSource
from ..outreach import reminders
from ..registration import catalogue
from ..registration.catalogue import CategoryData
from ..extensions import db
from ..registration.models import PlaceKind, Registration, RegistrationCategory, RegistrationStatus
from ..registration.services import AttendeeData, CategoryChoice, OrderRequest, place_order
from . import DemoContext

UPR_DESCRIPTION = """\
A monthly call for local partners of the Human Rights Cities Alliance across the country on the
Universal Periodic Review: where the United States' review stands, what cities and community groups
can report, and how to take part in the next session in Geneva.

Join online or by phone; captions and Spanish interpretation are provided.
"""
TELE_TOWN_HALL = "https://meet.confapp.example/upr-town-hall"
PEOPLE = [("Amina", "Yusuf"), ("Carlos", "Medina"), ("Dana", "Whitehorse"), ("Elena", "Ortiz"), ("Farid", "Haddad"),
          ("Grace", "Okafor"), ("Hiro", "Tanaka"), ("Imani", "Brooks"), ("Jorge", "Villalobos"), ("Keisha", "Monroe"),
          ("Lucia", "Ferreira"), ("Marcus", "Bell"), ("Nadia", "Petrova"), ("Omar", "Sheikh"), ("Priya", "Raman"),
          ("Quinn", "Delgado"), ("Rosa", "Chavez"), ("Samuel", "Ortega")]


def _rule_data(template, first_day: date) -> series.RuleData:
    return series.RuleData(template_event_id=template.id, frequency="monthly", weekday=1, ordinal=1, at_time="19:00",
                           timezone="America/New_York", duration_minutes=60, starts_on=first_day)


def _dates(ctx: DemoContext) -> tuple[date, list[recurrence.Occurrence]]:
    """The rule's first day (four months back) and its three last past dates and next one."""
    local = ctx.now.astimezone(ZoneInfo("America/New_York"))
    month = (local.year * 12 + local.month - 1) - 4
    first_day = date(month // 12, month % 12 + 1, 1)
    rule = recurrence.Rule(frequency=recurrence.Frequency.MONTHLY, weekday=1, ordinal=1, at=time(19, 0),
                           timezone="America/New_York", duration_minutes=60, starts_on=first_day, count=12)
    dates = recurrence.occurrences(rule)
    past = [o for o in dates if o.starts_at <= ctx.now][-3:]
    upcoming = [o for o in dates if o.starts_at > ctx.now][:1]
    return past[0].local_date.replace(day=1), past + upcoming


def _template(ctx: DemoContext, group, first: recurrence.Occurrence):
    admin, organiser = ctx.users["admin"], ctx.users["organiser2"]
    template = events.create_event(EventData(
        title="UPR tele-town hall", subtitle="The Universal Periodic Review, city by city", series_id=group.id,
        description=UPR_DESCRIPTION, timezone="America/New_York", starts_at=first.starts_at, ends_at=first.ends_at,
        contact_email="alliance@confapp.example", capacity=None,
        organisers=("US Human Rights Cities Alliance",), partners=("US Human Rights Network",),
        edition_label=format_date(first.local_date, format="long", locale="en"),
        slug=f"{group.slug}-{first.local_date.isoformat()}"), actor=admin, now=ctx.now)
    events.publish_event(template, actor=admin, now=ctx.now)
    template.roles.append(EventRole(user_id=organiser.id, role=Role.ORGANISER, granted_at=ctx.now))
    services.set_attendance_modes(template, AttendanceMode.ONLINE, categories={}, sessions={}, actor=admin)
    category = catalogue.save_category(template, CategoryData(
        name="Online or by phone", price_kind="free", attendance_mode=PlaceKind.ONLINE.value, position=1,
        description="Join from your computer, or call in."), actor=admin)
    category.translations = {"es": {"name": "En línea o por teléfono", "description": "Conéctese desde su computadora o llame por teléfono."}}
    services.save_join_details(template, services.JoinDetailsData(
        meeting_url=TELE_TOWN_HALL, dial_in_numbers="+1 646 555 0134 (New York)\n+1 312 555 0188 (Chicago)",
        access_code="4417 2290#", instructions="Captions are on; Spanish interpretation on channel 2.",
        reveal_minutes=60), actor=admin)
    return template


def _register(event, name: tuple[str, str], category_name: str, now):
    category = db.session.scalar(select(RegistrationCategory).where(RegistrationCategory.event_id == event.id,
                                                                    RegistrationCategory.name == category_name))
    email = f"{name[0]}.{name[1]}@partners.example".lower()
    order = place_order(event, OrderRequest(choices=[CategoryChoice(category.id, 1)],
                                            attendees=[AttendeeData(name[0], name[1], email)], send_email=False), now=now)
    return order.registrations[0]


def _attendance(event, registrations, organiser, rng: random.Random) -> None:
    for registration in registrations:
        if registration.status != RegistrationStatus.CONFIRMED or rng.random() > 0.75:
            continue
        joined = event.starts_at + timedelta(minutes=rng.randint(-5, 12))
        if rng.random() < 0.2:  # called in by phone: marked by the organiser
            services.record_attendance(registration, None, now=joined, source=AttendanceSource.MANUAL, actor=organiser)
        else:
            services.record_attendance(registration, None, now=joined)


def _tele_town_halls(ctx: DemoContext) -> None:
    admin, organiser = ctx.users["admin"], ctx.users["organiser2"]
    group = events.create_series("UPR tele-town halls", actor=admin,
                                 description="Monthly calls of the US Human Rights Cities Alliance on the Universal Periodic Review.")
    first_day, (first, second, third, upcoming) = _dates(ctx)
    template = _template(ctx, group, first)
    row = series.save_rule(group, _rule_data(template, first_day), actor=admin, now=ctx.now)
    past = [template] + series.create_editions(row, actor=admin, now=first.ends_at, ahead=2, send_email=False)
    rng = random.Random(1545)
    people = list(PEOPLE)
    # Four partners registered for the whole series after the first call.
    for name in people[:4]:
        series.subscribe(row, AttendeeData(name[0], name[1], f"{name[0]}.{name[1]}@partners.example".lower()),
                         "Online or by phone", now=first.ends_at + timedelta(days=1), send_email=False)
    for number, edition in enumerate(past):
        for name in rng.sample(people[4:], 6 + number):
            _register(edition, name, "Online or by phone", edition.starts_at - timedelta(days=rng.randint(1, 9)))
        everyone = list(db.session.scalars(select(Registration).where(Registration.event_id == edition.id)))
        _attendance(edition, everyone, organiser, rng)
        follow_up.save_links(edition, follow_up.LinksData(
            recording_url=f"https://video.confapp.example/upr-town-hall-{edition.local(edition.starts_at).date().isoformat()}",
            materials="UPR timeline | https://docs.confapp.example/upr-timeline", visibility="public"), actor=admin)
    # The next call: created by the rule with the template's reminder (which the past calls did not need).
    reminder = reminders.create_rule(template, reminders.ReminderData(
        "On the day", "start", 0, "09:00", "Tonight: {{ event_title }}",
        "Hello {{ first_name }},\n\nTonight's call starts at 19:00 New York time. Your join link and the dial-in "
        "numbers are below.", {"all": True}), actor=admin, now=ctx.now)
    [next_call] = series.create_editions(row, actor=admin, now=ctx.now, ahead=1, send_email=False)
    reminders.delete_rule(reminder, actor=admin, now=ctx.now)
    ctx.events.update(upr_template=template, upr_next=next_call)
    ctx.extra["upr_rule"] = row
    assert next_call.starts_at == upcoming.starts_at and [e.starts_at for e in past] == [
        first.starts_at, second.starts_at, third.starts_at]


def _hybrid_phrge(ctx: DemoContext) -> None:
    admin, event = ctx.users["admin"], ctx.events["phrge_next"]
    services.set_attendance_modes(event, AttendanceMode.HYBRID, categories={}, sessions={}, actor=admin)
    online = catalogue.save_category(event, CategoryData(
        name="Online", price_kind="pay_what_you_can", min_minor=0, suggested_minor=1000, max_minor=15000,
        capacity=300, attendance_mode=PlaceKind.ONLINE.value, position=5,
        description="Follow the plenaries and the streamed panels online; pay what you can, including nothing."), actor=admin)
    online.translations = {"es": {"name": "En línea", "description": "Siga en línea las plenarias y los paneles transmitidos; pague lo que pueda, incluso nada."}}
    services.save_join_details(event, services.JoinDetailsData(
        meeting_url="https://stream.confapp.example/phrge-institute", instructions="Captions in English and Spanish.",
        reveal_minutes=30), actor=admin)


def load(ctx: DemoContext) -> None:
    _hybrid_phrge(ctx)
    _tele_town_halls(ctx)
