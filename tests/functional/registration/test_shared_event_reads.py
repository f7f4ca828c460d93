"""A web process keeps an event's registration settings, categories and questions between orders
(issue 16: the API create and the public form read none of them while the event's
`registration_rev`, read with the event in every request, is unchanged), and an organiser's
change is seen by the very next order: in the same process, and in another process (another
application on the same database) whose copies were read before the change."""
from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from confapp.api.tokens import create_token
from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration import catalogue
from confapp.registration.models import PriceKind, Question, RegistrationCategory, RegistrationSettings
from confapp.types import utcnow
from tests.conftest import make_app_for
from tests.factories import make_category, make_event, make_user
from tests.support.queries import count_queries, statement_step

QUOTED_FROM = {"SELECT registration_categories", "SELECT registration_settings", "SELECT questions"}


@pytest.fixture
def shared(tmp_path, smtp_server):
    """Two applications on one SQLite file: two web processes of one deployment."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = make_app_for(url, smtp_server), make_app_for(url, smtp_server)
    with first.app_context():
        upgrade()
        organiser = make_user()
        event = make_event(organiser=organiser, capacity=50, slug="shared-reads")
        category = make_category(event, name="Delegate")
        _, secret = create_token(event, name="CRM sync", scopes=["registrations:write"], expires_at=None, actor=organiser,
                                 now=utcnow())
        db.session.commit()
        world = {"apps": (first, second), "event": event.id, "category": category.id, "organiser": organiser.id,
                 "headers": {"Authorization": f"Bearer {secret}"}}
        db.session.remove()
    yield world
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()


def _create(app, world, n: int, **extra) -> tuple[object, list[str]]:
    body = {"attendees": [{"first_name": f"P{n}", "last_name": "Shared", "email": f"p{n}@example.org",
                           "category_id": world["category"], **extra}],
            "payment_method": "paid_elsewhere", "send_email": False}
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as counter:
        response = app.test_client().post("/api/v1/events/shared-reads/orders", json=body,
                                          headers={**world["headers"], "Idempotency-Key": f"shared-{n}"})
    return response, [statement_step(s) for s in counter.statements]


def _as_organiser(app, world, change) -> None:
    """`change(event, organiser)` through the catalogue's services, committed, in `app`."""
    from confapp.accounts.models import User

    with app.app_context():
        event = db.session.get(Event, world["event"])
        change(event, db.session.get(User, world["organiser"]))
        db.session.commit()
        db.session.remove()


def _price(app, world, minor: int) -> None:
    def change(event, organiser):
        category = db.session.get(RegistrationCategory, world["category"])
        catalogue.save_category(event, catalogue.CategoryData(name="Delegate", price_kind=PriceKind.FIXED,
                                                              price_minor=minor), actor=organiser, category=category)
    _as_organiser(app, world, change)


def test_the_next_create_reads_none_of_the_event_s_registration_rows(shared):
    app = shared["apps"][0]
    first, read = _create(app, shared, 1)
    assert first.status_code == 201, first.get_data(as_text=True)
    assert QUOTED_FROM <= set(read), read  # read once, by the process's first order
    again, read_again = _create(app, shared, 2)
    assert again.status_code == 201, again.get_data(as_text=True)
    assert not QUOTED_FROM & set(read_again), read_again
    assert _create(app, shared, 3)[1] == read_again  # and so on, while nothing changes


@pytest.mark.parametrize("organiser_app", [0, 1], ids=["same_process", "other_process"])
def test_a_category_edited_by_an_organiser_is_seen_by_the_next_create(shared, organiser_app):
    app = shared["apps"][0]
    assert _create(app, shared, 1)[0].json["total_minor"] == 0  # the copies are kept now
    assert _create(app, shared, 2)[0].json["total_minor"] == 0
    _price(shared["apps"][organiser_app], shared, 2500)
    placed, read = _create(app, shared, 3)
    assert placed.status_code == 201, placed.get_data(as_text=True)
    assert placed.json["total_minor"] == 2500
    assert "SELECT registration_categories" in read, read  # read again: the rev changed
    # And again: every change is seen, not only the first.
    _price(shared["apps"][1 - organiser_app], shared, 4000)
    assert _create(app, shared, 4)[0].json["total_minor"] == 4000


def test_a_new_required_question_and_new_settings_are_seen_by_the_next_create(shared):
    app, other = shared["apps"]
    assert _create(app, shared, 1)[0].status_code == 201
    question = {}

    def ask(event, organiser):
        question["id"] = catalogue.save_question(event, catalogue.QuestionData(label="Organisation", required=True),
                                                 actor=organiser).id
    _as_organiser(other, shared, ask)
    refused, _ = _create(app, shared, 2)
    assert refused.status_code == 422 and "attendees-0-q_" in str(refused.json), refused.get_data(as_text=True)
    answered, _ = _create(app, shared, 3, answers={str(question["id"]): "Cooperativa"})
    assert answered.status_code == 201, answered.get_data(as_text=True)
    # One per email now allowed by the settings, in the other process.
    _as_organiser(other, shared, lambda event, organiser: catalogue.save_settings(
        event, {"allow_multiple_per_email": True}, actor=organiser))
    body = {"attendees": [{"first_name": "P3", "last_name": "Again", "email": "p3@example.org",
                           "category_id": shared["category"], "answers": {str(question["id"]): "Cooperativa"}}],
            "payment_method": "paid_elsewhere", "send_email": False}
    again = app.test_client().post("/api/v1/events/shared-reads/orders", json=body,
                                   headers={**shared["headers"], "Idempotency-Key": "shared-again"})
    assert again.status_code == 201, again.get_data(as_text=True)


def test_every_write_of_the_rows_gives_the_event_a_new_rev_and_leaves_updated_at(shared):
    app = shared["apps"][0]

    def rev_and_updated() -> tuple[str, object]:
        with app.app_context():
            found = db.session.execute(select(Event.registration_rev, Event.updated_at)
                                       .where(Event.id == shared["event"])).one()
            db.session.remove()
            return tuple(found)

    def changed_by(change) -> bool:
        before = rev_and_updated()
        with app.app_context():
            change()
            db.session.commit()
            db.session.remove()
        after = rev_and_updated()
        assert after[1] == before[1]
        return after[0] != before[0]

    event_id = shared["event"]
    question = {}

    def add_question():
        q = Question(event_id=event_id, kind="short_text", label="Diet", position=3)
        db.session.add(q)
        db.session.flush()
        question["id"] = q.id

    assert changed_by(add_question)
    assert changed_by(lambda: setattr(db.session.get(Question, question["id"]), "label", "Dietary needs"))
    assert changed_by(lambda: db.session.delete(db.session.get(Question, question["id"])))
    assert changed_by(lambda: db.session.add(RegistrationSettings(event_id=event_id, max_per_order=3)))
    assert changed_by(lambda: setattr(db.session.scalar(select(RegistrationSettings)), "max_per_order", 4))
    assert changed_by(lambda: db.session.add(RegistrationCategory(event_id=event_id, name="Student", currency="USD")))
    assert changed_by(lambda: db.session.delete(db.session.scalar(select(RegistrationCategory)
                                                                  .where(RegistrationCategory.name == "Student"))))
    # Loading them, or setting a value it already has, is no change.
    assert not changed_by(lambda: db.session.scalars(select(RegistrationCategory)).all())
    assert not changed_by(lambda: setattr(db.session.get(RegistrationCategory, shared["category"]), "name", "Delegate"))
