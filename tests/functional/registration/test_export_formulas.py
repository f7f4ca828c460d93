"""The registrations CSV never hands a spreadsheet a formula, whichever column it would come from."""
import csv
import io

from confapp.registration.models import Question
from tests.factories import make_category, make_registration


def test_every_cell_that_starts_like_a_formula_is_neutralised(client, db, organiser, event, login_as):
    db.session.add(Question(event_id=event.id, kind="short_text", label="@handle", position=1))
    category = make_category(event, name="+Speakers")
    old = make_registration(event, category, first_name="Ada", last_name="-Lovelace", email="ada@example.org")
    old.ticket_code = "-OldCodeFrom2025xyzA"  # issued before codes avoided a leading "-"
    db.session.commit()
    login_as(organiser)
    rows = list(csv.reader(io.StringIO(client.get(f"/manage/{event.slug}/registrations/export.csv").get_data(as_text=True))))
    assert rows[0][-1] == "'@handle"
    heading, row = rows[0], rows[1]
    assert row[heading.index("Ticket code")] == "'-OldCodeFrom2025xyzA"
    assert row[heading.index("Category")] == "'+Speakers"
    assert row[heading.index("Last name")] == "'-Lovelace"
    assert row[heading.index("First name")] == "Ada"
    risky = [cell for r in rows for cell in r if cell[:1] in ("-", "=", "+", "@")]
    assert not risky
