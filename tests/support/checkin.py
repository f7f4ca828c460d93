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


def workshop_room(event, *, title: str, actor, now, capacity: int = 2):
    """A published workshop of `capacity` places with one person signed up and two who did not,
    and its per-session door list: (room, signed, walk_in_one, walk_in_two)."""
    from confapp.checkin import services
    from confapp.checkin.models import ListKind
    from confapp.program.attendance import sign_up
    from tests.factories import make_session

    general = category(event)
    workshop = make_session(event, title=title, capacity=capacity, kind="workshop", publish=True)
    signed, walk_in_one, walk_in_two = (attendee(event, cat=general) for _ in range(3))
    sign_up(workshop, signed, now=now)
    room = services.create_list(event, name=title, kind=ListKind.SESSION, program_session_id=workshop.id, actor=actor, now=now)
    return room, signed, walk_in_one, walk_in_two
