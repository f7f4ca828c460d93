"""API test data: an access world (event + one user per role), its main check-in list, and
tokens made through the real service (the secret comes back once, as in the UI)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from confapp.api import tokens
from confapp.api.models import Scope
from confapp.checkin import services as checkin_services
from confapp.types import utcnow
from tests.support.access import OTHER_ORGANISER, ORGANISER, access_world
from tests.support.clock import TEST_NOW

ALL_SCOPES = [scope.value for scope in Scope]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def make_token(event, creator, *, scopes=None, name: str = "CRM sync", expires_at=None) -> tuple:
    """(token, secret) through the service, as an organiser (or an admin, for event None) would."""
    return tokens.create_token(event, name=name, scopes=ALL_SCOPES if scopes is None else scopes,
                               expires_at=expires_at, actor=creator, now=TEST_NOW)


@pytest.fixture
def world(db):
    world = access_world()
    organiser = world.users[ORGANISER]
    world.list = checkin_services.main_list(world.event, actor=organiser, now=TEST_NOW)
    world.token, world.secret = make_token(world.event, organiser)
    db.session.commit()
    return world


@pytest.fixture
def auth(world):
    return bearer(world.secret)


def later(days: int = 1):
    return TEST_NOW + timedelta(days=days)


def token_kinds(db, world, *, no_scope: list[str] | None = None) -> dict[str, dict[str, str]]:
    """The headers of each kind of caller the access tables try: none, an expired token, a revoked
    one, one lacking the scope (`no_scope`: the scopes it has), another event's, the right one, and
    a partner site's (registrations:public only) for the tables that name it."""
    organiser = world.users[ORGANISER]
    expired, expired_secret = make_token(world.event, organiser, name="Old", expires_at=TEST_NOW + timedelta(days=1))
    expired.expires_at = utcnow() - timedelta(seconds=1)
    revoked, revoked_secret = make_token(world.event, organiser, name="Gone")
    tokens.revoke_token(revoked, actor=organiser, now=TEST_NOW)
    # Webhooks' scopes: no route of the access tables that take the default needs them.
    _, lacking = make_token(world.event, organiser, name="Nothing useful", scopes=no_scope or ["webhooks:read"])
    _, other = make_token(world.other_event, world.users[OTHER_ORGANISER], name="Elsewhere")
    _, partner = make_token(world.event, organiser, name="Partner site", scopes=["registrations:public"])
    db.session.commit()
    return {"none": {}, "expired": bearer(expired_secret), "revoked": bearer(revoked_secret),
            "no_scope": bearer(lacking), "other_event": bearer(other), "right": bearer(world.secret),
            "partner": bearer(partner)}
