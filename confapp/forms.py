"""Helpers shared by every domain's forms and form-handling views."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Generic, TypeVar

from flask import flash
from flask_babel import format_decimal, gettext
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeField, DecimalField, FloatField, IntegerField, StringField
from wtforms.validators import Length, ValidationError

from .errors import DomainError, ValidationFailed
from .extensions import db
from .inputs import FIRST_YEAR, LAST_YEAR, MAX_ID

T = TypeVar("T")

# Bounds every form field gets unless it says something narrower (Form below).
MAX_NUMBER = MAX_ID
MAX_TEXT = 50_000


def strip_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


def _number_in_range(form, field) -> None:
    if field.data is not None and not -MAX_NUMBER <= field.data <= MAX_NUMBER:
        raise ValidationError(gettext("Enter a number between %(low)s and %(high)s.", low=format_decimal(-MAX_NUMBER),
                                      high=format_decimal(MAX_NUMBER)))


def _year_in_range(form, field) -> None:
    if isinstance(field.data, date) and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(gettext("Enter a date between the years %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR))


class Form(FlaskForm):
    """The base of every form: each field gets the bounds the database and the pages can take,
    so that no typed value reaches a service out of range. Text loses NUL characters (which
    PostgreSQL cannot store) and is at most MAX_TEXT long unless the field sets its own Length;
    numbers fit an integer column; dates fall between FIRST_YEAR and LAST_YEAR."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            extra = []
            if isinstance(field, StringField):
                field.filters = (*field.filters, strip_nul)
                if not any(isinstance(v, Length) for v in field.validators):
                    extra.append(Length(max=MAX_TEXT))
            elif isinstance(field, (IntegerField, DecimalField, FloatField)):
                extra.append(_number_in_range)
            elif isinstance(field, (DateField, DateTimeField)):
                extra.append(_year_in_range)
            if extra:
                field.validators = [*field.validators, *extra]
            return field


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
