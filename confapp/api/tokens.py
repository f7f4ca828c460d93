"""API tokens: make, revoke, authenticate, and the actor a request through a token acts as.

A token never grants more than its creator may do at the time of the request: `TokenActor`
answers the permission checks (`accounts.permissions.can`) with the creator's current roles, and
the API's handlers also require the token's own scope and event. Writes through a token are
audited under "API token: <name>" (with the creator's user id).
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import User
from ..accounts.permissions import Action, can
from ..audit.services import record
from ..errors import DomainError, InvalidState, NotAllowed, ValidationFailed
from ..extensions import db
from ..transactions import caller_is_writing, separate_connection, separate_write
from .models import ApiToken, Scope

SECRET_PREFIX = "capi_"
# "Last used" is a hint for the organiser, not a log: written at most this often per token, so
# a busy integration does not turn every read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenRefused(DomainError):
    status_code = 401
    code = "unauthorized"
    # Lazy: a class attribute, read in the language of the request it answers (DomainError).
    default_message = _l("Send a valid API token as 'Authorization: Bearer <token>'.")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenActor:
    """Who acts through a token: its creator's current permissions, its own name in the audit log
    and at the desk ("checked in by <token name>")."""

    is_authenticated = True

    def __init__(self, token: ApiToken):
        self.token = token
        self.user: User = token.created_by

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    @property
    def is_site_admin(self) -> bool:
        return self.user.is_site_admin

    @property
    def roles(self):
        return self.user.roles

    @property
    def name(self) -> str:
        return self.token.name

    @property
    def audit_user_id(self) -> int:
        return self.user.id

    @property
    def audit_label(self) -> str:
        return f"API token: {self.token.name}"


def _check_can_manage(actor, event) -> None:
    if event is None:
        if not (getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_site_admin):
            raise NotAllowed(gettext("Only site administrators can make site-wide tokens."))
    elif not can(actor, Action.MANAGE_ROLES, event):
        raise NotAllowed()


def create_token(event, *, name: str, scopes: list[str], expires_at: datetime | None, actor,
                 now: datetime) -> tuple[ApiToken, str]:
    """A token for `event` (None: site-wide, site administrators only). Returns the token and its
    secret, which is shown once and stored only as a hash. Raises NotAllowed for an actor who may
    not manage the event's team, ValidationFailed for no name, no or unknown scopes, or an expiry
    in the past."""
    _check_can_manage(actor, event)
    errors = {}
    if not (name or "").strip():
        errors["name"] = gettext("Name the token after the integration that will use it.")
    known = {scope.value for scope in Scope}
    if not scopes or any(scope not in known for scope in scopes):
        errors["scopes"] = gettext("Choose at least one permission.")
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = gettext("The expiry must be in the future.")
    if errors:
        raise ValidationFailed(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(event_id=getattr(event, "id", None), created_by_id=actor.id, name=name.strip()[:120],
                     scopes=sorted(set(scopes)), token_hash=hash_secret(secret), expires_at=expires_at,
                     created_at=now)
    db.session.add(token)
    db.session.flush()
    record("api.token_create", actor=actor, event=event, target=token, details={"scopes": token.scopes}, now=now)
    return token, secret


def revoke_token(token: ApiToken, *, actor, now: datetime) -> ApiToken:
    """Switch a token off for good. Raises NotAllowed for an actor who may not manage the token's
    event, InvalidState for a token already revoked."""
    _check_can_manage(actor, token.event)
    if token.revoked_at is not None:
        raise InvalidState(gettext("That token was already revoked."))
    token.revoked_at = now
    db.session.flush()
    record("api.token_revoke", actor=actor, event=token.event, target=token, now=now)
    return token


@functools.cache
def _token_by_hash():
    """Built once with a bind parameter, on first use (not at import: the mappers are configured
    once every model is imported): building it (three joined loads) per request cost about as
    much CPU as running it, on every API request (issue 16)."""
    return (select(ApiToken).options(joinedload(ApiToken.created_by).joinedload(User.roles), joinedload(ApiToken.event))
            .where(ApiToken.token_hash == bindparam("digest")))


def authenticate(secret: str, *, now: datetime) -> ApiToken:
    """The live token for `secret`. Raises TokenRefused for an unknown, revoked or expired token."""
    if not secret or len(secret) > 200:
        raise TokenRefused()
    digest = hash_secret(secret)
    # One statement: the token, its creator with their roles (what `can` decides from) and the
    # token's event, which token_event then takes from here (issue 16: three statements before).
    token = db.session.execute(_token_by_hash(), {"digest": digest}).unique().scalar_one_or_none()
    # The lookup is by the hash of the secret; compare in constant time all the same.
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        raise TokenRefused(gettext("This API token is not valid."))
    if token.revoked_at is not None:
        raise TokenRefused(gettext("This API token was revoked."))
    if token.is_expired(now):
        raise TokenRefused(gettext("This API token has expired."))
    return token


def note_use(token: ApiToken, *, now: datetime) -> None:
    """Record "last used" (at most once per LAST_USED_PRECISION). A read request writes it in a
    transaction of its own, so GET handlers never write in theirs."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    if caller_is_writing():
        # Written now, in the caller's transaction (it holds the write lock already), not left
        # pending for a later query's autoflush: a create may send none before its decision point.
        token.last_used_at = now
        db.session.flush()
        return
    with separate_connection() as connection:
        separate_write(connection, update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    set_committed_value(token, "last_used_at", now)  # written already: not a change of this session
