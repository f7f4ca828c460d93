"""The check-in desk in the staff member's language (issue 13): the page, the messages its script
shows (served from the page as a JSON block) and the desk's JSON answers are Spanish for a staff
member whose profile says Spanish, and unchanged English for one who has not chosen; a volunteer
link (no account) follows the browser."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from confapp.accounts.services import set_preferred_language
from confapp.checkin import services
from confapp.types import utcnow
from tests.support.access import ORGANISER, STAFF, access_world
from tests.support.checkin import attendee

OFFLINE = "Offline: checking against this device's copy. %(num)d scan waiting."


@pytest.fixture
def desk(db):
    world = access_world()
    now = utcnow()
    world.list = services.main_list(world.event, actor=world.users[ORGANISER], now=now)
    world.reg = attendee(world.event, first_name="Amara", last_name="Okafor")
    world.link, world.token = services.create_volunteer_link(
        world.list, name="Puerta 2", valid_from=now - timedelta(hours=1), valid_until=now + timedelta(hours=4),
        actor=world.users[ORGANISER], now=now)
    db.session.commit()
    return world


def _strings(page: str) -> dict:
    block = re.search(r'<script type="application/json" id="desk-strings">(.*?)</script>', page, re.S)
    assert block, "the desk serves its script's messages"
    return json.loads(block.group(1))


def _open_desk(client, desk) -> tuple[str, dict]:
    page = client.get(f"/manage/{desk.event.slug}/checkin/desk/{desk.list.id}").get_data(as_text=True)
    answer = client.post(f"/checkin/api/lists/{desk.list.id}/redeem", json={"code": desk.reg.ticket_code}).get_json()
    return page, answer


def test_the_desk_of_a_staff_member_who_chose_spanish_is_in_spanish(client, db, login_as, desk):
    staff = desk.users[STAFF]
    set_preferred_language(staff, "es")
    db.session.commit()
    login_as(staff)
    page, answer = _open_desk(client, desk)
    assert '<html lang="es"' in page
    assert "Escanee un boleto, escriba su código o busque por nombre, correo u organización" in page
    assert "Deshacer el último registro de entrada" in page and "Conectando…" in page
    strings = _strings(page)
    assert strings[OFFLINE]["one"] == "Sin conexión: se verifica con la copia de este dispositivo. %(num)d escaneo en espera."
    assert strings["Checked in (offline)"] == "Entrada registrada (sin conexión)"
    assert strings["Waiting scans were sent."] == "Se enviaron los escaneos en espera."
    assert strings["Online. All scans sent."] == "En línea. Todos los escaneos se enviaron."
    assert answer["title"] == "Entrada registrada" and answer["message"] == "Se registró la entrada de Amara Okafor."
    again = client.post(f"/checkin/api/lists/{desk.list.id}/redeem", json={"code": desk.reg.ticket_code}).get_json()
    assert again["title"] == "Entrada ya registrada" and again["message"].startswith("Entrada ya registrada a las ")
    undone = client.post(f"/checkin/api/lists/{desk.list.id}/undo", json={"check_in_id": answer["check_in"]["id"]})
    assert undone.get_json()["message"] == "Se deshizo el registro de entrada de Amara Okafor."
    refused = client.post(f"/checkin/api/lists/{desk.list.id}/redeem", json={"code": " "})
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"]["code"] == "Escanee o escriba el código de un boleto."


def test_the_desk_in_english_is_unchanged(client, db, login_as, desk):
    login_as(desk.users[STAFF])
    page, answer = _open_desk(client, desk)
    assert '<html lang="en"' in page
    assert "Scan a ticket, type its code, or search by name, email or organisation" in page
    strings = _strings(page)
    assert strings[OFFLINE] == {"one": OFFLINE, "other": "Offline: checking against this device's copy. %(num)d scans waiting."}
    assert strings["Waiting scans were sent."] == "Waiting scans were sent."
    assert answer["title"] == "Checked in" and answer["message"] == "Amara Okafor is checked in."


def test_a_volunteer_link_follows_the_browsers_language(client, desk):
    spanish = {"Accept-Language": "es-MX,es;q=0.9"}
    page = client.get(f"/checkin/v/{desk.token}", headers=spanish).get_data(as_text=True)
    assert "Ajustes de la mesa" in page and _strings(page)["Back online"] == "De nuevo en línea"
    answer = client.post(f"/checkin/api/links/{desk.token}/redeem", json={"code": "NOPE-0000"}, headers=spanish).get_json()
    assert answer["title"] == "Código desconocido"
    refused = client.get("/checkin/v/not-a-token", headers=spanish).get_data(as_text=True)
    assert "Este enlace de acreditación no funciona" in refused and "Este enlace de acreditación no es válido." in refused


def test_the_desk_names_the_category_in_the_staff_members_language_online_and_offline(client, db, login_as, desk):
    """The category is the event's own content: the scan's answer and the offline copy both name it
    in the desk's content language (the Spanish name the organiser wrote)."""
    desk.event.languages = ["en", "es"]
    category = desk.reg.category
    category.translations = {"es": {"name": "Miembro de la comunidad"}}
    set_preferred_language(desk.users[STAFF], "es")
    db.session.commit()
    login_as(desk.users[STAFF])
    _page, answer = _open_desk(client, desk)
    assert answer["attendee"]["category"] == "Miembro de la comunidad"
    offline = client.get(f"/checkin/api/lists/{desk.list.id}/offline").get_json()
    row = next(r for r in offline["rows"] if r[0] == desk.reg.ticket_code)
    assert row[3] == "Miembro de la comunidad"
    set_preferred_language(desk.users[STAFF], "en")
    db.session.commit()
    offline = client.get(f"/checkin/api/lists/{desk.list.id}/offline").get_json()
    assert next(r for r in offline["rows"] if r[0] == desk.reg.ticket_code)[3] == category.name


