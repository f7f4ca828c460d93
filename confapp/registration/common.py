"""What every registration service shares: the event's settings, its active questions, new
codes and the order's history."""
from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ..accounts import permissions
from ..audit.services import actor_identity
from ..events.models import Event
from ..extensions import db
from . import pricing
from .models import Order, Question, Registration, RegistrationCategory, RegistrationEvent, RegistrationSettings

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# The event rows one public registration request reads while it validates, quotes and places an
# order (see reads_once); None outside such a request, where every call loads afresh.
_request_reads: ContextVar[dict | None] = ContextVar("registration_request_reads", default=None)


@contextmanager
def reads_once() -> Iterator[None]:
    """Within the block, an event's registration settings, categories and active questions are
    loaded once, however many of the steps' rules read them (issue 16: a confirm step used to
    load each three times). Only for requests that change none of them (the public form, the
    API's create). Capacity is never decided from these copies: reserve_places re-reads the
    limited categories under its lock (populate_existing), and the event row is locked afresh."""
    token = _request_reads.set({})
    try:
        yield
    finally:
        _request_reads.reset(token)


def _once(key: tuple, load: Callable):
    memo = _request_reads.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def settings_for(event: Event) -> RegistrationSettings:
    """The event's registration settings; an unsaved row with the defaults if none exists."""
    return _once(("settings", event.id), lambda: _load_settings(event))


def _load_settings(event: Event) -> RegistrationSettings:
    found = db.session.scalar(select(RegistrationSettings).where(RegistrationSettings.event_id == event.id))
    if found is None:
        found = RegistrationSettings(
            event_id=event.id, hold_minutes=30, allow_multiple_per_email=False, max_per_order=10, currency="USD",
            refund_policy=pricing.RefundPolicy.FULL, waitlist_enabled=True, offer_hours=48, card_enabled=True,
            at_door_enabled=False, invoice_enabled=False, confirmation_note="",
        )
    return found


def active_questions(event_id: int) -> list[Question]:
    return list(_once(("questions", event_id), lambda: list(db.session.scalars(
        select(Question).where(Question.event_id == event_id, Question.is_active.is_(True))
        .order_by(Question.position, Question.id)
    ))))


def event_categories(event: Event) -> list[RegistrationCategory]:
    """All the event's categories, active or not, in their order (loaded once in reads_once)."""
    return list(_once(("categories", event.id), lambda: list(db.session.scalars(
        select(RegistrationCategory).where(RegistrationCategory.event_id == event.id)
        .order_by(RegistrationCategory.position, RegistrationCategory.id)))))


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
