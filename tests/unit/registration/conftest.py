import pytest

from tests.factories import make_event, make_user


@pytest.fixture
def organiser(db):
    return make_user()


@pytest.fixture
def event(db, organiser):
    return make_event(organiser=organiser, capacity=100)


@pytest.fixture
def commit(db):
    """Commit as a request would: after-commit mail is sent to the real SMTP server."""
    def _commit():
        db.session.commit()
    return _commit
