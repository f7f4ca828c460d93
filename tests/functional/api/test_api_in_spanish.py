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
