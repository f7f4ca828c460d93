"""Helpers shared by every domain's forms and form-handling views."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

from flask import flash

from .errors import DomainError, ValidationFailed
from .extensions import db

T = TypeVar("T")


def show_errors(form, error: ValidationFailed, *, fallback=None) -> None:
    """Put a service's ValidationFailed messages next to the form fields they name; a message
    for a field the form does not have goes on the `fallback` field when one is given, else it is
    flashed, so nothing the service said is lost."""
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is None or not hasattr(field, "errors"):
            field = fallback
        if field is not None:
            field.errors = list(field.errors) + [message]
        else:
            flash(message, "error")


def flash_error(error: DomainError) -> None:
    """Flash what the service said: a ValidationFailed's field messages (its own message is only
    the generic "Some fields need attention" then), otherwise the error's message."""
    if isinstance(error, ValidationFailed) and error.errors:
        for message in error.errors.values():
            flash(message, "error")
    else:
        flash(error.message, "error")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What run_action did: true when the change was committed; `result` is what it returned."""

    ok: bool
    result: T | None = None

    def __bool__(self) -> bool:
        return self.ok


def run_action(change: Callable[[], T], success: str | Callable[[T], str] | None, *, form=None,
               fallback=None) -> Outcome[T]:
    """Run one service call as the request's transaction: commit and flash `success` (or
    `success(result)`; nothing when None) when it works; roll back when it raises a DomainError
    and flash what the service said (flash_error). With `form` (a page that shows the form again
    when the change fails), a ValidationFailed's messages go on the form's fields instead
    (show_errors, with `fallback`). The Outcome is true when it worked and carries the result."""
    try:
        result = change()
    except DomainError as error:
        db.session.rollback()
        if form is not None and isinstance(error, ValidationFailed) and error.errors:
            show_errors(form, error, fallback=fallback)
        else:
            flash_error(error)
        return Outcome(False)
    db.session.commit()
    if success is not None:
        flash(success(result) if callable(success) else success, "success")
    return Outcome(True, result)
