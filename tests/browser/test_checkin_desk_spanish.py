"""Issue 13 in real Chromium: the desk in Spanish shows its offline and sync messages (written by
its script from the strings the page serves) in Spanish. A volunteer link with a Spanish browser,
so no demo account's language is changed for the other browser tests."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.support.browser import assert_accessible


@pytest.fixture
def spanish_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="es-MX",
                                  extra_http_headers={"Accept-Language": "es-MX,es;q=0.9"})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def spanish_desk(live_app):
    from confapp.checkin import services
    from confapp.events.models import Event
    from confapp.extensions import db
    from confapp.types import utcnow
    from tests.support.checkin import attendee

    with live_app.app_context():
        event = Event.query.filter_by(slug="phrge-institute-next").one()
        organiser = next(r.user for r in event.roles if r.role.value == "organiser")
        checkin_list = services.main_list(event, actor=organiser, now=utcnow())
        _, token = services.create_volunteer_link(checkin_list, name="Puerta 3", valid_from=utcnow() - timedelta(hours=1),
                                                  valid_until=utcnow() + timedelta(hours=2), actor=organiser, now=utcnow())
        guest = attendee(event, first_name="Lucía", last_name="Hernández")
        db.session.commit()
        desk = {"token": token, "code": guest.ticket_code}
        db.session.remove()
        return desk


def test_the_desk_in_spanish_says_offline_queued_and_synced_in_spanish(spanish_page, spanish_desk):
    page = spanish_page
    page.goto(f"/checkin/v/{spanish_desk['token']}")
    assert page.locator("html").get_attribute("lang") == "es"
    status = page.locator("[data-net-text]")
    expect(status).to_have_text("En línea. Todos los escaneos se enviaron.")
    expect(page.locator("[data-copy-text]")).to_contain_text("Copia sin conexión en este dispositivo:")
    assert_accessible(page, "check-in desk in Spanish")

    page.context.set_offline(True)
    field = page.get_by_label("Escanee un boleto, escriba su código o busque por nombre, correo u organización")
    field.type(spanish_desk["code"], delay=5)
    field.press("Enter")
    card = page.locator("[data-result] .result--ok")
    expect(card).to_contain_text("Entrada registrada (sin conexión)")
    expect(card).to_contain_text("Se registró la entrada de Lucía Hernández en este dispositivo")
    expect(status).to_have_text(re.compile(r"^Sin conexión: .* 1 escaneo en espera\.$"))

    page.context.set_offline(False)
    expect(status).to_have_text("En línea. Todos los escaneos se enviaron.", timeout=20_000)
    expect(page.locator("[data-result] .result--info")).to_contain_text("Se enviaron los escaneos en espera.")
