"""Helpers shared by every domain's forms and form-handling views."""
from __future__ import annotations

from typing import Callable, TypeVar

from flask import flash

from .errors import DomainError, ValidationFailed
from .extensions import db

T = TypeVar("T")


def show_errors(form, error: ValidationFailed) -> None:
    """Put a service's ValidationFailed messages next to the form fields they name; a message
    for a field the form does not have is flashed, so nothing the service said is lost."""
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]
        else:
            flash(message, "error")


def run_action(change: Callable[[], T], success: str | Callable[[T], str]) -> bool:
    """Run one service call as the request's transaction: commit and flash `success` (or
    `success(result)`) when it works; roll back and flash the service's own message when it
    raises a DomainError. True when it worked."""
    try:
        result = change()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return False
    db.session.commit()
    flash(success(result) if callable(success) else success, "success")
    return True
