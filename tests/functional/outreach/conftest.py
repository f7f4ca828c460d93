"""The people every outreach page test writes to, and their organiser's logged-in client."""
import pytest

from tests.support.outreach import build_people


@pytest.fixture
def people(db):
    return build_people()


@pytest.fixture
def organiser(client, people, login_as):
    login_as(people.organiser)
    return client
