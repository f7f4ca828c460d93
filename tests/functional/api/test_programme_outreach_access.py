"""Every programme, outreach and report route of /api/v1 by kind of caller: no token, expired,
revoked, a token lacking the scope, another event's token, the right one. Public reads answer
a caller without a token; a token that is sent is always checked."""
from __future__ import annotations


from confapp.outreach import services as outreach_services
from tests.factories import make_room, make_session, make_speaker, make_track
from tests.functional.api.conftest import token_kinds
from tests.support.access import ORGANISER, record_access_row
from tests.support.clock import TEST_NOW

REFUSED = dict(expired=401, revoked=401, no_scope=403, other_event=404)


def test_every_programme_outreach_and_report_route_by_kind_of_token(client, db, world):
    event, organiser = world.event, world.users[ORGANISER]
    room, track = make_room(event, name="Hall"), make_track(event, name="Rights")
    speaker = make_speaker(event, name="Amara")
    session = make_session(event, title="Panel", publish=True)
    draft = make_session(event, title="Draft")
    message = outreach_services.create_message(event, outreach_services.MessageDraft("Hi", "Hello.", {"status": ["confirmed"]}),
                                               actor=organiser, now=TEST_NOW)
    kinds = token_kinds(db, world)
    base = f"/api/v1/events/{event.slug}"
    p = f"{base}/programme"
    public_read = dict(none=200, **REFUSED, right=200)
    write = dict(none=401, **REFUSED)
    rows = [
        ("GET", f"{p}/rooms", None, public_read),
        ("GET", f"{p}/rooms/{room.id}", None, public_read),
        ("PATCH", f"{p}/rooms/{room.id}", {"capacity": 50}, dict(write, right=200)),
        ("GET", f"{p}/tracks", None, public_read),
        ("GET", f"{p}/tracks/{track.id}", None, public_read),
        ("PATCH", f"{p}/tracks/{track.id}", {"position": 2}, dict(write, right=200)),
        ("GET", f"{p}/sessions", None, public_read),
        ("GET", f"{p}/sessions/{session.id}", None, public_read),
        ("GET", f"{p}/sessions/{draft.id}", None, dict(none=404, **REFUSED, right=200)),
        ("POST", f"{p}/sessions/{draft.id}/speakers", {"speaker_id": speaker.id}, dict(write, right=200)),
        ("DELETE", f"{p}/sessions/{draft.id}/speakers/{speaker.id}", None, dict(write, right=200)),
        ("PATCH", f"{p}/sessions/{draft.id}", {"title": "Draft, renamed"}, dict(write, right=200)),
        ("POST", f"{p}/sessions/{draft.id}/publish", {"acknowledge_warnings": True}, dict(write, right=200)),
        ("POST", f"{p}/sessions/{draft.id}/cancel", None, dict(write, right=200)),
        ("GET", f"{p}/speakers", None, public_read),
        ("GET", f"{p}/speakers/{speaker.id}", None, dict(none=404, **REFUSED, right=200)),  # no public session
        ("PATCH", f"{p}/speakers/{speaker.id}", {"city": "Accra"}, dict(write, right=200)),
        ("POST", f"{p}/rooms", {"name": "Annex"}, dict(write, right=201)),
        ("POST", f"{p}/tracks", {"name": "Climate"}, dict(write, right=201)),
        ("POST", f"{p}/sessions", {"title": "New"}, dict(write, right=201)),
        ("POST", f"{p}/speakers", {"name": "Kofi"}, dict(write, right=201)),
        ("DELETE", f"{p}/speakers/{speaker.id}", None, dict(write, right=204)),
        ("DELETE", f"{p}/sessions/{draft.id}", None, dict(write, right=409)),  # published once: cancel, not delete
        ("DELETE", f"{p}/tracks/{track.id}", None, dict(write, right=204)),
        ("DELETE", f"{p}/rooms/{room.id}", None, dict(write, right=204)),
        ("POST", f"{base}/messages", {"subject": "Hello", "body": "Welcome."}, dict(write, right=201)),
        ("GET", f"{base}/messages/{message.id}", None, dict(write, right=200)),
        ("POST", f"{base}/messages/{message.id}/send", None, dict(write, right=422)),  # nobody in the segment yet
        ("GET", f"{base}/report", None, dict(none=404, **REFUSED, right=404)),  # not published
        ("GET", f"{base}/report/live", None, dict(write, right=200)),
    ]
    failures = []
    for method, url, body, expected in rows:
        record_access_row(method, url)
        for kind, status in expected.items():
            response = client.open(url, method=method, json=body, headers=kinds[kind])
            if response.status_code != status or (status != 204 and not response.is_json):
                failures.append(f"{method} {url} [{kind}]: {response.status_code}, expected {status}")
    assert failures == []
