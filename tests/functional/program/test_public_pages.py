"""Public agenda, session, speaker pages and filters."""
from tests.support.queries import count_queries


def test_agenda_lists_published_sessions_with_speakers_and_not_drafts(client, programme):
    page = client.get(f"/e/{programme.event.slug}/agenda/").get_data(as_text=True)
    assert "Federal Government Perspectives" in page and "Coffee break" in page
    assert "JoAnn Kamuf Ward" in page and f"/speakers/{programme.speaker.id}" in page
    assert "Secret draft session" not in page
    assert "2 of 2 places left" in page


def test_agenda_filters_by_track_and_type(client, programme):
    slug = programme.event.slug
    page = client.get(f"/e/{slug}/agenda/?track={programme.track.id}").get_data(as_text=True)
    assert "Federal Government Perspectives" in page and "Coffee break" not in page
    page = client.get(f"/e/{slug}/agenda/?kind=workshop").get_data(as_text=True)
    assert "Human rights impact assessment" in page and "Federal Government Perspectives" not in page


def test_session_and_speaker_pages(client, programme):
    slug = programme.event.slug
    page = client.get(f"/e/{slug}/agenda/sessions/{programme.panel.uid}").get_data(as_text=True)
    assert "Moderator" in page and "Hall" in page
    assert client.get(f"/e/{slug}/agenda/sessions/{programme.draft.uid}").status_code == 404
    page = client.get(f"/e/{slug}/speakers/").get_data(as_text=True)
    assert "JoAnn Kamuf Ward" in page and "Risa Kaufman" in page
    page = client.get(f"/e/{slug}/speakers/{programme.speaker.id}").get_data(as_text=True)
    assert "Federal Government Perspectives" in page
    assert "@example.org" not in page  # emails are never public


def test_tracks_stylesheet_gives_readable_text(client, programme):
    css = client.get(f"/e/{programme.event.slug}/agenda/tracks.css").get_data(as_text=True)
    assert f".track-{programme.track.id}{{background:#ffcc00;color:#000000" in css


def test_agenda_of_a_draft_event_is_hidden(client, db):
    from tests.factories import make_event

    event = make_event(publish=False)
    assert client.get(f"/e/{event.slug}/agenda/").status_code == 404


def test_event_page_links_the_agenda(client, programme):
    page = client.get(f"/e/{programme.event.slug}/").get_data(as_text=True)
    assert f"/e/{programme.event.slug}/agenda/" in page


def test_agenda_queries_do_not_grow_with_sessions(client, programme, db):
    from tests.factories import make_session

    slug = programme.event.slug
    client.get(f"/e/{slug}/agenda/")
    # A session more, so the next visit renders again (an unchanged agenda is served from its
    # rendered copy in fewer statements): both counts are of a render.
    make_session(programme.event, starts_at=programme.event.local(programme.event.starts_at).replace(hour=8),
                 room_id=programme.rooms[0].id, publish=True)
    db.session.commit()
    with count_queries(db.engine) as small:
        client.get(f"/e/{slug}/agenda/")
    for hour in range(9, 17):
        make_session(programme.event, starts_at=programme.event.local(programme.event.starts_at).replace(hour=hour),
                     room_id=programme.rooms[0].id, publish=True)
    db.session.commit()
    with count_queries(db.engine) as large:
        client.get(f"/e/{slug}/agenda/")
    assert large.count == small.count, large.statements
