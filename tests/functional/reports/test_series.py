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


def test_fees_show_in_each_editions_own_currency(client, db, login_as):
    """An alliance meeting in Japan one year charges in yen: the series table and the private CSV
    show whole yen, not yen divided by 100."""
    from confapp.registration.models import Order

    organiser = make_user()
    series = create_series("Human Rights Cities Alliance", actor=make_admin())
    tokyo = make_event(organiser=organiser, series_id=series.id, edition_label="Tokyo")
    known_event(tokyo)
    Order.query.filter_by(event_id=tokyo.id).update({"currency": "JPY"})
    db.session.commit()
    login_as(organiser)
    html = client.get(f"/manage/series/{series.slug}/report").get_data(as_text=True)
    assert "¥18,500" in html and "$" not in html.split("<tbody>")[1].split("</tbody>")[0]
    csv_text = client.get(f"/manage/{tokyo.slug}/report/full.csv").get_data(as_text=True)
    assert "Amount (JPY)" in csv_text and "Net,18500" in csv_text
