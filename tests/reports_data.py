"""Report test data with known true counts.

Registration's services are being written in parallel, so these rows are inserted through
the models directly (statuses and amounts as the services would leave them); switch to the
services once `confapp.registration.services` offers register/cancel/walk-in.
"""
from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

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
)

_n = itertools.count(1)
QUESTION_KEYS = {
    "city": QuestionKind.SHORT_TEXT,
    "region": QuestionKind.SHORT_TEXT,
    "country": QuestionKind.COUNTRY,
    "organisation": QuestionKind.SHORT_TEXT,
    "consent_attendee_list": QuestionKind.CHECKBOX,
    "dietary": QuestionKind.SHORT_TEXT,
}


@dataclass
class Builder:
    event: object
    categories: dict = field(default_factory=dict)
    questions: dict = field(default_factory=dict)
    registrations: list = field(default_factory=list)

    def category(self, name: str, price: int = 0) -> RegistrationCategory:
        if name not in self.categories:
            category = RegistrationCategory(event_id=self.event.id, name=name, price_minor=price, position=len(self.categories))
            db.session.add(category)
            db.session.flush()
            self.categories[name] = category
        return self.categories[name]

    def ensure_questions(self) -> None:
        for key, kind in QUESTION_KEYS.items():
            if key not in self.questions:
                q = Question(event_id=self.event.id, kind=kind, label=key.title(), builtin_key=key,
                             is_personal=key != "consent_attendee_list", position=len(self.questions))
                db.session.add(q)
                self.questions[key] = q
        db.session.flush()

    def order(self, people: list[dict], *, category: str = "General", price: int = 0, status=RegistrationStatus.CONFIRMED,
              paid: int | None = None, refunded: int = 0, discount: int = 0, state: PaymentState | None = None,
              walk_in: bool = False, at: datetime | None = None, waiver_reason: str = "", ip: str = "") -> Order:
        self.ensure_questions()
        cat = self.category(category, price)
        at = at or (self.event.starts_at - timedelta(days=10))
        subtotal = price * len(people)
        if state is None:
            state = PaymentState.NOT_REQUIRED if subtotal == 0 else PaymentState.PAID
        buyer = people[0]
        order = Order(
            event_id=self.event.id, code=f"O{next(_n):07d}", buyer_name=buyer["name"], buyer_email=buyer.get("email", ""),
            subtotal_minor=subtotal, discount_minor=discount, total_minor=subtotal - discount,
            paid_minor=(subtotal - discount) if paid is None and state == PaymentState.PAID else (paid or 0),
            refunded_minor=refunded, payment_state=state, waiver_requested=bool(waiver_reason),
            waiver_reason=waiver_reason, ip_address=ip, created_at=at,
        )
        db.session.add(order)
        db.session.flush()
        for person in people:
            first, _, last = person["name"].partition(" ")
            reg = Registration(
                event_id=self.event.id, order_id=order.id, category_id=cat.id, status=person.get("status", status),
                ticket_code=secrets.token_hex(8), first_name=first, last_name=last, email=person.get("email", ""),
                search_text=f"{person['name']} {person.get('email', '')}".lower(), price_minor=price,
                is_walk_in=walk_in, created_at=person.get("at", at),
                confirmed_at=at if person.get("status", status) == RegistrationStatus.CONFIRMED else None,
                cancelled_at=at + timedelta(hours=1) if person.get("status", status) == RegistrationStatus.CANCELLED else None,
            )
            db.session.add(reg)
            db.session.flush()
            for key in ("city", "region", "country", "organisation", "dietary"):
                if person.get(key):
                    db.session.add(Answer(registration_id=reg.id, question_id=self.questions[key].id, value=person[key]))
            db.session.add(Answer(registration_id=reg.id, question_id=self.questions["consent_attendee_list"].id,
                                  value="yes" if person.get("consent") else ""))
            self.registrations.append(reg)
        db.session.flush()
        return order

    def waitlist(self, name: str, email: str) -> WaitlistEntry:
        entry = WaitlistEntry(event_id=self.event.id, name=name, email=email, position=next(_n))
        db.session.add(entry)
        db.session.flush()
        return entry


