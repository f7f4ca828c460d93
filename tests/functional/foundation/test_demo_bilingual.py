"""The demo's upcoming PHRGE Institute is bilingual (issue 13): a Spanish visitor sees its title,
description, categories and own questions in Spanish; English visitors see the English."""
from __future__ import annotations

from html import unescape

from confapp.types import utcnow

ES = {"Accept-Language": "es"}
EN = {"Accept-Language": "en"}


def test_the_upcoming_demo_event_speaks_spanish_too(client, db):
    from confapp.demo import load_demo

    load_demo(utcnow())
    db.session.commit()
    spanish = unescape(client.get("/e/phrge-institute-next/", headers=ES).get_data(as_text=True))
    assert "<h1>Ciudades de derechos humanos: poder local, estándares globales</h1>" in spanish
    assert "ciudades de derechos\nhumanos" in spanish or "ciudades de derechos humanos" in spanish
    english = unescape(client.get("/e/phrge-institute-next/", headers=EN).get_data(as_text=True))
    assert "<h1>Human Rights Cities: Local Power, Global Standards</h1>" in english
    form = unescape(client.get("/e/phrge-institute-next/register", headers=ES).get_data(as_text=True))
    assert ">Estudiante</h3>" in form and ">Miembro de la comunidad</h3>" in form
    agenda = unescape(client.get("/e/phrge-institute-next/agenda/", headers=ES).get_data(as_text=True))
    assert ">Gobierno local</span>" in agenda
    listed = unescape(client.get("/", headers=ES).get_data(as_text=True))
    assert "Ciudades de derechos humanos: poder local" in listed
