"""The API's human-facing texts in Spanish (issue 13): the token page's permissions, new ones
included, for an organiser who reads Spanish, and a programme problem's message for a request
that asks for Spanish; English stays for everyone else."""
from __future__ import annotations

from confapp.accounts.services import set_preferred_language
from tests.factories import make_session
from tests.functional.api.conftest import bearer, make_token
from tests.support.access import ORGANISER

SPANISH = {"Accept-Language": "es"}


def test_the_token_page_names_the_permissions_in_spanish(client, db, world, login_as):
    set_preferred_language(world.users[ORGANISER], "es")
    db.session.commit()
    login_as(world.users[ORGANISER])
    page = client.get(f"/manage/{world.event.slug}/api-tokens").get_data(as_text=True)
    for spanish in ("Programa: leer (también borradores)", "Programa: escribir", "Correos: escribir borradores",
                    "Correos: enviar", "Informes: cifras en vivo", "Inscripciones: leer"):
        assert spanish in page
    for english in ("Programme: write", "Emails: send", "Reports: live figures"):
        assert english not in page


def test_a_programme_problem_speaks_the_requests_language(client, db, world):
    session = make_session(world.event, title="Panel")
    _, secret = make_token(world.event, world.users[ORGANISER], scopes=["programme:write"])
    db.session.commit()
    url = f"/api/v1/events/{world.event.slug}/programme/sessions/{session.id}/speakers"
    spanish = client.post(url, json={"speaker_id": 999999}, headers={**bearer(secret), **SPANISH})
    assert spanish.status_code == 422 and spanish.mimetype == "application/problem+json"
    assert spanish.json["errors"]["speaker_id"] == "Elija uno de los ponentes de este evento."
    english = client.post(url, json={"speaker_id": 999999}, headers=bearer(secret))
    assert english.json["errors"]["speaker_id"] == "Choose one of this event's speakers."


def test_token_problems_speak_the_requests_language(client, db, world):
    """The token's own refusals (unknown, missing scope) and a webhook endpoint that is not there."""
    url = f"/api/v1/events/{world.event.slug}/webhooks"
    unknown = client.get(url, headers={**bearer("capi_nope"), **SPANISH})
    assert unknown.status_code == 401 and unknown.json["detail"] == "Este token de la API no es válido."
    assert client.get(url, headers=bearer("capi_nope")).json["detail"] == "This API token is not valid."
    _, reader = make_token(world.event, world.users[ORGANISER], scopes=["registrations:read"])
    db.session.commit()
    refused = client.get(url, headers={**bearer(reader), **SPANISH})
    assert refused.status_code == 403 and refused.json["detail"] == "Este token no tiene el permiso webhooks:read."
    missing = client.get(f"{url}/999999", headers={**bearer(world.secret), **SPANISH})
    assert missing.status_code == 404
    assert missing.json["detail"] == "No existe ese destino de webhooks en este evento."
    english = client.get(f"{url}/999999", headers=bearer(world.secret))
    assert english.json["detail"] == "No such webhook endpoint for this event."


def test_making_a_token_explains_its_problems_in_spanish(app, db, world):
    import pytest
    from flask_babel import force_locale

    from confapp.api.tokens import create_token
    from confapp.errors import ValidationFailed
    from tests.conftest import TEST_NOW

    with app.test_request_context(), force_locale("es"), pytest.raises(ValidationFailed) as refused:
        create_token(world.event, name=" ", scopes=[], expires_at=TEST_NOW, actor=world.users[ORGANISER], now=TEST_NOW)
    assert refused.value.errors == {"name": "Póngale al token el nombre de la integración que lo usará.",
                                    "scopes": "Elija al menos un permiso.",
                                    "expires_at": "La fecha de caducidad debe ser futura."}


def test_the_librarys_validation_words_speak_the_requests_language(client, db, world, auth):
    """marshmallow's own messages (a filter out of its choices, a missing field) in Spanish for a
    Spanish request; the English answer is word for word what the library says."""
    url = f"/api/v1/events/{world.event.slug}/registrations?status=maybe"
    spanish = client.get(url, headers={**auth, **SPANISH})
    assert spanish.status_code == 422
    assert spanish.json["errors"]["status"].startswith("Debe ser uno de estos valores: awaiting_payment, ")
    english = client.get(url, headers=auth)
    assert english.json["errors"]["status"] == ("Must be one of: awaiting_payment, pending_approval, confirmed, "
                                                "cancelled, expired, rejected.")
    missing = client.post(f"/api/v1/events/{world.event.slug}/orders", json={}, headers={**auth, **SPANISH})
    assert missing.status_code == 422
    assert "Falta este dato obligatorio." in missing.json["errors"].values()
