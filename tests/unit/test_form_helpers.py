"""confapp.forms: the helpers every form view uses to run a service call as its transaction."""
from __future__ import annotations

import pytest
from flask import get_flashed_messages
from sqlalchemy import select

from confapp.accounts.models import User
from confapp.errors import InvalidState, ValidationFailed
from confapp.forms import flash_error, run_action, show_errors
from tests.factories import make_user


class _Field:
    def __init__(self):
        self.errors = ()


class _Form:
    def __init__(self):
        self.title = _Field()
        self.match = _Field()


@pytest.fixture
def request_context(app, db):
    with app.test_request_context("/", method="POST"):
        yield


def _flashes():
    return get_flashed_messages(with_categories=True)


def _user_exists(db, email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == email)) is not None


def test_show_errors_puts_messages_on_fields_and_flashes_the_rest(request_context):
    form = _Form()
    show_errors(form, ValidationFailed({"title": "Write a title.", "segment": "Nobody matches."}))
    assert form.title.errors == ["Write a title."]
    assert _flashes() == [("error", "Nobody matches.")]


def test_show_errors_with_a_fallback_field_keeps_unknown_names_on_the_form(request_context):
    form = _Form()
    show_errors(form, ValidationFailed({"title": "Write a title.", "segment": "Nobody matches."}), fallback=form.match)
    assert form.title.errors == ["Write a title."]
    assert form.match.errors == ["Nobody matches."]
    assert _flashes() == []


def test_flash_error_shows_a_validation_errors_field_messages_not_the_generic_one(request_context):
    flash_error(ValidationFailed({"segment": "Nobody matches this segment."}))
    flash_error(ValidationFailed({}, "Review the warnings first."))
    flash_error(InvalidState("Already sent."))
    assert _flashes() == [("error", "Nobody matches this segment."), ("error", "Review the warnings first."),
                          ("error", "Already sent.")]


def test_run_action_commits_and_flashes_success_with_the_result(request_context, db):
    done = run_action(lambda: make_user(email="kept@example.org"), lambda user: f"{user.name} added.")
    assert done and done.ok and done.result.email == "kept@example.org"
    db.session.rollback()  # a committed change survives a later rollback
    assert _user_exists(db, "kept@example.org")
    assert _flashes() == [("success", f"{done.result.name} added.")]


def test_run_action_without_a_success_message_flashes_nothing(request_context):
    assert run_action(lambda: 42, None).result == 42
    assert _flashes() == []


def test_run_action_rolls_back_and_flashes_the_services_message(request_context, db):
    def change():
        make_user(email="gone@example.org")
        raise InvalidState("That is not possible now.")

    done = run_action(change, "Never shown.")
    assert not done and done.result is None
    assert not _user_exists(db, "gone@example.org")
    assert _flashes() == [("error", "That is not possible now.")]


def test_run_action_with_a_form_puts_validation_messages_on_its_fields(request_context, db):
    form = _Form()

    def change():
        make_user(email="typo@example.org")
        raise ValidationFailed({"title": "Write a title."})

    assert not run_action(change, "Never shown.", form=form)
    assert not _user_exists(db, "typo@example.org")
    assert form.title.errors == ["Write a title."]
    assert _flashes() == []


def test_run_action_with_a_form_flashes_errors_that_name_no_field(request_context):
    form = _Form()

    def conflict():
        raise InvalidState("Sent meanwhile.")

    def review():
        raise ValidationFailed({}, "Review the warnings first.")

    assert not run_action(conflict, "Never shown.", form=form)
    assert not run_action(review, "Never shown.", form=form)
    assert _flashes() == [("error", "Sent meanwhile."), ("error", "Review the warnings first.")]
