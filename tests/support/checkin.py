"""Check-in test data, built through registration's `make_registration` (place_order, the real
rules). Built-in questions (pronouns, organisation...) are switched on as needed."""
from __future__ import annotations

from confapp.extensions import db
from confapp.registration.models import PriceKind, Question, QuestionKind, Registration, RegistrationStatus
from tests.factories import make_category, make_registration


def category(event, name: str = "General", **fields):
    return make_category(event, name=name, **fields)


def question(event, key: str) -> Question:
    found = db.session.query(Question).filter_by(event_id=event.id, builtin_key=key).one_or_none()
    if found is None:
        found = Question(event_id=event.id, kind=QuestionKind.SHORT_TEXT, label=key.title(), builtin_key=key)
        db.session.add(found)
        db.session.flush()
    return found


def attendee(event, *, first_name: str = "Ana", last_name: str | None = None, cat=None,
             status: RegistrationStatus | None = None, due_minor: int = 0,
             answers: dict[str, str] | None = None) -> Registration:
    """One confirmed attendee (or `status`); `due_minor` makes a paid category paid at the door, still owed."""
    if cat is None:
        cat = category(event, price_kind=PriceKind.FIXED, price_minor=due_minor) if due_minor else category(event)
    by_id = {question(event, key).id: value for key, value in (answers or {}).items()}
    extra = {"at_door": True} if due_minor else {}
    return make_registration(event, cat, first_name=first_name, last_name=last_name if last_name is not None else "Tester",
                             answers=by_id, status=status, send_email=False, **extra)
