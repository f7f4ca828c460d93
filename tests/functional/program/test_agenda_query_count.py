"""The public agenda of a 3-day, 8-room, 120-session event renders in a fixed number of queries."""
from confapp.program.models import ProgramSession, SessionStatus
from tests.factories import make_admin
from tests.support.program_data import build_large_programme
from tests.support.queries import count_queries

# event by slug, its organisations (loaded with it), sessions (rooms and tracks joined),
# their speaker links with speakers, tracks for the filter, sign-up counts.
AGENDA_QUERIES = 6


def test_large_agenda_renders_in_a_fixed_number_of_queries(client, db):
    event = build_large_programme(make_admin())
    db.session.commit()
    assert db.session.query(ProgramSession).filter_by(event_id=event.id, status=SessionStatus.PUBLISHED).count() == 120
    with count_queries(db.engine) as counter:
        response = client.get(f"/e/{event.slug}/agenda/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('class="session ') == 120 and "Speaker 60" in page
    assert counter.count == AGENDA_QUERIES, "\n\n".join(counter.statements)
    with count_queries(db.engine) as filtered:
        client.get(f"/e/{event.slug}/agenda/?kind=workshop")
    assert filtered.count == AGENDA_QUERIES