def test_a_spanish_events_main_list_is_named_in_spanish(db):
    from tests.factories import make_event, make_user

    organiser = make_user()
    event = make_event(organiser=organiser)
    event.languages, event.default_language = ["es"], "es"
    db.session.commit()
    assert services.main_list(event, actor=organiser, now=utcnow()).name == "Entrada principal"
    english = make_event(organiser=organiser)
    assert services.main_list(english, actor=organiser, now=utcnow()).name == "Main entrance"


def test_the_desks_search_and_counts_name_the_category_in_the_staff_members_language(client, db, login_as, desk):
    """A search's rows and the live counts by category name it as the scan's answer does: the
    Spanish name for a staff member who reads Spanish, the English one otherwise."""
    desk.event.languages = ["en", "es"]
    category = desk.reg.category
    category.translations = {"es": {"name": "Miembro de la comunidad"}}
    set_preferred_language(desk.users[STAFF], "es")
    db.session.commit()
    login_as(desk.users[STAFF])
    base = f"/checkin/api/lists/{desk.list.id}"
    [row] = client.get(f"{base}/search?q=Okafor").get_json()["results"]
    assert row["category"] == "Miembro de la comunidad"
    stats = client.get(f"{base}/stats").get_json()
    assert "Miembro de la comunidad" in [c["name"] for c in stats["categories"]]
    set_preferred_language(desk.users[STAFF], "en")
    db.session.commit()
    [row] = client.get(f"{base}/search?q=Okafor").get_json()["results"]
    assert row["category"] == category.name
    assert category.name in [c["name"] for c in client.get(f"{base}/stats").get_json()["categories"]]


def test_the_desk_names_the_event_in_the_readers_language(client, db, login_as, desk):
    """The desk's heading carries the event's title in the staff member's or volunteer's language."""
    desk.event.languages = ["en", "es"]
    desk.event.translations = {"es": {"title": "Encuentro de prueba"}}
    set_preferred_language(desk.users[STAFF], "es")
    db.session.commit()
    login_as(desk.users[STAFF])
    page, _answer = _open_desk(client, desk)
    assert "Encuentro de prueba</span></h1>" in page
    client.post("/account/logout")
    volunteer = client.get(f"/checkin/v/{desk.token}", headers={"Accept-Language": "es-MX,es;q=0.9"}).get_data(as_text=True)
    assert "Encuentro de prueba</span></h1>" in volunteer
    english = client.get(f"/checkin/v/{desk.token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"{desk.event.title}</span></h1>" in english
