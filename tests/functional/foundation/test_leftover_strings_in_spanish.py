"""Messages that used to be English whatever the language (issue 13), for a sample of them: the
account, check-in list and form-validator problems and the API's JSON body problem read in
Spanish for a Spanish request, and stay English otherwise."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from confapp.accounts.services import create_user
from confapp.checkin.lists import create_list
from confapp.errors import Conflict, ValidationFailed
from tests.conftest import TEST_NOW
from tests.factories import make_event, make_user


def test_account_and_check_in_list_problems_in_spanish(app, db):
    user = make_user(email="ana@example.org")
    event = make_event(organiser=user)
    db.session.commit()
    with app.test_request_context(), force_locale("es"):
        with pytest.raises(Conflict) as taken:
            create_user("ana@example.org", "Ana", "a long enough password")
        assert taken.value.message == "Ya existe una cuenta con ese correo. Inicie sesión o restablezca su contraseña."
        with pytest.raises(ValidationFailed) as weak:
            create_user("otra@example.org", "Otra", "short")
        assert weak.value.errors["password"].startswith("Use al menos ")
        with pytest.raises(ValidationFailed) as unnamed:
            create_list(event, name=" ", capacity=-1, actor=user, now=TEST_NOW)
        assert unnamed.value.errors == {"name": "Póngale un nombre a la lista (por ejemplo, Entrada principal).",
                                        "capacity": "El aforo no puede ser negativo."}
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(ValidationFailed) as unnamed:
            create_list(event, name=" ", actor=user, now=TEST_NOW)
        assert unnamed.value.errors == {"name": "Name the list (for example, Main entrance)."}


def test_a_number_out_of_range_is_refused_in_spanish_with_spanish_digits(app):
    from wtforms.validators import ValidationError

    from confapp.forms import MAX_NUMBER, _number_in_range

    field = type("Field", (), {"data": MAX_NUMBER + 1})()
    with app.test_request_context(), force_locale("es"), pytest.raises(ValidationError) as refused:
        _number_in_range(None, field)
    assert str(refused.value).startswith("Escriba un número entre ")
    assert f"{MAX_NUMBER:,}".replace(",", ".") in str(refused.value)  # Spanish groups digits with dots
    with app.test_request_context(), force_locale("en"), pytest.raises(ValidationError) as refused:
        _number_in_range(None, field)
    assert str(refused.value) == f"Enter a number between {-MAX_NUMBER:,} and {MAX_NUMBER:,}."


def test_a_body_that_is_not_a_json_object_is_refused_in_spanish(app):
    from confapp.inputs import json_body

    with app.test_request_context(json=[1, 2], headers={"Accept-Language": "es"}), force_locale("es"):
        with pytest.raises(ValidationFailed) as refused:
            json_body()
    assert refused.value.errors == {"body": "Envíe un objeto JSON."}
