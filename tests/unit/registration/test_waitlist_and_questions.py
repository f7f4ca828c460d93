"""Waitlist offers and claims; question rules (fixed clock)."""
from datetime import timedelta

import pytest

from confapp.errors import SoldOut, ValidationFailed
from confapp.registration import services, waitlist
from confapp.registration.models import Question, RegistrationStatus, WaitlistStatus
from confapp.registration.questions import BUILTIN_QUESTIONS, clean_answers
from tests.factories import make_category, make_event, make_registration


@pytest.fixture
def full_event(db, organiser, now):
    event = make_event(organiser=organiser, capacity=1)
    category = make_category(event)
    reg = make_registration(event, category, now=now)
    return event, category, reg


def test_join_waitlist_puts_people_in_order_and_dedupes(full_event, now):
    event, _, _ = full_event
    a = waitlist.join_waitlist(event, name="A", email="a@example.org", now=now)
    b = waitlist.join_waitlist(event, name="B", email="b@example.org", now=now)
    again = waitlist.join_waitlist(event, name="A", email="A@example.org", now=now)
    assert (a.position, b.position) == (1, 2) and again.id == a.id


def test_offer_holds_the_place_until_claimed(full_event, now, organiser):
    event, category, reg = full_event
    entry = waitlist.join_waitlist(event, name="Jo", email="jo@example.org", now=now)
    services.cancel_registration(reg, actor=organiser, now=now)
    assert entry.status == WaitlistStatus.OFFERED and entry.offer_expires_at == now + timedelta(hours=48)
    with pytest.raises(SoldOut):  # the offered place is not for the public
        make_registration(event, category, now=now)
    claimed = make_registration(event, category, now=now + timedelta(hours=1), email="jo@example.org",
                                waitlist_token=entry.offer_token)
    assert claimed.status == RegistrationStatus.CONFIRMED
    assert entry.status == WaitlistStatus.CLAIMED and entry.order_id == claimed.order_id


def test_an_offer_cannot_be_claimed_twice_or_late(full_event, now, organiser):
    event, category, reg = full_event
    entry = waitlist.join_waitlist(event, name="Jo", email="jo@example.org", now=now)
    services.cancel_registration(reg, actor=organiser, now=now)
    with pytest.raises(ValidationFailed) as late:
        make_registration(event, category, now=now + timedelta(hours=49), waitlist_token=entry.offer_token)
    assert "waitlist" in late.value.errors


def test_unclaimed_offers_pass_to_the_next_person(full_event, now, organiser):
    event, _, reg = full_event
    first = waitlist.join_waitlist(event, name="First", email="first@example.org", now=now)
    second = waitlist.join_waitlist(event, name="Second", email="second@example.org", now=now)
    services.cancel_registration(reg, actor=organiser, now=now)
    assert (first.status, second.status) == (WaitlistStatus.OFFERED, WaitlistStatus.WAITING)
    assert waitlist.expire_offers(now=now + timedelta(hours=47)) == 0
    assert waitlist.expire_offers(now=now + timedelta(hours=49)) == 1
    assert (first.status, second.status) == (WaitlistStatus.EXPIRED, WaitlistStatus.OFFERED)


def test_organiser_reorders_and_offers_by_hand(db, organiser, now):
    event = make_event(organiser=organiser, capacity=1)
    make_registration(event, make_category(event), now=now)
    a = waitlist.join_waitlist(event, name="A", email="a@example.org", now=now)
    b = waitlist.join_waitlist(event, name="B", email="b@example.org", now=now)
    waitlist.move_entry(b, -1, actor=organiser)
    assert (b.position, a.position) == (1, 2)
    event.capacity = 2  # one more place: the organiser gives it to A, ahead of B
    waitlist.offer_by_hand(a, actor=organiser, now=now)
    assert (a.status, b.status) == (WaitlistStatus.OFFERED, WaitlistStatus.WAITING)
    with pytest.raises(SoldOut):
        waitlist.offer_by_hand(b, actor=organiser, now=now)


def test_joining_when_a_place_is_free_gets_an_offer_at_once(db, organiser, now):
    event = make_event(organiser=organiser, capacity=2)
    make_registration(event, make_category(event), now=now)
    entry = waitlist.join_waitlist(event, name="Early", email="early@example.org", now=now)
    assert entry.status == WaitlistStatus.OFFERED


def test_category_waitlist_waits_for_that_category(db, organiser, now):
    event = make_event(organiser=organiser, capacity=10)
    student = make_category(event, capacity=1, name="Student")
    general = make_category(event)
    reg = make_registration(event, student, now=now)
    entry = waitlist.join_waitlist(event, name="S", email="s@example.org", category_id=student.id, now=now)
    other = make_registration(event, general, now=now)
    services.cancel_registration(other, actor=organiser, now=now)
    assert entry.status == WaitlistStatus.WAITING
    services.cancel_registration(reg, actor=organiser, now=now)
    assert entry.status == WaitlistStatus.OFFERED


def _q(db, event, **kw):
    q = Question(event_id=event.id, **kw)
    db.session.add(q)
    db.session.flush()
    return q


def test_conditional_question_only_required_when_shown(db, event):
    needs = _q(db, event, kind="single_choice", label="Do you need interpretation?", options=["Yes", "No"], required=True, position=1)
    which = _q(db, event, kind="single_choice", label="Which language?", options=["Spanish", "ASL"], required=True,
               condition_question_id=needs.id, condition_value="Yes", position=2)
    questions = [needs, which]
    values, errors = clean_answers(questions, {needs.id: "No", which.id: "Spanish"})
    assert errors == {} and values == {needs.id: "No"}  # hidden answer dropped
    _, errors = clean_answers(questions, {needs.id: "Yes"})
    assert errors == {which.id: "Answer this question."}


@pytest.mark.parametrize("kind,raw,ok", [
    ("email", "not-an-email", False), ("email", "Ana@Example.org", True),
    ("phone", "call me", False), ("phone", "+1 (617) 555-0134", True),
    ("country", "ZZ", False), ("country", "us", True),
    ("single_choice", "Maybe", False), ("multiple_choice", ["Vegan", "Nope"], False), ("multiple_choice", ["Vegan"], True),
    ("short_text", "x" * 301, False), ("checkbox", "yes", True),
])
def test_answer_kinds_are_checked(db, event, kind, raw, ok):
    q = _q(db, event, kind=kind, label="Q", options=["Vegan", "Halal"] if "choice" in kind else [])
    _, errors = clean_answers([q], {q.id: raw})
    assert (errors == {}) is ok


def test_required_checkbox_must_be_ticked(db, event):
    q = _q(db, event, kind="checkbox", label="I agree to the code of conduct", required=True)
    assert clean_answers([q], {q.id: ""})[1] and not clean_answers([q], {q.id: "on"})[1]


def test_builtins_cover_what_organisers_need():
    assert {"organisation", "city", "region", "country", "pronouns", "accessibility", "dietary", "interpretation",
            "consent_attendee_list", "consent_photos"} <= set(BUILTIN_QUESTIONS)
    assert BUILTIN_QUESTIONS["consent_photos"].is_personal is False
