"""One-click unsubscribe: a signed token naming (address, event) in every announcement.

The token needs no database row until it is used; using it records an Unsubscribe row
(for the event, or for every event when the person asks for that).
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..urls import external_url
from .models import Unsubscribe

_SALT = "outreach-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def make_token(address: str, event_id: int) -> str:
    return _serializer().dumps([address.lower(), event_id])


def read_token(token: str) -> tuple[str, int]:
    try:
        address, event_id = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise NotFound(gettext("This unsubscribe link is not valid.")) from None
    return str(address), int(event_id)


def unsubscribe_url(address: str, event_id: int) -> str:
    return external_url("outreach.unsubscribe", token=make_token(address, event_id))


def unsubscribe(token: str, *, everything: bool = False, now: datetime) -> Unsubscribe:
    """Record the unsubscription named by the token (idempotent). Raises NotFound for a bad token.
    No audit entry: the actor is anonymous and the row itself is the record."""
    address, event_id = read_token(token)
    scope = None if everything else event_id
    existing = db.session.scalar(
        select(Unsubscribe).where(Unsubscribe.address == address,
                                  Unsubscribe.event_id.is_(None) if scope is None else Unsubscribe.event_id == scope)
    )
    if existing is not None:
        return existing
    row = Unsubscribe(address=address, event_id=scope, token=token[:300], created_at=now)
    db.session.add(row)
    db.session.flush()
    return row
