"""The public agenda of a 3-day, 8-room, 120-session event renders in a fixed number of queries."""
from confapp.program.models import ProgramSession, SessionStatus
from tests.factories import make_admin
from tests.support.program_data import build_large_programme
from tests.support.queries import count_queries

# What the page's tag is computed from (program/page_state, Core rows, no objects): the event by
# slug with its series and organisations (one SELECT), sign-up counts, sessions (rooms and tracks
# joined), their speaker links with speakers, tracks. A page answered from the rendered copy or
# with a 304 sends only these.
AGENDA_TAG_QUERIES = 5
# Rendering then loads the sessions (rooms and tracks joined), their speaker links with speakers
# and the tracks for the filter as objects (the sign-up counts are reused).
AGENDA_QUERIES = AGENDA_TAG_QUERIES + 3


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
    # The next visitor of the same page gets the rendered copy: no session is loaded as an object.
    with count_queries(db.engine) as again:
        assert client.application.test_client().get(f"/e/{event.slug}/agenda/").get_data(as_text=True) == page
    assert again.count == AGENDA_TAG_QUERIES, "\n\n".join(again.statements)


# the event loaded by id (request set-up), by slug with its series and organisations (one SELECT),
# the feed's sessions (rooms and tracks joined), their speaker links with speakers.
FEED_QUERIES = 4


def test_large_agenda_feed_builds_in_a_fixed_number_of_queries(client, db):
    """The 120-session agenda.ics: SEQUENCE and DTSTAMP come from the sessions' own columns, so
    the feed stays N+1-free; it parses back with `icalendar`, one VEVENT per published session."""
    from icalendar import Calendar

    event = build_large_programme(make_admin())
    db.session.commit()
    with count_queries(db.engine) as counter:
        response = client.get(f"/e/{event.slug}/agenda.ics")
    assert response.status_code == 200
    vevents = Calendar.from_ical(response.data).walk("VEVENT")
    assert len(vevents) == 120 and len({str(v["UID"]) for v in vevents}) == 120
    assert all("SEQUENCE" in v and "DTSTAMP" in v for v in vevents)
    assert counter.count == FEED_QUERIES, "\n\n".join(counter.statements)
