import pytest

from confapp.registration.models import Question
from tests.factories import make_category, make_event, make_user


@pytest.fixture
def organiser(db):
    return make_user()


@pytest.fixture
def event(db, organiser):
    event = make_event(organiser=organiser, capacity=100, slug="phrge-test")
    db.session.commit()  # views roll back on errors: what the test built must survive that
    return event


@pytest.fixture
def questions(db, event):
    needs = Question(event_id=event.id, kind="single_choice", label="Do you need interpretation?", options=["Yes", "No"],
                     required=True, position=1)
    db.session.add(needs)
    db.session.flush()
    which = Question(event_id=event.id, kind="single_choice", label="Which language?", options=["Spanish", "ASL"],
                     required=True, position=2, condition_question_id=needs.id, condition_value="Yes")
    org = Question(event_id=event.id, kind="short_text", label="Organisation", builtin_key="organisation", position=3)
    db.session.add_all([which, org])
    db.session.commit()
    return needs, which, org


@pytest.fixture
def free(db, event):
    category = make_category(event, name="Community member")
    db.session.commit()
    return category
