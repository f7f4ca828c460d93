"""A session room's places at its check-in list: its capacity, who signed up, and how many
walk-ins (people who did not sign up) it can still take."""
from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..program.models import ProgramSession, SessionSignup
from .models import CheckIn, CheckInList


def signed_up_for_session(checkin_list: CheckInList, registration_id: int) -> bool:
    return db.session.scalar(select(SessionSignup.id).where(
        SessionSignup.session_id == checkin_list.program_session_id, SessionSignup.registration_id == registration_id)) is not None


def session_capacity(checkin_list: CheckInList) -> int | None:
    if checkin_list.capacity is not None:
        return checkin_list.capacity
    if checkin_list.program_session_id:
        return db.session.scalar(select(ProgramSession.capacity).where(ProgramSession.id == checkin_list.program_session_id))
    return None


def walk_in_would_overfill(checkin_list: CheckInList) -> int | None:
    """The capacity if a walk-in (someone who did not sign up) would overfill the room, else None.
    Signed-up places stay reserved. The list row is locked so two desks cannot both take the
    last place (SQLite serialises writers through BEGIN IMMEDIATE)."""
    capacity = session_capacity(checkin_list)
    if capacity is None:
        return None
    db.session.scalars(select(CheckInList.id).where(CheckInList.id == checkin_list.id).with_for_update()).one()
    return capacity if walk_in_places_left(checkin_list, capacity) <= 0 else None


def room_places(checkin_list: CheckInList) -> dict | None:
    """For a per-session list whose room has a capacity: the capacity and the places people who
    did not sign up may still take (the desk keeps them to decide walk-ins offline). None for
    other lists."""
    capacity = session_capacity(checkin_list) if checkin_list.program_session_id else None
    if capacity is None:
        return None
    return {"capacity": capacity, "walk_in_places_left": max(walk_in_places_left(checkin_list, capacity), 0)}


def walk_in_places_left(checkin_list: CheckInList, capacity: int) -> int:
    signed_up = select(SessionSignup.registration_id).where(SessionSignup.session_id == checkin_list.program_session_id)
    signups = db.session.scalar(select(func.count()).select_from(signed_up.subquery())) or 0
    walk_ins = db.session.scalar(select(func.count(CheckIn.id)).where(
        CheckIn.list_id == checkin_list.id, CheckIn.reverted_at.is_(None), CheckIn.registration_id.not_in(signed_up))) or 0
    return capacity - signups - walk_ins
