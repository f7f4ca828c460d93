"""The rules of online attendance: modes, join details, attendance recorded once, revocation.

Services flush; the caller commits. Audit entries name ids and fields, never the meeting URL
or the access code.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..errors import InvalidState, NotAllowed, ValidationFailed
from ..events.models import AttendanceMode, Event
from ..events.services import register_copy_hook
from ..extensions import db
from ..program.models import ProgramSession, SessionDelivery
from ..registration.models import PlaceKind, Registration, RegistrationCategory, RegistrationStatus
from .models import AttendanceSource, JoinDetails, JoinLinkRevocation, OnlineAttendance


def set_attendance_modes(event: Event, mode: AttendanceMode, *, categories: dict[int, PlaceKind],
                         sessions: dict[int, SessionDelivery | None], actor) -> None:
    """The event's mode, each category's kind of place and each session's delivery. An online
    event has no in-person places and an in-person one no online places (ValidationFailed)."""
    rows = {c.id: c for c in db.session.scalars(select(RegistrationCategory).where(RegistrationCategory.event_id == event.id))}
    kinds = {cid: categories.get(cid, c.attendance_mode) for cid, c in rows.items()}
    if mode == AttendanceMode.IN_PERSON and PlaceKind.ONLINE in kinds.values():
        raise ValidationFailed({"mode": gettext("An in-person event cannot have online places: make it hybrid, or change the categories.")})
    if mode == AttendanceMode.ONLINE and PlaceKind.IN_PERSON in kinds.values():
        raise ValidationFailed({"mode": gettext("An online event cannot have in-person places: make it hybrid, or change the categories.")})
    event.attendance_mode = mode
    for cid, kind in kinds.items():
        rows[cid].attendance_mode = kind
    own = {s.id: s for s in db.session.scalars(select(ProgramSession).where(ProgramSession.event_id == event.id))}
    for sid, delivery in sessions.items():
        if sid in own:
            own[sid].delivery = delivery
    db.session.flush()
    record("online.modes_changed", actor=actor, event=event, details={"mode": mode.value})


@dataclass
class JoinDetailsData:
    meeting_url: str
    dial_in_numbers: str = ""
    access_code: str = ""
    instructions: str = ""
    reveal_minutes: int = 30
    in_person_may_join: bool = False


def _checked(data: JoinDetailsData) -> None:
    url = urlsplit(data.meeting_url.strip())
    if url.scheme not in ("https", "http") or not url.netloc:
        raise ValidationFailed({"meeting_url": gettext("Enter the meeting's full address, starting with https://.")})
    if not 0 <= data.reveal_minutes <= 7 * 24 * 60:
        raise ValidationFailed({"reveal_minutes": gettext("Enter a number of minutes between 0 and 10080 (a week).")})


def save_join_details(event: Event, data: JoinDetailsData, *, session: ProgramSession | None = None, actor) -> JoinDetails:
    """Create or replace the join details of the event (session None) or one of its sessions."""
    if session is not None and session.event_id != event.id:
        raise NotAllowed()
    _checked(data)
    details = db.session.scalar(select(JoinDetails).where(
        JoinDetails.event_id == event.id,
        JoinDetails.session_id == session.id if session is not None else JoinDetails.session_id.is_(None)))
    if details is None:
        details = JoinDetails(event_id=event.id, session_id=session.id if session else None)
        db.session.add(details)
    details.meeting_url = data.meeting_url.strip()
    details.dial_in_numbers = data.dial_in_numbers.strip()
    details.access_code = data.access_code.strip()
    details.instructions = data.instructions.strip()
    details.reveal_minutes = data.reveal_minutes
    details.in_person_may_join = data.in_person_may_join
    db.session.flush()
    record("online.join_details_saved", actor=actor, event=event,
           details={"session_id": session.id if session else None, "fields": ["meeting_url", "dial_in_numbers",
                    "access_code", "instructions", "reveal_minutes", "in_person_may_join"]})
    return details


def remove_join_details(details: JoinDetails, *, actor) -> None:
    event = db.session.get(Event, details.event_id)
    record("online.join_details_removed", actor=actor, event=event, details={"session_id": details.session_id})
    db.session.delete(details)
    db.session.flush()


@dataclass
class JoinResult:
    attendance: OnlineAttendance
    first: bool  # False: this attendee had already joined this session


def _existing(registration_id: int, session_id: int | None) -> OnlineAttendance | None:
    return db.session.scalar(select(OnlineAttendance).where(
        OnlineAttendance.registration_id == registration_id,
        OnlineAttendance.session_id == session_id if session_id is not None else OnlineAttendance.session_id.is_(None)))


def _lock_registration(registration: Registration) -> Registration:
    # FOR NO KEY UPDATE: inserting the attendance row (which refers to the registration) stays compatible.
    return db.session.scalars(select(Registration).where(Registration.id == registration.id)
                              .with_for_update(key_share=True).execution_options(populate_existing=True)).one()


def record_attendance(registration: Registration, session_id: int | None, *, now: datetime,
                      source: AttendanceSource = AttendanceSource.LINK, actor=None) -> JoinResult:
    """Count `registration` as attending `session_id` (None: the event) online, once. Locks the
    registration row, re-reads its status and any earlier attendance, then inserts; a racing
    insert that got past the lock anyway (another host's transaction) meets the partial unique
    index and the earlier row is returned. InvalidState for a registration no longer confirmed."""
    registration = _lock_registration(registration)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise InvalidState(gettext("Only confirmed registrations can attend."))
    found = _existing(registration.id, session_id)
    if found is not None:
        return JoinResult(found, False)
    attendance = OnlineAttendance(event_id=registration.event_id, registration_id=registration.id, session_id=session_id,
                                  joined_at=now, source=source,
                                  marked_by_user_id=getattr(actor, "id", None) if source == AttendanceSource.MANUAL else None)
    try:
        with db.session.begin_nested():
            db.session.add(attendance)
            db.session.flush()
    except IntegrityError:
        return JoinResult(_existing(registration.id, session_id), False)
    if source == AttendanceSource.MANUAL:
        record("online.attendance_marked", actor=actor, event=registration.event, target=registration,
               details={"session_id": session_id})
    return JoinResult(attendance, True)


def unmark_attendance(attendance: OnlineAttendance, *, actor) -> None:
    """An organiser takes back an attendance (marked by mistake)."""
    registration = db.session.get(Registration, attendance.registration_id)
    record("online.attendance_unmarked", actor=actor, event=registration.event, target=registration,
           details={"session_id": attendance.session_id})
    db.session.delete(attendance)
    db.session.flush()


def revoke_join_links(registration: Registration, *, actor, now: datetime) -> None:
    """Every join link issued to this attendee stops working; their ticket page shows new ones."""
    db.session.add(JoinLinkRevocation(event_id=registration.event_id, registration_id=registration.id, revoked_at=now,
                                      revoked_by_user_id=getattr(actor, "id", None)))
    db.session.flush()
    record("online.join_links_revoked", actor=actor, event=registration.event, target=registration)


@register_copy_hook
def copy_attendance_modes(source: Event, target: Event, shift) -> None:
    """A new edition keeps the previous one's modes: the event's, each copied category's (same
    name and position) and each copied session's (same title and shifted start). Registered after
    registration's and programme's hooks (the application imports domains in order), so their
    copies exist. Join details are not copied: each edition has its own meeting."""
    db.session.flush()
    target.attendance_mode = source.attendance_mode
    kinds = {(c.name, c.position): c.attendance_mode for c in db.session.scalars(
        select(RegistrationCategory).where(RegistrationCategory.event_id == source.id))}
    for category in db.session.scalars(select(RegistrationCategory).where(RegistrationCategory.event_id == target.id)):
        category.attendance_mode = kinds.get((category.name, category.position), category.attendance_mode)
    deliveries = {(s.title, s.starts_at + shift if s.starts_at else None): s.delivery for s in db.session.scalars(
        select(ProgramSession).where(ProgramSession.event_id == source.id, ProgramSession.delivery.is_not(None)))}
    for session in db.session.scalars(select(ProgramSession).where(ProgramSession.event_id == target.id)):
        session.delivery = deliveries.get((session.title, session.starts_at), session.delivery)
    db.session.flush()
