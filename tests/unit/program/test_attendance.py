"""Stars, workshop sign-ups (capacity, idempotence) and attendee tokens."""
import pytest

from confapp.errors import InvalidState, NotAllowed, SoldOut
from confapp.program.attendance import cancel_signup, sign_up, signup_count, star_session, unstar_session
from confapp.program.models import SessionKind
from confapp.program.queries import starred_session_ids
from confapp.program.tokens import attendee_token, registration_for_token
from confapp.registration.models import RegistrationStatus
from tests.factories import make_event, make_registration, make_session


@pytest.fixture
def event(db):
    return make_event()


def test_star_and_unstar_are_idempotent(event):
    session = make_session(event, publish=True)
    registration = make_registration(event)
    star_session(session, registration)
    star_session(session, registration)
    assert starred_session_ids(registration.id) == {session.id}
    unstar_session(session, registration)
    unstar_session(session, registration)
    assert starred_session_ids(registration.id) == set()


def test_drafts_cannot_be_starred(event):
    with pytest.raises(InvalidState):
        star_session(make_session(event), make_registration(event))


def test_workshop_fills_up_and_says_so(event):
    workshop = make_session(event, kind=SessionKind.WORKSHOP, capacity=2, publish=True)
    first, second, third = (make_registration(event) for _ in range(3))
    sign_up(workshop, first)
    sign_up(workshop, first)  # the same person twice takes one place
    sign_up(workshop, second)
    with pytest.raises(SoldOut, match="full"):
        sign_up(workshop, third)
    assert signup_count(workshop.id) == 2
    assert workshop.id in starred_session_ids(first.id)
    cancel_signup(workshop, second)
    sign_up(workshop, third)
    assert signup_count(workshop.id) == 2


def test_sessions_without_capacity_take_no_signups(event):
    with pytest.raises(InvalidState):
        sign_up(make_session(event, kind=SessionKind.PANEL, capacity=10, publish=True), make_registration(event))


def test_cancelled_or_foreign_registrations_are_refused(event):
    workshop = make_session(event, kind=SessionKind.WORKSHOP, capacity=5, publish=True)
    with pytest.raises(NotAllowed):
        sign_up(workshop, make_registration(event, status=RegistrationStatus.CANCELLED))
    with pytest.raises(NotAllowed):
        sign_up(workshop, make_registration(make_event()))


def test_attendee_tokens(event):
    registration = make_registration(event)
    token = attendee_token(registration)
    assert registration_for_token(token, event.id) is registration
    assert registration_for_token(token + "x", event.id) is None
    assert registration_for_token(token, event.id + 1) is None
    registration.ticket_code = "reissued0000000000"
    assert registration_for_token(token, event.id) is None
