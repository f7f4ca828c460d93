"""`Idempotency-Key` for the API's creates (order create and walk-ins, both through answer_once):
a retried POST with the same key (per token) gets the first answer again, status and body, and
makes nothing; the same key with a different body is a 422 problem. The key's row is written in
the same transaction as what it answers for, so a rolled-back create leaves no key behind (a
refused create is not stored: its retry is judged afresh). Two identical POSTs at once are
serialised by the service under its own lock (the order is found by a key derived from token and
key) and the unique (token, key) row settles the rest.
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable

from flask import jsonify, request
from flask_babel import gettext
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from ..errors import ValidationFailed
from ..extensions import commit_keeping_loaded, db
from ..types import utcnow
from .models import ApiIdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
# The header as the OpenAPI document describes it, on each operation answer_once serves.
HEADER_PARAMETER = {"in": "header", "name": HEADER, "required": False,
                    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
                    "description": "Send the same key again (with the same body) to get the first answer "
                                   "instead of making it twice; per token."}


def request_key() -> str | None:
    """The request's key, or None; a key that is empty or too long is a 422 problem."""
    if HEADER not in request.headers:
        return None
    key = request.headers[HEADER].strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed({HEADER: gettext("An Idempotency-Key is 1 to %(max)s characters.", max=MAX_KEY_LENGTH)})
    return key


def request_hash(body) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def service_key(token_id: int, key: str) -> str:
    """What the service itself deduplicates on (64 characters): this token's key, no one else's."""
    return hashlib.sha256(f"api:{token_id}:{key}".encode()).hexdigest()


@functools.cache
def _key_row():
    """Looked up on every create with a key: built once (issue 16), on first use (not at import:
    the mappers are configured once every model is imported)."""
    return select(ApiIdempotencyKey).where(ApiIdempotencyKey.token_id == bindparam("token_id"),
                                           ApiIdempotencyKey.key == bindparam("key"))


def stored(token_id: int, key: str, fingerprint: str) -> tuple[int, dict] | None:
    """The first answer to this key, if any; the key used with another request is refused."""
    row = db.session.scalar(_key_row(), {"token_id": token_id, "key": key})
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise ValidationFailed({HEADER: gettext("This Idempotency-Key was already used with a different request. "
                                                "Use a new key for a new request.")},
                               message=gettext("This Idempotency-Key was already used with a different request."))
    return row.status_code, row.response_body


# One Core INSERT beside the rows it answers for (issue 16: the ORM's add and flush of this row
# cost more than the insert): nothing reads the row back in the request that writes it.
_KEY_INSERT = insert(ApiIdempotencyKey.__table__)


def remember(token_id: int, key: str, fingerprint: str, status: int, body: dict) -> None:
    """Store the first answer under the key, in the transaction of what it answers for. A twin that
    committed first holds the key: the unique (token, key) constraint refuses this insert
    (IntegrityError), and answer_once answers the twin's answer."""
    db.session.connection().execute(_KEY_INSERT, {
        "token_id": token_id, "key": key, "request_hash": fingerprint, "status_code": status,
        "response_body": json.loads(json.dumps(body, default=str)), "created_at": utcnow()})


def is_twin(error: IntegrityError) -> bool:
    return "idempotency" in str(error.orig).lower()


def json_answer(status: int, body: dict, *, replayed: bool = False):
    """A JSON answer with its status; `replayed`: the first answer to an Idempotency-Key, again."""
    response = jsonify(body)
    response.status_code = status
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def answer_once(token_id: int, body: dict, make: Callable[[str | None], tuple[int, dict]]):
    """The API's creates that honour `Idempotency-Key` (orders, walk-ins) answer through here.

    Without a key: `make(None)` and a commit. With one: the first answer stored under it (same
    request) is replayed; otherwise `make(service_key)` writes what the request makes (flushed,
    not committed; the service deduplicates on `service_key`, under its own lock), the answer is
    stored beside it and both are committed at once. A twin of this request that committed first
    stored its answer under the same key: the unique (token, key) row refuses ours, our writes
    are rolled back and the twin's answer is ours too. Returns the response."""
    key = request_key()
    fingerprint = request_hash(body) if key else ""
    if key:
        first = stored(token_id, key, fingerprint)
        if first is not None:
            return json_answer(*first, replayed=True)
    try:
        status, answer = make(service_key(token_id, key) if key else None)
        if key:
            remember(token_id, key, fingerprint, status, answer)
        commit_keeping_loaded()
    except IntegrityError as error:
        db.session.rollback()
        first = stored(token_id, key, fingerprint) if key and is_twin(error) else None
        if first is None:
            raise
        return json_answer(*first, replayed=True)
    return json_answer(status, answer)