def known_event(event, b: Builder | None = None) -> Builder:
    """The fixture with known true counts (see test_figures_match_the_known_counts):

    registered 10 = Alice (cancelled once, registered again) + Carol's group of 3 + 2 walk-ins + 4 singles;
    cancelled 1 (Bob; Alice's first registration is superseded); pending 1 (Frank); waitlist 1.
    """
    b = b or Builder(event)
    day = event.starts_at - timedelta(days=20)
    b.order([{"name": "Alice Adeyemi", "email": "alice@example.org", "city": "Boston", "organisation": "Boston University",
              "consent": True, "country": "US", "dietary": "vegan"}],
            price=5000, status=RegistrationStatus.CANCELLED, paid=5000, refunded=5000, state=PaymentState.REFUNDED, at=day)
    b.order([{"name": "Alice Adeyemi", "email": "alice@example.org", "city": "Boston", "organisation": "Boston University",
              "consent": True, "country": "US"}], price=5000, at=day + timedelta(days=1), ip="203.0.113.7")
    b.order([{"name": "Bob Brennan", "email": "bob@example.org", "city": "Chicago"}], price=5000,
            status=RegistrationStatus.CANCELLED, paid=5000, refunded=5000, state=PaymentState.REFUNDED, at=day)
    b.order([
        {"name": "Carol Castillo", "email": "carol@example.org", "city": "boston ", "organisation": "Boston University", "consent": True, "country": "US"},
        {"name": "Dan Dube", "email": "dan@example.org", "city": "Boston", "organisation": "Boston  University", "country": "US"},
        {"name": "Eve Eriksen", "email": "", "city": "Chicago", "organisation": "Columbia University", "country": "US"},
    ], price=5000, discount=1500, at=day + timedelta(days=2))
    b.order([{"name": "Walker One", "email": "w1@example.org", "city": "Boston", "country": "US"}], category="Walk-in", walk_in=True,
            at=event.starts_at + timedelta(hours=1))
    b.order([{"name": "Walker Two", "email": "w2@example.org", "city": "Baltimore", "country": "US"}], category="Walk-in", walk_in=True,
            at=event.starts_at + timedelta(hours=2))
    b.order([{"name": "Grace Gomez", "email": "grace@example.org", "city": "Boston", "organisation": "Secret Org", "country": "US"}],
            category="Student", at=day + timedelta(days=3))
    b.order([{"name": "Hana Haddad", "email": "hana@example.org", "city": "Chicago", "country": "CA", "consent": True,
              "organisation": "Community Legal Aid"}], category="Student", at=day + timedelta(days=3))
    b.order([{"name": "Ivan Ilic", "email": "ivan@example.org", "city": "Boston", "country": "US"}], price=5000,
            state=PaymentState.WAIVED, paid=0, waiver_reason="I am between jobs", at=day + timedelta(days=4))
    b.order([{"name": "Jo Jansen", "email": "jo@example.org", "city": "Boston", "country": "US"}], category="Student",
            at=day + timedelta(days=5))
    b.order([{"name": "Frank Fischer", "email": "frank@example.org", "city": "Boston"}], category="Student",
            status=RegistrationStatus.PENDING_APPROVAL, at=day + timedelta(days=5))
    b.waitlist("Wanda Wait", "wanda@example.org")
    return b


PERSONAL_STRINGS = [
    "Alice", "Adeyemi", "alice@example.org", "Bob Brennan", "bob@example.org", "Castillo", "carol@example.org",
    "Dube", "Eriksen", "Walker One", "w1@example.org", "Gomez", "Haddad", "Ilic", "Jansen", "Frank Fischer",
    "Wanda Wait", "wanda@example.org", "203.0.113.7", "between jobs", "vegan",
]


ARRIVED = ["alice@example.org", "carol@example.org", "dan@example.org", "w1@example.org", "w2@example.org",
           "grace@example.org", "hana@example.org"]


