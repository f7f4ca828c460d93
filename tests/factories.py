"""Test data built through the same services users go through, so the rules are exercised."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

from confapp.accounts import services as account_services
from confapp.accounts.models import EventRole, Role, User
from confapp.events import services as event_services
from confapp.events.services import EventData
from confapp.extensions import db

from .conftest import TEST_PASSWORD
from .support.clock import TEST_NOW

_counter = itertools.count(1)


def make_user(*, email: str | None = None, name: str | None = None, site_admin: bool = False, password: str = TEST_PASSWORD) -> User:
    n = next(_counter)
    return account_services.create_user(
        email or f"person{n}@example.org", name or f"Person {n}", password, is_site_admin=site_admin
    )


def make_admin(**overrides) -> User:
    return make_user(site_admin=True, **overrides)


def make_event(*, organiser: User | None = None, publish: bool = True, **overrides):
    """An event on 5-6 Dec 2026 in New York (capacity 100), created by a site admin;
    `organiser`, if given, gets the organiser role on it."""
    n = next(_counter)
    admin = make_admin()
    fields = dict(title=f"Convening {n}", slug=f"convening-{n}")
    fields.update(overrides)
    event = event_services.create_event(_event_data(**fields), actor=admin)
    if organiser is not None:
        grant(event, organiser, Role.ORGANISER)
    if publish:
        event_services.publish_event(event, actor=admin)
    db.session.flush()
    return event


def _event_data(title: str = "Convening", **overrides) -> EventData:
    start = overrides.pop("starts_at", datetime(2026, 12, 5, 14, 0, tzinfo=timezone.utc))
    data = dict(
        title=title,
        starts_at=start,
        ends_at=overrides.pop("ends_at", start + timedelta(days=1, hours=8)),
        timezone="America/New_York",
        venue_name="Community Hall",
        venue_city="Boston",
        venue_region="Massachusetts",
        venue_country="US",
        contact_email="team@example.org",
        capacity=100,
    )
    data.update(overrides)
    return EventData(**data)


def grant(event, user: User, role: Role) -> EventRole:
    grant = EventRole(user_id=user.id, event_id=event.id, role=role)
    db.session.add(grant)
    db.session.flush()
    db.session.refresh(user)
    return grant


# --- programme --------------------------------------------------------------------------------

def make_room(event, *, name: str | None = None, actor=None, **overrides):
    from confapp.program.services import RoomData, save_room

    data = RoomData(name=name or f"Room {next(_counter)}", **overrides)
    return save_room(event, data, actor=actor or make_admin())


def make_track(event, *, name: str | None = None, actor=None, **overrides):
    from confapp.program.services import TrackData, save_track

    return save_track(event, TrackData(name=name or f"Track {next(_counter)}", **overrides), actor=actor or make_admin())


def make_session(event, *, title: str | None = None, actor=None, publish: bool = False, starts_at=None,
                 duration: timedelta | None = timedelta(hours=1), **overrides):
    """A session on the event's first day at 10:00 local time unless `starts_at` is given."""
    from confapp.program.services import SessionData, create_session, publish_session

    actor = actor or make_admin()
    if starts_at is None:
        starts_at = event.local(event.starts_at).replace(hour=10, minute=0)
    fields = dict(title=title or f"Session {next(_counter)}", starts_at=starts_at,
                  ends_at=(starts_at + duration) if (starts_at and duration) else None)
    fields.update(overrides)
    session, _ = create_session(event, SessionData(**fields), actor=actor)
    if publish:
        publish_session(session, actor=actor, event=event, acknowledge_warnings=True)
    return session


def make_speaker(event, *, name: str | None = None, actor=None, **overrides):
    from confapp.program.speakers import SpeakerData, create_speaker

    n = next(_counter)
    fields = dict(name=name or f"Speaker {n}", email=f"speaker{n}@example.org")
    fields.update(overrides)
    return create_speaker(event, SpeakerData(**fields), actor=actor or make_admin())
# --- registration ---------------------------------------------------------------------------------

def make_category(event, **overrides):
    """A registration category (free, unlimited, public unless overridden)."""
    from confapp.registration.models import RegistrationCategory

    n = next(_counter)
    fields = dict(event_id=event.id, name=f"Category {n}", price_kind="free", currency="USD", position=n)
    fields.update(overrides)
    category = RegistrationCategory(**fields)
    db.session.add(category)
    db.session.flush()
    return category


def make_question(event, *, label: str = "Diet", required: bool = True, actor=None, **overrides):
    """A question through `save_question` (the organiser's rules): required short text unless
    overridden (kind, options, help_text, ...)."""
    from confapp.registration.catalogue import QuestionData, save_question

    return save_question(event, QuestionData(label=label, required=required, **overrides), actor=actor or make_admin())


def make_registration(event=None, category=None, *, now=None, actor=None, quantity: int = 1, status=None, **overrides):
    """An order through `place_order` (the real rules) with `quantity` attendees; returns the
    first Registration. `event` defaults to a new published event. Overrides: first_name,
    last_name, email, answers, amount_minor and any OrderRequest field. `status`, if given, is
    set afterwards on every registration of the order (for tests of other domains that need a
    cancelled or pending registration without going through those flows)."""
    from confapp.registration.services import AttendeeData, CategoryChoice, OrderRequest, place_order

    event = event or make_event()
    category = category or make_category(event)
    n = next(_counter)
    first = overrides.pop("first_name", f"Attendee{n}")
    last = overrides.pop("last_name", "Example")
    email = overrides.pop("email", None) or f"attendee{n}@example.org"
    answers = overrides.pop("answers", {})
    amount = overrides.pop("amount_minor", None)
    attendees = [AttendeeData(first, last, email, answers)] + [
        AttendeeData(f"Guest{n}-{i}", "Example", f"guest{n}-{i}@example.org", answers) for i in range(1, quantity)
    ]
    order_request = OrderRequest(choices=[CategoryChoice(category.id, quantity, amount)], attendees=attendees, **overrides)
    now = now or TEST_NOW
    order = place_order(event, order_request, actor=actor, now=now)
    if status is not None:
        for registration in order.registrations:
            registration.status = status
    db.session.flush()
    return order.registrations[0]
