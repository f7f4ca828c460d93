"""Who is calling /api/v1: the bearer token, its scope, its event, its rate limit.

Called by each handler (inside `reads_before_writes()` for a POST, so the token is read before
SQLite's write lock is taken). Every answer here is JSON: 401 for no, unknown, revoked or
expired tokens, 403 for a missing scope or a creator who may no longer do it, 404 for an event
the token does not reach (a token of another event learns nothing about this one), 429 over
the per-token rate limit.
"""
from __future__ import annotations

import time

from flask import current_app, g, request
from flask_babel import gettext
from flask_smorest import abort
from limits import parse
from sqlalchemy import select

from ..accounts.permissions import Action, can
from ..events.models import Event
from ..extensions import db, limiter
from ..types import utcnow
from .models import Scope
from .tokens import TokenActor, TokenRefused, authenticate, note_use

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="confapp"'}
DEFAULT_RATE_LIMIT = "300 per minute"
# Views anyone may call without a token (published programme, published report): their names,
# so the blueprint's "no credentials at all" refusal lets them through.
PUBLIC_ENDPOINTS: set[str] = set()
# In the OpenAPI document: no credentials, or a token (which then must carry the scope).
OPTIONAL_SECURITY = [{}, {"bearerAuth": []}]


def public(view):
    """Mark a /api/v1 view as answerable without a token (it decides what a caller without one sees)."""
    PUBLIC_ENDPOINTS.add(f"api_v1.{view.__name__}")
    return view


def bearer_secret() -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def token_actor(scope: Scope, *or_scopes: Scope) -> TokenActor:
    """The actor behind this request's token, which must carry `scope` (or one of `or_scopes`:
    the handler then tells them apart, e.g. an organiser's token from a partner site's)."""
    now = utcnow()
    try:
        token = authenticate(bearer_secret() or "", now=now)
    except TokenRefused as refused:
        abort(401, message=refused.message, headers=CHALLENGE)
    _rate_limit(token.id)
    if not any(token.has_scope(s) for s in (scope, *or_scopes)):
        abort(403, message=gettext("This token does not have the %(scope)s permission.", scope=scope.value))
    note_use(token, now=now)
    g.api_token_id = token.id
    return TokenActor(token)


def optional_token_actor(scope: Scope) -> TokenActor | None:
    """None for a caller without credentials; else the token's actor, which must carry `scope`
    (a token sent is always checked: a wrong, expired or unscoped one is refused, not ignored)."""
    return None if bearer_secret() is None else token_actor(scope)


def token_event(actor: TokenActor, slug: str, action: Action):
    """The event `slug`, if the token reaches it and its creator may still do `action` there."""
    token = actor.token
    if token.event_id is not None:
        # An event's token: its event came with it (tokens.authenticate), no query.
        event = token.event if token.event.slug == slug else None
    else:
        event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404, message=gettext("No such event."))
    if not can(actor, action, event):
        abort(403, message=gettext("The token's creator may no longer do this for this event."))
    return event


def _rate_limit(token_id: int) -> None:
    """Flask-Limiter's storage, keyed by the token (not the address: integrations share hosts)."""
    if not limiter.enabled:
        return
    item = parse(current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE_LIMIT))
    if not limiter.limiter.hit(item, "api-token", str(token_id)):
        reset_at, _ = limiter.limiter.get_window_stats(item, "api-token", str(token_id))
        wait = max(1, int(reset_at - time.time()) + 1)  # the limiter's clock is the wall clock
        abort(429, message=gettext("Too many requests with this token. Wait a little and try again."),
              headers={"Retry-After": str(wait)})
