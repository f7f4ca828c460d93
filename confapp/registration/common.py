"""What every registration service shares: the event's settings, its active questions, new
codes and the order's history."""
from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts import permissions
from ..audit.services import actor_identity
from ..events.models import Event, new_registration_rev
from ..extensions import db
from . import pricing
from .models import Order, Question, Registration, RegistrationCategory, RegistrationEvent, RegistrationSettings

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# The event rows one public registration request reads while it validates, quotes and places an
# order (see reads_once); None outside such a request, where every call loads afresh.
_request_reads: ContextVar[dict | None] = ContextVar("registration_request_reads", default=None)
# What a kind of read loads, from a session: settings (or None), active questions, all categories.
_LOADERS: dict[str, Callable] = {}


@contextmanager
def reads_once() -> Iterator[None]:
    """Within the block, an event's registration settings, categories and active questions are
    loaded once, however many of the steps' rules read them (issue 16: a confirm step used to
    load each three times). Only for requests that change none of them (the public form, the
    API's create). Capacity is never decided from these copies: reserve_places re-reads the
    limited categories under its lock (populate_existing), and the event row is locked afresh.

    Across requests, the web process keeps what it read per event while the event's
    `registration_rev`, read with the event in each request, stays the same (shared_copies):
    an order then sends no query for them at all."""
    token = _request_reads.set({})
    try:
        yield
    finally:
        _request_reads.reset(token)


def _once(kind: str, event_id: int):
    memo = _request_reads.get()
    if memo is None:
        return _LOADERS[kind](db.session, event_id)
    key = (kind, event_id)
    if key not in memo:
        memo[key] = _shared_copies(kind, event_id)
    return memo[key]


def _shared_copies(kind: str, event_id: int):
    """This session's copies of the rows `kind` names, from the process's masters when the event
    in this session (read in this request: its row says which rev its registration rows are at)
    has the rev they were read at; else read now, in this request's transaction (the same
    snapshot as the event's rev on SQLite; on PostgreSQL a read after the rev sees at least the
    rows of that rev, which are never kept under a newer one).

    The masters are detached rows, never in any session, so nothing expires or changes them;
    each request gets its own persistent copies (Session.merge with load=False: no SQL), which
    behave as rows it loaded itself. Kept per application (its engine's database), not per
    module: tests build many applications on many databases."""
    event = db.session.identity_map.get(identity_key(Event, event_id))
    rev = getattr(event, "registration_rev", None) if event is not None else None
    if not rev:
        return _LOADERS[kind](db.session, event_id)
    shared = current_app.extensions.setdefault("registration_reads", {})
    found = shared.get((kind, event_id))
    if found is None or found[0] != rev:
        # Loaded in a session of their own on this request's connection and transaction, then
        # closed (which leaves that transaction alone, "rollback_only"): detached rows.
        side = Session(bind=db.session.connection(), join_transaction_mode="rollback_only")
        try:
            masters = _LOADERS[kind](side, event_id)
        finally:
            side.close()
        found = (rev, masters)
        shared[(kind, event_id)] = found
    masters = found[1]
    if masters is None:
        return None
    if isinstance(masters, list):
        return [db.session.merge(m, load=False) for m in masters]
    return db.session.merge(masters, load=False)


def settings_for(event: Event) -> RegistrationSettings:
    """The event's registration settings; an unsaved row with the defaults if none exists."""
    found = _once("settings", event.id)
    if found is None:
        found = RegistrationSettings(
            event_id=event.id, hold_minutes=30, allow_multiple_per_email=False, max_per_order=10, currency="USD",
            refund_policy=pricing.RefundPolicy.FULL, waitlist_enabled=True, offer_hours=48, card_enabled=True,
            at_door_enabled=False, invoice_enabled=False, confirmation_note="",
        )
    return found


def active_questions(event_id: int) -> list[Question]:
    return list(_once("questions", event_id))


def event_categories(event: Event) -> list[RegistrationCategory]:
    """All the event's categories, active or not, in their order (loaded once in reads_once)."""
    return list(_once("categories", event.id))


_LOADERS.update(
    settings=lambda session, event_id: session.scalar(
        select(RegistrationSettings).where(RegistrationSettings.event_id == event_id)),
    questions=lambda session, event_id: list(session.scalars(
        select(Question).where(Question.event_id == event_id, Question.is_active.is_(True))
        .order_by(Question.position, Question.id))),
    categories=lambda session, event_id: list(session.scalars(
        select(RegistrationCategory).where(RegistrationCategory.event_id == event_id)
        .order_by(RegistrationCategory.position, RegistrationCategory.id))),
)

