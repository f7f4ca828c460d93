"""What registered attendees do with the programme: star sessions for their personal agenda,
and take a place in workshops that have a capacity (never oversold)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select

from ..errors import InvalidState, NotAllowed, SoldOut
from ..extensions import db
from ..registration.models import ACTIVE_STATUSES
from ..types import utcnow
from .models import ProgramSession, SessionSignup, SessionStar, SessionStatus


def _check_registration(session: ProgramSession, registration) -> None:
    if registration.event_id != session.event_id:
        raise NotAllowed(gettext("That session belongs to another event."))
    if registration.status not in ACTIVE_STATUSES:
        raise NotAllowed(gettext("Your registration is not active."))


def star_session(session: ProgramSession, registration, *, now: datetime | None = None) -> SessionStar:
    """Add a published session to the attendee's agenda (idempotent). Raises NotAllowed, InvalidState."""
    _check_registration(session, registration)
    if session.status != SessionStatus.PUBLISHED:
        raise InvalidState(gettext("Only sessions in the published agenda can be starred."))
    star = db.session.scalar(select(SessionStar).where(
        SessionStar.registration_id == registration.id, SessionStar.session_id == session.id))
    if star is None:
        star = SessionStar(registration_id=registration.id, session_id=session.id, created_at=now or utcnow())
        db.session.add(star)
        db.session.flush()
    return star


def unstar_session(session: ProgramSession, registration) -> None:
    _check_registration(session, registration)
    star = db.session.scalar(select(SessionStar).where(
        SessionStar.registration_id == registration.id, SessionStar.session_id == session.id))
    if star is not None:
        db.session.delete(star)
        db.session.flush()


def signup_count(session_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(SessionSignup).where(SessionSignup.session_id == session_id)) or 0


def sign_up(session: ProgramSession, registration, *, now: datetime | None = None) -> SessionSignup:
    """Take a place in a workshop with a capacity, and star it.

    Lock, re-check, write: the session row is locked (SELECT ... FOR UPDATE) before counting,
    so concurrent sign-ups for the last places queue behind each other and never oversell.
    Raises SoldOut when full, InvalidState if the session takes no sign-ups, NotAllowed.
    """
    _check_registration(session, registration)
    locked = db.session.scalar(
        select(ProgramSession).where(ProgramSession.id == session.id).with_for_update().execution_options(populate_existing=True)
    )
    if locked.status != SessionStatus.PUBLISHED or not locked.takes_signups:
        raise InvalidState(gettext("This session does not take sign-ups."))
    existing = db.session.scalar(select(SessionSignup).where(
        SessionSignup.session_id == locked.id, SessionSignup.registration_id == registration.id))
    if existing is not None:
        return existing
    if signup_count(locked.id) >= locked.capacity:
        raise SoldOut(gettext("This workshop is full."))
    signup = SessionSignup(session_id=locked.id, registration_id=registration.id, created_at=now or utcnow())
    db.session.add(signup)
    db.session.flush()
    star_session(locked, registration, now=now)
    return signup


def cancel_signup(session: ProgramSession, registration) -> None:
    """Give a workshop place back (no lock needed: freeing capacity cannot oversell)."""
    _check_registration(session, registration)
    signup = db.session.scalar(select(SessionSignup).where(
        SessionSignup.session_id == session.id, SessionSignup.registration_id == registration.id))
    if signup is not None:
        db.session.delete(signup)
        db.session.flush()
