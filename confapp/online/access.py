"""Who may see join details, and from when; the personal join links (`/j/<token>`).

A join link is signed (the application's secret) and names the registration, the session (0:
the event as a whole) and how many times the organiser has revoked this attendee's links: a
link issued before a revocation no longer matches. Nothing here writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from ..errors import DomainError, NotAllowed, NotFound
from ..events.models import AttendanceMode, Event
from ..extensions import db
from ..program.models import ProgramSession, SessionDelivery, SessionStatus
from ..registration.models import Registration, RegistrationStatus
from .models import JoinDetails, JoinLinkRevocation

_SALT = "online-join"
_DEFAULT_DELIVERY = {
    AttendanceMode.IN_PERSON: SessionDelivery.ROOM,
    AttendanceMode.HYBRID: SessionDelivery.STREAMED,
    AttendanceMode.ONLINE: SessionDelivery.ONLINE,
}


class LinkRevoked(DomainError):
    status_code = 410


def session_delivery(session: ProgramSession, event: Event) -> SessionDelivery:
    """The session's own delivery, else what the event's attendance mode implies."""
    return session.delivery or _DEFAULT_DELIVERY[event.attendance_mode]


@dataclass
class JoinTarget:
    """One thing an attendee can join: a session, or the event (session None)."""

    session: ProgramSession | None
    details: JoinDetails
    starts_at: datetime

    @property
    def reveal_at(self) -> datetime:
        return self.starts_at - timedelta(minutes=self.details.reveal_minutes)

    def revealed(self, now: datetime) -> bool:
        return now >= self.reveal_at

    @property
    def session_id(self) -> int | None:
        return self.session.id if self.session else None


def entitled(registration: Registration, details: JoinDetails) -> bool:
    """Confirmed attendees with an online place; in-person ones too where the organiser allows it."""
    if registration.status != RegistrationStatus.CONFIRMED or registration.purged_at is not None:
        return False
    return registration.category.is_online or details.in_person_may_join


def join_targets(event: Event) -> list[JoinTarget]:
    """What can be joined online: each public, scheduled session that is streamed or online-only
    and has join details (its own, else the event's); without such sessions, the event itself
    when it has join details. Two queries."""
    details = list(db.session.scalars(select(JoinDetails).where(JoinDetails.event_id == event.id)))
    for_event = next((d for d in details if d.session_id is None), None)
    by_session = {d.session_id: d for d in details if d.session_id is not None}
    sessions = db.session.scalars(
        select(ProgramSession).where(ProgramSession.event_id == event.id, ProgramSession.status == SessionStatus.PUBLISHED,
                                     ProgramSession.starts_at.is_not(None))
        .order_by(ProgramSession.starts_at, ProgramSession.id)
    )
    targets = []
    for session in sessions:
        if session_delivery(session, event) == SessionDelivery.ROOM:
            continue
        found = by_session.get(session.id, for_event)
        if found is not None and found.meeting_url:
            targets.append(JoinTarget(session, found, session.starts_at))
    if not targets and for_event is not None and for_event.meeting_url:
        targets.append(JoinTarget(None, for_event, event.starts_at))
    return targets


def targets_for(registration: Registration, event: Event) -> list[JoinTarget]:
    return [t for t in join_targets(event) if entitled(registration, t.details)]


def link_generation(registration: Registration) -> int:
    return db.session.scalar(
        select(func.count()).select_from(JoinLinkRevocation).where(JoinLinkRevocation.registration_id == registration.id)
    ) or 0


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def join_token(registration: Registration, session_id: int | None, *, generation: int) -> str:
    return _serializer().dumps([registration.id, session_id or 0, generation])


@dataclass
class OpenedLink:
    registration: Registration
    event: Event
    target: JoinTarget


def open_link(token: str) -> OpenedLink:
    """The registration and target a join link stands for. Raises NotFound for a link that was
    never issued here (tampered, truncated), LinkRevoked for a revoked one, NotAllowed when the
    attendee is no longer entitled (cancelled, moved to an in-person place) or the session no
    longer takes online attendees."""
    try:
        registration_id, session_id, generation = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise NotFound(gettext("This join link is not valid. Use the link on your ticket page or in your email."))
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.purged_at is not None:
        raise NotFound(gettext("This join link is not valid. Use the link on your ticket page or in your email."))
    if generation != link_generation(registration):
        raise LinkRevoked(gettext("This join link was withdrawn by the organisers. Your ticket page has the current one."))
    event = registration.event
    target = next((t for t in join_targets(event) if t.session_id == (session_id or None)), None)
    if target is None or not entitled(registration, target.details):
        raise NotAllowed(gettext("This join link no longer gives access. Contact the organisers if you think this is wrong."))
    return OpenedLink(registration, event, target)
