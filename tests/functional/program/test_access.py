"""Access control: every programme route × role -> expected status."""
import pytest

from confapp.accounts.models import Role
from confapp.program.models import SessionSpeaker
from tests.factories import grant, make_event, make_user
from tests.support.access import record_access_row

ROLES = ("anonymous", "no_role", "checkin_staff", "other_organiser", "organiser", "site_admin")

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


def _user_for(role, event):
    if role == "anonymous":
        return None
    if role == "site_admin":
        return make_user(site_admin=True)
    user = make_user()
    if role == "checkin_staff":
        grant(event, user, Role.CHECKIN_STAFF)
    elif role == "organiser":
        grant(event, user, Role.ORGANISER)
    elif role == "other_organiser":
        make_event(organiser=user)
    return user


def _values(programme, db):
    link = db.session.query(SessionSpeaker).filter_by(session_id=programme.panel.id).first()
    return dict(slug=programme.event.slug, panel=programme.panel.id, draft=programme.draft.id, link=link.id,
                room=programme.rooms[0].id, track=programme.track.id, speaker=programme.speaker.id,
                panel_uid=programme.panel.uid)


@pytest.mark.parametrize("role", ROLES)
def test_manage_routes(client, login_as, programme, db, role):
    """One test per role walks the whole table (destructive routes come last), so the
    programme is built once per role rather than once per cell."""
    user = _user_for(role, programme.event)
    if user is not None:
        login_as(user)
    values = _values(programme, db)
    failures = []
    for method, template, organiser_status in MANAGE_ROUTES:
        path = template.format(**values)
        record_access_row(method, path)
        response = client.open(path, method=method)
        expected = {"anonymous": 302, "no_role": 403, "checkin_staff": 403, "other_organiser": 403,
                    "organiser": organiser_status, "site_admin": organiser_status}[role]
        if response.status_code != expected or (role == "anonymous" and "/account/login" not in response.headers["Location"]):
            failures.append((method, path, response.status_code, expected))
    assert failures == []


@pytest.mark.parametrize("role", ROLES)
def test_public_routes_of_a_draft_event_are_for_its_organisers_only(client, login_as, programme, db, role):
    from confapp.events.models import EventStatus

    programme.event.status = EventStatus.DRAFT
    db.session.commit()
    user = _user_for(role, programme.event)
    if user is not None:
        login_as(user)
    expected = 200 if role in ("organiser", "site_admin") else 404
    for template in PUBLIC_ROUTES:
        record_access_row("GET", template.format(**_values(programme, db)))
    statuses = {t: client.get(t.format(**_values(programme, db))).status_code for t in PUBLIC_ROUTES}
    assert statuses == {t: expected for t in PUBLIC_ROUTES}


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
