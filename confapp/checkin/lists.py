"""Check-in lists (the doors people come in through) and volunteer links (a door opened without an
account, for a time window, revocable). Re-exported by `checkin.services`, where callers find them."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cache

from flask_babel import gettext
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..errors import NotAllowed, NotFound, ValidationFailed
from ..events.content_languages import default_language
from ..extensions import db
from ..i18n import in_language
from .models import CheckInList, ListKind, VolunteerLink


def create_list(event, *, name: str, actor, now: datetime, kind: ListKind = ListKind.MAIN,
                category_ids: list[int] | None = None, program_session_id: int | None = None,
                capacity: int | None = None) -> CheckInList:
    """A door for `event`. Raises ValidationFailed for an empty name or negative capacity."""
    errors = {}
    if not name.strip():
        errors["name"] = gettext("Name the list (for example, Main entrance).")
    if capacity is not None and capacity < 0:
        errors["capacity"] = gettext("Capacity cannot be negative.")
    if program_session_id is not None:
        from ..program.models import ProgramSession

        session = db.session.get(ProgramSession, program_session_id)
        if session is None or session.event_id != event.id:
            errors["program_session_id"] = gettext("Choose a session of this event.")
    if errors:
        raise ValidationFailed(errors)
    checkin_list = CheckInList(
        event_id=event.id, name=name.strip()[:120], kind=kind, category_ids=sorted(category_ids or []),
        program_session_id=program_session_id, capacity=capacity, created_at=now,
    )
    db.session.add(checkin_list)
    db.session.flush()
    record("checkin.list_create", actor=actor, event=event, target=checkin_list, now=now)
    return checkin_list


def main_list(event, *, actor, now: datetime) -> CheckInList:
    """The event's main entrance list, made on first use."""
    existing = db.session.scalar(
        select(CheckInList).where(CheckInList.event_id == event.id, CheckInList.kind == ListKind.MAIN)
        .order_by(CheckInList.position, CheckInList.id).limit(1)
    )
    if existing:
        return existing
    # A name the organisers can change, made in the event's default language: what its staff and
    # its pages read first (a Spanish event's desk says "Entrada principal").
    with in_language(default_language(event)):
        name = gettext("Main entrance")
    return create_list(event, name=name, actor=actor, now=now)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_volunteer_link(checkin_list: CheckInList, *, name: str, valid_from: datetime, valid_until: datetime,
                          actor, now: datetime) -> tuple[VolunteerLink, str]:
    """A link to `checkin_list`'s desk. Returns the link and its token, which is shown once and
    stored only as a hash. Raises ValidationFailed for an empty name or an empty window."""
    errors = {}
    if not name.strip():
        errors["name"] = gettext("Name the link for the door or the person who will use it.")
    if valid_until <= valid_from:
        errors["valid_until"] = gettext("The link must stop working after it starts.")
    if errors:
        raise ValidationFailed(errors)
    token = secrets.token_urlsafe(32)
    link = VolunteerLink(
        event_id=checkin_list.event_id, list_id=checkin_list.id, name=name.strip()[:120],
        token_hash=hash_token(token), valid_from=valid_from, valid_until=valid_until,
        created_by_id=getattr(actor, "id", None), created_at=now,
    )
    db.session.add(link)
    db.session.flush()
    record("checkin.link_create", actor=actor, event=checkin_list.event, target=link,
           details={"list_id": checkin_list.id}, now=now)
    return link, token


def revoke_volunteer_link(link: VolunteerLink, *, actor, now: datetime) -> None:
    """Stop a link working at once. Revoking twice is harmless."""
    if link.revoked_at is None:
        link.revoked_at = now
        db.session.flush()
        record("checkin.link_revoke", actor=actor, event=link.event, target=link, now=now)


@cache
def _link_statement():
    """Built once per process: every desk request looks its link up (issue 16: building this
    select with its eager loads cost a sixth of a redeem)."""
    return (select(VolunteerLink).options(joinedload(VolunteerLink.list).joinedload(CheckInList.event))
            .where(VolunteerLink.token_hash == bindparam("token_hash")))


def link_from_token(token: str, *, now: datetime) -> VolunteerLink:
    """The valid link for `token`. Raises NotFound for an unknown (or tampered) token and
    NotAllowed for a revoked link or one outside its time window."""
    if not token or len(token) > 100:
        raise NotFound(gettext("This check-in link is not valid."))
    link = db.session.scalar(_link_statement(), {"token_hash": hash_token(token)})
    if link is None:
        raise NotFound(gettext("This check-in link is not valid."))
    if link.revoked_at is not None:
        raise NotAllowed(gettext("This check-in link was switched off by the organisers."))
    if not link.is_valid(now):
        raise NotAllowed(gettext("This check-in link is not active now."))
    return link
