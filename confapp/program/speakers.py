"""Speaker rules: profiles (by organisers, or by the speaker through a signed link), photos,
who speaks in which session and in what role, invitations and answers."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext
from sqlalchemy import select

from ..events.content_languages import tr
from ..accounts import permissions
from ..accounts.permissions import Action
from ..audit.services import record
from ..errors import InvalidState, NotAllowed, ValidationFailed
from ..extensions import db
from ..outreach.event_mail import send_event_email
from ..types import utcnow
from ..urls import external_url
from . import photos
from .models import ParticipationStatus, ProgramSession, SessionSpeaker, Speaker, SpeakerRole
from .tokens import speaker_token


class SpeakerActor:
    """The actor when a speaker acts through their own signed link (no account)."""

    is_authenticated = False

    def __init__(self, speaker: Speaker):
        self.speaker_id = speaker.id
        self.audit_label = f"speaker link #{speaker.id}"


@dataclass
class SpeakerData:
    name: str
    email: str = ""
    pronouns: str = ""
    affiliation: str = ""
    city: str = ""
    bio: str = ""
    links: list[str] = field(default_factory=list)


SPEAKER_FIELDS = ("name", "pronouns", "affiliation", "city", "bio", "links")


def _may_edit(actor, speaker: Speaker, event) -> None:
    if isinstance(actor, SpeakerActor):
        if actor.speaker_id != speaker.id:
            raise NotAllowed(gettext("A speaker link only opens its own profile."))
        return
    permissions.require(actor, Action.MANAGE_PROGRAM, event)


def _validate(data: SpeakerData) -> None:
    errors = {}
    if not data.name.strip():
        errors["name"] = gettext("Give the speaker's name.")
    if data.email and ("@" not in data.email or len(data.email) > 254):
        errors["email"] = gettext("Give a valid email address.")
    if len(data.links) > 5:
        errors["links"] = gettext("Give at most five links.")
    for link in data.links:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors["links"] = gettext("Links must start with https:// or http://.")
    if len(data.bio) > 2000:
        errors["bio"] = gettext("Keep the bio under 2,000 characters.")
    if errors:
        raise ValidationFailed(errors)


def create_speaker(event, data: SpeakerData, *, actor, now: datetime | None = None) -> Speaker:
    """Add a speaker to the event. Raises NotAllowed, ValidationFailed."""
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    _validate(data)
    now = now or utcnow()
    speaker = Speaker(event_id=event.id, email=data.email.strip().lower(), created_at=now, updated_at=now)
    for name in SPEAKER_FIELDS:
        setattr(speaker, name, getattr(data, name))
    speaker.name = data.name.strip()
    db.session.add(speaker)
    db.session.flush()
    record("program.speaker_created", actor=actor, event=event, target=speaker, now=now)
    return speaker


def update_speaker(speaker: Speaker, data: SpeakerData, *, actor, event, now: datetime | None = None) -> Speaker:
    """Edit a profile: organisers, or the speaker through their own link (who cannot change
    their email: it is where their link is sent). Raises NotAllowed, ValidationFailed."""
    _may_edit(actor, speaker, event)
    _validate(data)
    now = now or utcnow()
    changed = [name for name in SPEAKER_FIELDS if getattr(speaker, name) != getattr(data, name)]
    for name in SPEAKER_FIELDS:
        setattr(speaker, name, getattr(data, name))
    speaker.name = data.name.strip()
    if not isinstance(actor, SpeakerActor) and speaker.email != data.email.strip().lower():
        speaker.email = data.email.strip().lower()
        changed.append("email")
    speaker.updated_at = now
    db.session.flush()
    record("program.speaker_updated", actor=actor, event=event, target=speaker, details={"fields": changed}, now=now)
    return speaker


def set_speaker_photo(speaker: Speaker, data: bytes, content_type: str | None, *, actor, event,
                      now: datetime | None = None) -> Speaker:
    """Replace the speaker's photo. Raises NotAllowed, ValidationFailed({"photo": ...})."""
    _may_edit(actor, speaker, event)
    name = photos.store_photo(data, content_type)
    old = speaker.photo_filename
    speaker.photo_filename = name
    speaker.updated_at = now or utcnow()
    db.session.flush()
    photos.delete_photo(old)
    record("program.speaker_photo_set", actor=actor, event=event, target=speaker, now=now)
    return speaker


