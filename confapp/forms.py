"""Helpers shared by every domain's forms."""
from __future__ import annotations

from flask import flash

from .errors import ValidationFailed


def show_errors(form, error: ValidationFailed) -> None:
    """Put a service's ValidationFailed messages next to the form fields they name; a message
    for a field the form does not have is flashed, so nothing the service said is lost."""
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]
        else:
            flash(message, "error")