# What the shared copies are copies of: any change to one of these rows gives its event a new rev.
_SHARED_ROWS = (RegistrationSettings, RegistrationCategory, Question)


@sa_event.listens_for(Session, "before_flush")
def _new_registration_rev(session: Session, flush_context, instances) -> None:
    """Every write of an event's settings, categories or questions through a session (created,
    changed, deleted) gives the event a new `registration_rev` in the same transaction, so no
    process keeps using its copies once the change is committed. Writes that bypass the session
    (Core UPDATEs of these tables) must call bump_registration_rev themselves; none do today."""
    events: set[int] = set()
    for obj in session.new:
        if isinstance(obj, _SHARED_ROWS):
            event_id = obj.event_id
            if event_id is None and isinstance(obj, RegistrationCategory) and obj.event is not None:
                event_id = obj.event.id
            events.add(event_id)
    for obj in session.dirty:
        if isinstance(obj, _SHARED_ROWS) and session.is_modified(obj, include_collections=False):
            events.add(obj.event_id)
    for obj in session.deleted:
        if isinstance(obj, _SHARED_ROWS):
            events.add(obj.event_id)
    events.discard(None)
    for event_id in sorted(events):
        bump_registration_rev(session, event_id)


def bump_registration_rev(session: Session, event_id: int) -> None:
    """A new rev for the event's registration rows (updated_at left as it is: the event itself
    did not change); the event's row in this session, if loaded, is told without a reload."""
    rev = new_registration_rev()
    table = Event.__table__
    session.connection().execute(update(table).where(table.c.id == event_id)
                                 .values(registration_rev=rev, updated_at=table.c.updated_at))
    loaded = session.identity_map.get(identity_key(Event, event_id))
    if loaded is not None:
        set_committed_value(loaded, "registration_rev", rev)


def new_code(length: int = 8) -> str:
    """A random order code (32**8, about 10**12, of them). Not looked up: the unique constraint
    catches the rare duplicate, and the insert draws again (services.place_order)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def violates(error: IntegrityError, constraint: str, column: str) -> bool:
    """Whether `error` is the unique constraint `constraint` on `column` ("table.column"), and not
    another: PostgreSQL names the constraint, SQLite the column."""
    diag = getattr(error.orig, "diag", None)
    name = getattr(diag, "constraint_name", None) if diag is not None else None
    if name:
        return name == constraint
    return str(error.orig).strip() == f"UNIQUE constraint failed: {column}"


def new_ticket_code() -> str:
    # 120 random bits, URL- and QR-friendly. A spreadsheet reads a leading "-" (1 code in 64) as a
    # formula, and a leading "_" looks like a typing slip: draw again (at most a few times).
    while True:
        code = secrets.token_urlsafe(15)
        if code[0].isalnum():
            return code


# Payments depends on registration, never the reverse: it hands its check over when imported
# (payments/checkout.py), and the application factory imports every domain.
_card_payments_check: Callable[[], bool] | None = None


def register_card_payments_check(check: Callable[[], bool]) -> None:
    global _card_payments_check
    _card_payments_check = check


def card_payments_available() -> bool:
    """Whether a card payment can start now (payments says so: it has a Stripe key)."""
    if _card_payments_check is None:
        raise RuntimeError("No card payments check: confapp.payments.checkout has not been imported (create_app imports it).")
    return bool(_card_payments_check())


def _history_actor(actor) -> tuple[int | None, str]:
    user_id, label = actor_identity(actor)
    if not label and user_id:
        label = getattr(actor, "name", "")
    if not user_id and label in ("", "anonymous"):
        label = "Attendee"  # the public form or the self-service page
    return user_id, label or ""


def history(order: Order, kind: str, *, actor, now: datetime, registration: Registration | None = None, note: str = "") -> None:
    user_id, label = _history_actor(actor)
    db.session.add(RegistrationEvent(order_id=order.id, registration_id=registration.id if registration else None,
                                     kind=kind, note=note[:300], actor_user_id=user_id, actor_label=label,
                                     created_at=now))


def order_history(order: Order, entries: list[tuple[str, str]], *, actor, now: datetime) -> None:
    """History entries of the order itself, (kind, note) in this order, written at once in one
    statement (an executemany: the ORM inserts its rows one by one on SQLite, for their ids)."""
    user_id, label = _history_actor(actor)
    db.session.execute(insert(RegistrationEvent), [
        {"order_id": order.id, "registration_id": None, "kind": kind, "note": note[:300], "actor_user_id": user_id,
         "actor_label": label, "created_at": now} for kind, note in entries
    ])


def is_manager(actor, event: Event) -> bool:
    return permissions.can(actor, permissions.Action.MANAGE_REGISTRATIONS, event)
