"""The series pages in Spanish (issue 13): the organiser's recurrence page and the public series page."""
from __future__ import annotations

from tests.support.clock import TEST_NOW

SPANISH = {"Accept-Language": "es"}


def test_the_series_pages_in_spanish(client, db, webcast, login_as):
    from confapp.online import series

    series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW, ahead=1)
    db.session.commit()
    public = client.get(f"/series/{webcast.series.slug}", headers=SPANISH).get_data(as_text=True)
    assert "Próximas ediciones" in public and "Inscribirse en todas las próximas ediciones" in public
    assert "Ediciones anteriores" in public
    assert "Upcoming editions" not in public and "Register for all upcoming editions" not in public
    from sqlalchemy import select

    from confapp.registration.links import ticket_token
    from confapp.registration.models import Registration
    from confapp.registration.services import AttendeeData

    series.subscribe(webcast.rule, AttendeeData("Ana", "Ruiz", "ana@example.org"), "Online", now=TEST_NOW, send_email=False)
    db.session.commit()
    mine = db.session.scalar(select(Registration).where(Registration.email == "ana@example.org"))
    ticket = client.get(f"/e/{mine.event.slug}/ticket/{ticket_token(mine)}", headers=SPANISH).get_data(as_text=True)
    assert "Dejar de inscribirme en las nuevas ediciones" in ticket and "Stop registering me" not in ticket
    client.set_cookie("lang", "es")
    login_as(webcast.organiser)
    page = client.get(f"/manage/{webcast.template.slug}/online/series", headers=SPANISH).get_data(as_text=True)
    assert "Transmisión periódica" in page and "Crear las próximas ediciones" in page and "Semana del mes" in page
    assert "Recurring webcast" not in page and "Create the next editions" not in page


def test_changing_the_rule_speaks_spanish(client, db, webcast, login_as):
    from confapp.online import series

    from .test_webcast_series_pages import RULE_FORM

    series.create_editions(webcast.rule, actor=webcast.organiser, now=TEST_NOW)
    db.session.commit()
    client.set_cookie("lang", "es")
    login_as(webcast.organiser)
    url = f"/manage/{webcast.template.slug}/online/series"
    page = client.get(url, headers=SPANISH).get_data(as_text=True)
    assert "las ediciones pasadas nunca cambian" in page and "past editions never change" not in page
    saved = client.post(url, data=RULE_FORM | {"template_event_id": webcast.template.id, "exceptions": "2027-01-05",
                                               "at_time": "18:00"}, headers=SPANISH, follow_redirects=True).get_data(as_text=True)
    assert "2 próximas ediciones trasladadas a las nuevas fechas." in saved
    assert "1 próxima edición cancelada (se avisa a sus participantes)." in saved
    assert "moved to the new dates" not in saved
