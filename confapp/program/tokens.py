"""Signed links for people without an account: speakers (self-service) and attendees
(personal agenda, workshop sign-ups, calendar feed).

Speaker links expire (SPEAKER_LINK_MAX_AGE, default 60 days) and carry the speaker's
`link_nonce`, so re-inviting revokes older links. Attendee links reuse the registration
self-service token (one private link per attendee; reissuing the ticket code revokes it).
"""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from ..extensions import db
from .models import Speaker

SPEAKER_SALT = "program.speaker-link"
DEFAULT_SPEAKER_LINK_MAX_AGE = 60 * 60 * 24 * 60


def _speaker_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SPEAKER_SALT)


def speaker_token(speaker: Speaker) -> str:
    return _speaker_serializer().dumps({"s": speaker.id, "n": speaker.link_nonce})


def speaker_for_token(token: str, *, max_age: int | None = None) -> Speaker | None:
    """The speaker a self-service link belongs to; None if tampered, expired or revoked."""
    max_age = max_age if max_age is not None else current_app.config.get("SPEAKER_LINK_MAX_AGE", DEFAULT_SPEAKER_LINK_MAX_AGE)
    try:
        data = _speaker_serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    speaker = db.session.get(Speaker, data.get("s"))
    if speaker is None or speaker.link_nonce != data.get("n"):
        return None
    return speaker


def attendee_token(registration) -> str:
    """The attendee's link token: the registration self-service token (registration/links.py),
    so one private link opens both the ticket page and the personal agenda."""
    from ..registration.links import ticket_token

    return ticket_token(registration)


def registration_for_token(token: str, event_id: int | None = None):
    """The active, unpurged registration an attendee link belongs to, or None."""
    from ..registration.links import ticket_code_from_token
    from ..registration.models import ACTIVE_STATUSES, Registration

    code = ticket_code_from_token(token)
    if not isinstance(code, str):
        return None
    registration = db.session.scalar(select(Registration).where(Registration.ticket_code == code))
    if registration is None or registration.purged_at is not None:
        return None
    if event_id is not None and registration.event_id != event_id:
        return None
    if registration.status not in ACTIVE_STATUSES:
        return None
    return registration
