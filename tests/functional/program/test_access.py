"""Access control: every programme route × role -> expected status."""
from confapp.program.models import SessionSpeaker
from tests.support.access import ANON, access_world, assert_access, expect, organisers_only

# (method, path template, expected for an organiser of this event)
MANAGE_ROUTES = [
    ("GET", "/manage/{slug}/programme/", 200),
    ("GET", "/manage/{slug}/programme/sessions/new", 200),
    ("POST", "/manage/{slug}/programme/sessions/new", 200),  # empty form: errors shown
    ("GET", "/manage/{slug}/programme/sessions/{panel}", 200),
    ("POST", "/manage/{slug}/programme/sessions/{draft}/publish", 302),
    ("POST", "/manage/{slug}/programme/sessions/{draft}/unpublish", 302),
    ("POST", "/manage/{slug}/programme/sessions/{panel}/cancel", 302),
    ("POST", "/manage/{slug}/programme/sessions/{draft}/delete", 302),
    ("POST", "/manage/{slug}/programme/publish", 302),
    ("POST", "/manage/{slug}/programme/sessions/{panel}/speakers", 302),
    ("POST", "/manage/{slug}/programme/sessions/{panel}/speakers/{link}/remove", 302),
    ("GET", "/manage/{slug}/programme/rooms", 200),
    ("POST", "/manage/{slug}/programme/rooms", 200),
    ("GET", "/manage/{slug}/programme/rooms/{room}", 200),
    ("GET", "/manage/{slug}/programme/tracks/{track}", 200),
    ("POST", "/manage/{slug}/programme/rooms/{room}/delete", 302),
    ("POST", "/manage/{slug}/programme/tracks/{track}/delete", 302),
    ("GET", "/manage/{slug}/programme/speakers", 200),
    ("GET", "/manage/{slug}/programme/speakers/new", 200),
    ("GET", "/manage/{slug}/programme/speakers/{speaker}", 200),
    ("POST", "/manage/{slug}/programme/speakers/{speaker}/invite", 302),
    ("POST", "/manage/{slug}/programme/speakers/{speaker}/delete", 302),
]

PUBLIC_ROUTES = [
    "/e/{slug}/agenda/", "/e/{slug}/agenda/tracks.css", "/e/{slug}/agenda/sessions/{panel_uid}",
    "/e/{slug}/speakers/", "/e/{slug}/speakers/{speaker}", "/e/{slug}/agenda.ics",
    "/e/{slug}/agenda/sessions/{panel_uid}.ics", "/e/{slug}/speakers/{speaker}.ics",
]


def _values(programme, db):
    link = db.session.query(SessionSpeaker).filter_by(session_id=programme.panel.id).first()
    return dict(slug=programme.event.slug, panel=programme.panel.id, draft=programme.draft.id, link=link.id,
                room=programme.rooms[0].id, track=programme.track.id, speaker=programme.speaker.id,
                panel_uid=programme.panel.uid)


def _anonymous_goes_to_login(role, method, url, response):
    if role == ANON:
        assert "/account/login" in response.headers["Location"], f"{method} {url}"


def test_manage_routes(client, programme, db):
    """The organiser's programme routes: the event's organisers and site admins get the status
    in the table, other accounts 403, anonymous visitors are sent to log in."""
    values = _values(programme, db)
    assert_access(client, db, access_world(programme.event), [
        (method, template.format(**values), organisers_only(organiser_status))
        for method, template, organiser_status in MANAGE_ROUTES
    ], check=_anonymous_goes_to_login)


def test_public_routes_of_a_draft_event_are_for_its_organisers_only(client, programme, db):
    from confapp.events.models import EventStatus

    programme.event.status = EventStatus.DRAFT
    db.session.commit()
    values = _values(programme, db)
    assert_access(client, db, access_world(programme.event), [
        ("GET", template.format(**values), expect(404, 404, 404, 404, 200, 200)) for template in PUBLIC_ROUTES
    ])


def test_public_routes_of_a_published_event_are_open(client, programme, db):
    statuses = {t: client.get(t.format(**_values(programme, db))).status_code for t in PUBLIC_ROUTES}
    assert statuses == {t: 200 for t in PUBLIC_ROUTES}


def test_speaker_photo_is_private_until_the_speaker_is_public(client, login_as, programme, db):
    from confapp.program.speakers import create_speaker, SpeakerData, set_speaker_photo
    from tests.functional.program.test_manage_pages import _png

    hidden = create_speaker(programme.event, SpeakerData(name="Not yet announced"), actor=programme.organiser)
    set_speaker_photo(hidden, _png(), "image/png", actor=programme.organiser, event=programme.event)
    db.session.commit()
    url = f"/e/{programme.event.slug}/speakers/{hidden.id}"
    assert client.get(url).status_code == 404 and client.get(url + "/photo").status_code == 404
    login_as(programme.organiser)
    assert client.get(url + "/photo").status_code == 200
