"""A participant's own data download (the right of access) in their language (issue 13): the
organisers' texts (event title, category, question labels and choices, sessions signed up for)
as translated, the keys fixed; the default text where nothing is translated."""
from __future__ import annotations

import json

from confapp.i18n import LANGUAGE_COOKIE
from confapp.program.models import SessionSignup
from confapp.registration import links
from confapp.registration.models import QuestionKind
from tests.factories import make_category, make_event, make_question, make_registration, make_session, make_user


def test_my_data_speaks_the_participants_language(client, db):
    organiser = make_user()
    event = make_event(organiser=organiser, title="Cities Summit", languages=("en", "es"), translations={"es": {"title": "Cumbre de Ciudades"}})
    delegate = make_category(event, name="Delegate", translations={"es": {"name": "Delegada o delegado"}})
    needs = make_question(event, label="Interpretation", kind=QuestionKind.SINGLE_CHOICE, options=["Spanish", "ASL"],
                          actor=organiser)
    needs.translations = {"es": {"label": "Interpretación", "options": ["Español", "Lengua de señas (ASL)"]}}
    diet = make_question(event, label="Diet", required=False, actor=organiser)
    workshop = make_session(event, title="Housing workshop", publish=True, actor=organiser)
    workshop.translations = {"es": {"title": "Taller de vivienda"}}
    plenary = make_session(event, title="Opening plenary", publish=True, actor=organiser)
    registration = make_registration(event, delegate, answers={needs.id: "ASL", diet.id: "Vegan"}, language="es")
    for session in (workshop, plenary):
        db.session.add(SessionSignup(session_id=session.id, registration_id=registration.id))
    db.session.commit()
    url = f"/e/{event.slug}/ticket/{links.ticket_token(registration)}/my-data.json"

    # They registered in Spanish and come from their email: Spanish, whatever the browser says.
    spanish = json.loads(client.get(url, headers={"Accept-Language": "en"}).data)
    assert spanish["event"]["title"] == "Cumbre de Ciudades"
    assert spanish["registration"]["category"] == "Delegada o delegado"
    assert {"question": "Interpretación", "answer": "Lengua de señas (ASL)"} in spanish["answers"]
    assert {"question": "Diet", "answer": "Vegan"} in spanish["answers"]  # not translated: as written
    assert sorted(s["session"] for s in spanish["session_sign_ups"]) == ["Opening plenary", "Taller de vivienda"]

    # The language switcher says English: the organisers' own words.
    client.set_cookie(LANGUAGE_COOKIE, "en")
    english = json.loads(client.get(url).data)
    assert (english["event"]["title"], english["registration"]["category"]) == ("Cities Summit", "Delegate")
    assert {"question": "Interpretation", "answer": "ASL"} in english["answers"]
    assert sorted(s["session"] for s in english["session_sign_ups"]) == ["Housing workshop", "Opening plenary"]