def check_in_known(b: Builder, actor) -> None:
    """Seven arrive through the main entrance (both walk-ins among them); Eve is checked in by
    mistake and undone, so she stays a no-show with Ivan and Jo."""
    from confapp.accounts.models import Role
    from confapp.accounts.permissions import Action, can
    from confapp.checkin import services as checkin
    from tests.factories import grant

    event = b.event
    if not can(actor, Action.CHECK_IN, event):  # the check-in services check the actor themselves
        grant(event, actor, Role.CHECKIN_STAFF)
    door = checkin.main_list(event, actor=actor, now=event.starts_at)
    by_email = {r.email: r for r in b.registrations if r.status == RegistrationStatus.CONFIRMED and r.email}
    for i, email in enumerate(ARRIVED):
        at = event.starts_at + timedelta(minutes=25 * i)
        result = checkin.redeem(by_email[email].ticket_code, checkin_list=door, station="Door 1", actor=actor, now=at)
        assert result.check_in is not None, result
    eve = next(r for r in b.registrations if r.first_name == "Eve")
    mistaken = checkin.redeem(eve.ticket_code, checkin_list=door, station="Door 1", actor=actor, now=event.starts_at)
    checkin.undo(mistaken.check_in, actor=actor, now=event.starts_at + timedelta(minutes=1))
    db.session.flush()


def program_known(b: Builder, actor) -> dict:
    """Two published sessions that count (a plenary with a session check-in list: 4 in; a workshop
    with 3 sign-ups), a break and a draft that do not; three distinct speakers, one declined
    speaker who does not count."""
    from confapp.checkin import services as checkin
    from confapp.checkin.models import ListKind
    from confapp.program.attendance import sign_up
    from confapp.program.models import ParticipationStatus, SessionKind, SpeakerRole
    from confapp.program.speakers import assign_speaker
    from tests.factories import make_session, make_speaker

    event = b.event
    plenary = make_session(event, title="Opening plenary", kind=SessionKind.PLENARY, publish=True, actor=actor)
    workshop = make_session(event, title="Workshop on the right to housing", kind=SessionKind.WORKSHOP, capacity=20,
                            publish=True, actor=actor, starts_at=event.local(event.starts_at).replace(hour=14, minute=0))
    make_session(event, title="Coffee", kind=SessionKind.BREAK, publish=True, actor=actor,
                 starts_at=event.local(event.starts_at).replace(hour=12, minute=0), duration=timedelta(minutes=15))
    make_session(event, title="Unpublished idea", actor=actor, starts_at=event.local(event.starts_at).replace(hour=16, minute=0))
    a, s, c, d = (make_speaker(event, name=n, actor=actor) for n in ("Cathy Albisa", "Risa Kaufman", "JoAnn Kamuf Ward", "Declined Person"))
    assign_speaker(plenary, a, SpeakerRole.KEYNOTE, actor=actor, event=event)
    assign_speaker(plenary, s, SpeakerRole.PANELIST, actor=actor, event=event)
    assign_speaker(workshop, s, SpeakerRole.FACILITATOR, actor=actor, event=event)
    assign_speaker(workshop, c, SpeakerRole.FACILITATOR, actor=actor, event=event)
    assign_speaker(workshop, d, SpeakerRole.PANELIST, actor=actor, event=event).status = ParticipationStatus.DECLINED
    confirmed = [r for r in b.registrations if r.status == RegistrationStatus.CONFIRMED]
    room = checkin.create_list(event, name="Plenary hall", kind=ListKind.SESSION, program_session_id=plenary.id,
                               actor=actor, now=event.starts_at)
    for r in confirmed[:4]:
        checkin.redeem(r.ticket_code, checkin_list=room, station="Hall", actor=actor, now=event.starts_at + timedelta(hours=1))
    for r in confirmed[4:7]:
        sign_up(workshop, r, now=event.starts_at - timedelta(days=1))
    db.session.flush()
    return {"plenary": plenary, "workshop": workshop}


def known_world(**event_fields):
    """An organiser and an event with the known registrations, check-ins and programme, committed:
    (organiser, event, builder); the programme's sessions are `builder.sessions`."""
    from tests.factories import make_event, make_user

    organiser = make_user()
    event = make_event(organiser=organiser, **event_fields)
    builder = known_event(event)
    check_in_known(builder, organiser)
    builder.sessions = program_known(builder, organiser)
    db.session.commit()
    return organiser, event, builder


def ended_two_days_ago() -> dict:
    """The dates of an event that ran for 30 hours from two days ago (by the test clock): over,
    so it can be reported on and surveyed."""
    from confapp.types import utcnow

    start = utcnow() - timedelta(days=2)
    return {"starts_at": start, "ends_at": start + timedelta(hours=30)}
