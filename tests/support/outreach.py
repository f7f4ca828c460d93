"""Outreach test data: an event whose people and answers are known, so segment counts are exact.

Registrations are inserted as rows here because the registration services (place_order...)
were not on main when outreach was built; the rows have the shape those services produce.
"""
from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field

from confapp.accounts.models import Role
from confapp.extensions import db
from confapp.registration.models import (
    Answer,
    Order,
    PaymentState,
    Question,
    QuestionKind,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from tests.factories import grant, make_event, make_user

_n = itertools.count(1)


def add_category(event, name: str) -> RegistrationCategory:
    category = RegistrationCategory(event_id=event.id, name=name)
    db.session.add(category)
    db.session.flush()
    return category


def add_question(event, label: str, *, kind=QuestionKind.SINGLE_CHOICE, options=(), builtin_key=None) -> Question:
    question = Question(event_id=event.id, kind=kind, label=label, options=list(options), builtin_key=builtin_key)
    db.session.add(question)
    db.session.flush()
    return question


def add_registration(event, email: str, first: str, last: str = "", *, status=RegistrationStatus.CONFIRMED,
                     category=None, payment=PaymentState.NOT_REQUIRED, answers: dict | None = None) -> Registration:
    n = next(_n)
    order = Order(event_id=event.id, code=f"O{n:06d}{secrets.token_hex(2)}", buyer_name=f"{first} {last}".strip(),
                  buyer_email=email, payment_state=payment)
    db.session.add(order)
    db.session.flush()
    registration = Registration(event_id=event.id, order_id=order.id, category_id=category.id, status=status,
                                ticket_code=secrets.token_hex(8), first_name=first, last_name=last, email=email)
    for question, value in (answers or {}).items():
        registration.answers.append(Answer(question_id=question.id, value=value))
    db.session.add(registration)
    db.session.flush()
    return registration


def add_waitlist(event, email: str, name: str, *, status=WaitlistStatus.WAITING, position: int = 1) -> WaitlistEntry:
    entry = WaitlistEntry(event_id=event.id, name=name, email=email, position=position, status=status)
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass
class People:
    event: object
    organiser: object
    general: object
    student: object
    interpretation: object
    dietary: object
    registrations: dict = field(default_factory=dict)


def build_people() -> People:
    """13 people on one event (and one on another, who must never appear):

    name  status            category  payment       interpretation  dietary
    ana   confirmed         General   paid          Spanish         vegan
    ben   confirmed         General   unpaid        French
    cai   confirmed         Student   waived        Spanish
    dee   pending_approval  Student   not_required
    eve   cancelled         General   refunded      Spanish
    fay   awaiting_payment  General   unpaid
    gus   confirmed         Student   not_required  French
    hal   cancelled         General   unpaid        (and a second registration:)
    hal   confirmed         Student   paid
    ivy   waitlisted (waiting)       jon waitlisted (offered)       kim: waitlist expired (not counted)
    staff: the creating admin and `org` (organisers), `chk` (check-in staff)
    """
    organiser = make_user(email="org@example.org", name="Olga Organiser")
    event = make_event(organiser=organiser, title="Known People Convening")
    grant(event, make_user(email="chk@example.org", name="Chris Checker"), Role.CHECKIN_STAFF)
    general, student = add_category(event, "General"), add_category(event, "Student")
    interp = add_question(event, "Interpretation language", options=["Spanish", "French"], builtin_key="interpretation")
    diet = add_question(event, "Dietary needs", kind=QuestionKind.SHORT_TEXT)
    people = People(event, organiser, general, student, interp, diet)
    S, P = RegistrationStatus, PaymentState
    rows = [
        ("ana", "Ana", "Alves", S.CONFIRMED, general, P.PAID, {interp: "Spanish", diet: "vegan"}),
        ("ben", "Ben", "Brown", S.CONFIRMED, general, P.UNPAID, {interp: "French"}),
        ("cai", "Cai", "Chen", S.CONFIRMED, student, P.WAIVED, {interp: "Spanish"}),
        ("dee", "Dee", "Diaz", S.PENDING_APPROVAL, student, P.NOT_REQUIRED, {}),
        ("eve", "Eve", "Evans", S.CANCELLED, general, P.REFUNDED, {interp: "Spanish"}),
        ("fay", "Fay", "Fox", S.AWAITING_PAYMENT, general, P.UNPAID, {}),
        ("gus", "Gus", "Gill", S.CONFIRMED, student, P.NOT_REQUIRED, {interp: "French"}),
        ("hal-old", "Hal", "Hunt", S.CANCELLED, general, P.UNPAID, {}),
        ("hal", "Hal", "Hunt", S.CONFIRMED, student, P.PAID, {}),
    ]
    for key, first, last, status, category, payment, answers in rows:
        email = f"{key.split('-')[0]}@example.org"
        people.registrations[key] = add_registration(event, email, first, last, status=status, category=category,
                                                     payment=payment, answers=answers)
    add_waitlist(event, "ivy@example.org", "Ivy Ito", position=1)
    add_waitlist(event, "jon@example.org", "Jon Jones", status=WaitlistStatus.OFFERED, position=2)
    add_waitlist(event, "kim@example.org", "Kim Kay", status=WaitlistStatus.EXPIRED, position=3)
    other = make_event(title="Another Convening")
    add_registration(other, "zed@example.org", "Zed", "Zane", category=add_category(other, "General"))
    return people