def remove_speaker_photo(speaker: Speaker, *, actor, event, now: datetime | None = None) -> Speaker:
    _may_edit(actor, speaker, event)
    old, speaker.photo_filename = speaker.photo_filename, None
    db.session.flush()
    photos.delete_photo(old)
    return speaker


def delete_speaker(speaker: Speaker, *, actor, event, now: datetime | None = None) -> None:
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    record("program.speaker_deleted", actor=actor, event=event, target=speaker, now=now)
    photos.delete_photo(speaker.photo_filename)
    db.session.delete(speaker)
    db.session.flush()


def assign_speaker(session: ProgramSession, speaker: Speaker, role: SpeakerRole, *, actor, event,
                   now: datetime | None = None) -> SessionSpeaker:
    """Put a speaker in a session with a role (changing the role if already there).
    Raises NotAllowed, InvalidState (another event's speaker or session)."""
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    if speaker.event_id != event.id or session.event_id != event.id:
        raise InvalidState(gettext("The speaker and the session must belong to this event."))
    link = db.session.scalar(select(SessionSpeaker).where(
        SessionSpeaker.session_id == session.id, SessionSpeaker.speaker_id == speaker.id))
    if link is None:
        position = len(session.speakers)
        link = SessionSpeaker(session=session, speaker=speaker, position=position)
        db.session.add(link)
    link.role = SpeakerRole(role)
    db.session.flush()
    record("program.speaker_assigned", actor=actor, event=event, target=session,
           details={"speaker_id": speaker.id, "role": str(role)}, now=now)
    return link


def unassign_speaker(link: SessionSpeaker, *, actor, event, now: datetime | None = None) -> None:
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    record("program.speaker_unassigned", actor=actor, event=event, target=link.session,
           details={"speaker_id": link.speaker_id}, now=now)
    db.session.delete(link)
    db.session.flush()


def invite_speaker(speaker: Speaker, *, actor, event, now: datetime | None = None) -> Speaker:
    """Email the speaker their self-service link (sent after commit). Re-inviting revokes
    earlier links. Raises NotAllowed, InvalidState (no email address)."""
    permissions.require(actor, Action.MANAGE_PROGRAM, event)
    if not speaker.email:
        raise InvalidState(gettext("Add the speaker's email address before inviting them."))
    now = now or utcnow()
    speaker.link_nonce = secrets.token_hex(8)
    speaker.invited_at = now
    db.session.flush()
    link = external_url("program.speaker_portal", slug=event.slug, token=speaker_token(speaker))
    send_event_email(event, speaker.email, gettext("Your sessions at %(event)s", event=tr(event, "title")), "program_speaker_invitation",
                     recipient_name=speaker.name or "", speaker=speaker, link=link, reply_to=event.contact_email or None)
    record("program.speaker_invited", actor=actor, event=event, target=speaker, now=now)
    return speaker


def respond_to_session(link: SessionSpeaker, status: ParticipationStatus, *, actor, event,
                       now: datetime | None = None) -> SessionSpeaker:
    """The speaker confirms or declines one session. Raises NotAllowed (someone else's session)."""
    if not isinstance(actor, SpeakerActor) or actor.speaker_id != link.speaker_id:
        raise NotAllowed(gettext("Only the speaker can answer for themselves."))
    status = ParticipationStatus(status)
    if status == ParticipationStatus.PENDING:
        raise InvalidState(gettext("Choose to confirm or decline."))
    link.status = status
    link.responded_at = now or utcnow()
    db.session.flush()
    record("program.speaker_responded", actor=actor, event=event, target=link.session,
           details={"speaker_id": link.speaker_id, "status": str(status)}, now=now)
    return link
