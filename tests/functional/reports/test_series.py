from datetime import timedelta

from confapp.events.services import create_series
from confapp.reports import services
from confapp.types import utcnow
from tests.factories import make_admin, make_event, make_user
from tests.reports_data import check_in_known, known_event


def test_series_shows_editions_side_by_side_in_fixed_queries(client, db, login_as):
    organiser = make_user()
    series = create_series("PHRGE Human Rights Institute", actor=make_admin())
    old_start = utcnow() - timedelta(days=400)
    old = make_event(organiser=organiser, series_id=series.id, edition_label="2025", starts_at=old_start,
                     ends_at=old_start + timedelta(hours=30))
    new = make_event(organiser=organiser, series_id=series.id, edition_label="2026")
    check_in_known(known_event(old), organiser)
    known_event(new)
    services.purge_event(old, actor=organiser, now=utcnow())  # its row comes from the frozen figures
    db.session.commit()
    login_as(organiser)
    page = client.get(f"/manage/series/{series.slug}/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2025" in html and "2026" in html and html.count("<td>10</td>") == 2  # registered in both
    assert "<td>7</td>" in html  # attended in 2025
    assert "$185.00" in html  # net fees
    login_as(make_user())
    assert client.get(f"/manage/series/{series.slug}/report").status_code == 403
    assert client.get("/manage/series/nope/report").status_code == 404
