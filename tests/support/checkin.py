"""Check-in test data. `attendee` inserts an order and a registration directly: a stand-in
until the registration domain's `make_registration` factory lands on main (then replaced)."""
from __future__ import annotations

import itertools
import secrets

from confapp.extensions import db
from confapp.registration.models import (
    Answer, Order, PaymentState, Question, QuestionKind, Registration, RegistrationCategory, RegistrationStatus,
)

_counter = itertools.count(1)


def category(event, name: str = "General", **fields) -> RegistrationCategory:
    cat = RegistrationCategory(event_id=event.id, name=name, **fields)
    db.session.add(cat)
    db.session.flush()
    return cat


def attendee(event, *, first_name: str = "Ana", last_name: str | None = None, cat=None,
             status: RegistrationStatus = RegistrationStatus.CONFIRMED, due_minor: int = 0,
             answers: dict[str, str] | None = None, code: str | None = None) -> Registration:
    n = next(_counter)
    last_name = last_name if last_name is not None else f"Tester{n}"
    cat = cat or category(event)
    email = f"{first_name.lower()}.{n}@example.org"
    order = Order(
        event_id=event.id, code=f"O{n:06d}{secrets.token_hex(2)}", buyer_name=first_name, buyer_email=email,
        total_minor=due_minor, paid_minor=0,
        payment_state=PaymentState.UNPAID if due_minor else PaymentState.NOT_REQUIRED,
        currency="USD",
    )
    db.session.add(order)
    db.session.flush()
    registration = Registration(
        event_id=event.id, order_id=order.id, category_id=cat.id, status=status,
        ticket_code=code or f"T{n:05d}{secrets.token_hex(4).upper()}", first_name=first_name, last_name=last_name,
        email=email, search_text=f"{first_name} {last_name} {email}".lower(),
    )
    db.session.add(registration)
    db.session.flush()
    for key, value in (answers or {}).items():
        question = db.session.query(Question).filter_by(event_id=event.id, builtin_key=key).one_or_none()
        if question is None:
            question = Question(event_id=event.id, kind=QuestionKind.SHORT_TEXT, label=key.title(), builtin_key=key)
            db.session.add(question)
            db.session.flush()
        db.session.add(Answer(registration_id=registration.id, question_id=question.id, value=value))
    db.session.flush()
    return registration
