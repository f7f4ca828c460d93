"""The report's CSV and XLSX downloads hand spreadsheets no formulas, whatever a category or an
organisation is called."""
import csv
import io

from openpyxl import load_workbook

from tests.factories import make_category, make_event, make_registration, make_user

RISKY = ("=", "+", "-", "@")


def test_report_downloads_neutralise_cells_that_start_like_formulas(client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser)
    for name in ("=HYPERLINK(1)", "+Speakers", "-Volunteers", "@Press"):
        make_registration(event, make_category(event, name=name))
    db.session.commit()
    login_as(organiser)
    text = client.get(f"/manage/{event.slug}/report/full.csv").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'+Speakers" in cells and "'-Volunteers" in cells and "'=HYPERLINK(1)" in cells
    assert not [c for c in cells if c.startswith(RISKY)]
    book = load_workbook(io.BytesIO(client.get(f"/manage/{event.slug}/report/full.xlsx").data))
    values = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert "'@Press" in values and not [v for v in values if v.startswith(RISKY)]
