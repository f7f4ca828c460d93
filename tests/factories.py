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
