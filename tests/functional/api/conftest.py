"""API test data: an access world (event + one user per role), its main check-in list, and
tokens made through the real service (the secret comes back once, as in the UI)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from confapp.api import tokens
from confapp.api.models import Scope
from confapp.checkin import services as checkin_services
from tests.support.access import ORGANISER, access_world
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
