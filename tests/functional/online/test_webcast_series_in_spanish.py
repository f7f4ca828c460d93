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
    client.set_cookie("lang", "es")
    login_as(webcast.organiser)
    page = client.get(f"/manage/{webcast.template.slug}/online/series", headers=SPANISH).get_data(as_text=True)
    assert "Transmisión periódica" in page and "Crear las próximas ediciones" in page and "Semana del mes" in page
    assert "Recurring webcast" not in page and "Create the next editions" not in page
