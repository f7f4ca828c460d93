"""Orders to pay, built through registration's place_order (the real capacity and hold rules)."""
from __future__ import annotations

from datetime import datetime

from tests.support.clock import TEST_NOW

NOW = TEST_NOW


def make_paid_category(event, *, price_minor: int = 5000, capacity: int | None = None, **overrides):
    from tests.factories import make_category

    return make_category(event, price_kind="fixed", price_minor=price_minor, capacity=capacity, **overrides)


def make_card_order(event, category=None, *, now: datetime = NOW, quantity: int = 1, **overrides):
    """A card order AWAITING_PAYMENT with a hold (registration's default 30 minutes)."""
    from tests.factories import make_registration

    category = category or make_paid_category(event)
    registration = make_registration(event, category, now=now, quantity=quantity, **overrides)
    return registration.order


def enable_offline_methods(event):
    """Let the event offer pay-at-the-door and invoice (registration's settings)."""
    from confapp.extensions import db
    from confapp.registration.services import settings_for

    settings = settings_for(event)
    settings.at_door_enabled = True
    settings.invoice_enabled = True
    db.session.add(settings)
    db.session.flush()
    return settings
