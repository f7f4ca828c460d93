"""The programme through /api/v1: public reads of what is published (no token), drafts with a
programme:read token, writes with programme:write through the programme's own services, the
timetable warnings in every write answer, cursor pages, and problems for refusals."""
from __future__ import annotations

from datetime import datetime, timedelta

from confapp.audit.models import AuditEntry
from confapp.program.models import ProgramSession, Room
from tests.factories import make_event, make_room, make_session, make_speaker, make_track
from tests.functional.api.conftest import bearer, make_token
from tests.support.access import ORGANISER

PROBLEM = "application/problem+json"


def _base(world) -> str:
    return f"/api/v1/events/{world.event.slug}/programme"


def _token(db, world, *scopes) -> dict:
    _, secret = make_token(world.event, world.users[ORGANISER], scopes=list(scopes), name="Partner site")
    db.session.commit()
    return bearer(secret)


def test_published_sessions_are_public_drafts_need_a_programme_read_token(client, db, world):
    published = make_session(world.event, title="Opening plenary", publish=True)
    draft = make_session(world.event, title="Secret draft")
    db.session.commit()
    base = _base(world)

    anonymous = client.get(f"{base}/sessions")
    assert anonymous.status_code == 200, anonymous.json
    assert [s["title"] for s in anonymous.json["results"]] == ["Opening plenary"]
    assert client.get(f"{base}/sessions/{published.id}").json["status"] == "published"
    hidden = client.get(f"{base}/sessions/{draft.id}")
    assert hidden.status_code == 404 and hidden.mimetype == PROBLEM

    reader = _token(db, world, "programme:read")
    titles = {s["title"] for s in client.get(f"{base}/sessions", headers=reader).json["results"]}
    assert titles == {"Opening plenary", "Secret draft"}
    assert client.get(f"{base}/sessions/{draft.id}", headers=reader).json["status"] == "draft"
    drafts = client.get(f"{base}/sessions?status=draft", headers=reader).json["results"]
    assert [s["id"] for s in drafts] == [draft.id]


def test_a_draft_event_has_no_public_programme(client, db, world):
    event = make_event(organiser=world.users[ORGANISER], publish=False)
    make_room(event, name="Hall")
    _, secret = make_token(event, world.users[ORGANISER], scopes=["programme:read"])
    db.session.commit()
    url = f"/api/v1/events/{event.slug}/programme/rooms"
    refused = client.get(url)
    assert refused.status_code == 404 and refused.mimetype == PROBLEM
    assert [r["name"] for r in client.get(url, headers=bearer(secret)).json["results"]] == ["Hall"]


def test_speakers_public_only_with_a_public_session_and_without_email(client, db, world):
    session = make_session(world.event, title="Panel", publish=True)
    seen = make_speaker(world.event, name="Amara Okafor", email="amara@example.org")
    unseen = make_speaker(world.event, name="Not yet")
    reader = _token(db, world, "programme:read")
    writer = _token(db, world, "programme:write")
    base = _base(world)
    added = client.post(f"{base}/sessions/{session.id}/speakers", json={"speaker_id": seen.id, "role": "moderator"},
                        headers=writer)
    assert added.status_code == 200, added.json
    assert added.json["speakers"][0]["role"] == "moderator"

    public = client.get(f"{base}/speakers").json["results"]
    assert [(s["name"], s["session_ids"]) for s in public] == [("Amara Okafor", [session.id])]
    assert "email" not in public[0]
    assert client.get(f"{base}/speakers/{unseen.id}").status_code == 404
    everyone = client.get(f"{base}/speakers", headers=reader).json["results"]
    assert {s["name"]: s["email"] for s in everyone} == {"Amara Okafor": "amara@example.org", "Not yet": unseen.email}


def test_room_create_update_delete_round_trip(client, db, world):
    writer = _token(db, world, "programme:write")
    base = _base(world)
    created = client.post(f"{base}/rooms", json={"name": "Hall A", "capacity": 80, "available_from": "09:00:00"},
                          headers=writer)
    assert created.status_code == 201, created.json
    room_id = created.json["id"]
    assert created.json["warnings"] == [] and created.json["capacity"] == 80
    assert client.get(f"{base}/rooms/{room_id}").json["name"] == "Hall A"

    changed = client.patch(f"{base}/rooms/{room_id}", json={"capacity": 40}, headers=writer)
    assert changed.status_code == 200
    assert (changed.json["name"], changed.json["capacity"], changed.json["available_from"]) == ("Hall A", 40, "09:00:00")

    twin = client.post(f"{base}/rooms", json={"name": "Hall A"}, headers=writer)
    assert twin.status_code == 422 and twin.mimetype == PROBLEM and "name" in twin.json["errors"]

    assert client.delete(f"{base}/rooms/{room_id}", headers=writer).status_code == 204
    assert db.session.get(Room, room_id) is None
    assert client.get(f"{base}/rooms/{room_id}").status_code == 404
    # Audited under the token's name, as every write through a token.
    assert db.session.query(AuditEntry).filter_by(action="program.room_saved").first().actor_label == "API token: Partner site"


def test_track_and_speaker_round_trips(client, db, world):
    writer = _token(db, world, "programme:write")
    base = _base(world)
    track = client.post(f"{base}/tracks", json={"name": "Digital rights", "colour": "#AA3300"}, headers=writer)
    assert track.status_code == 201 and track.json["colour"] == "#aa3300"
    bad = client.patch(f"{base}/tracks/{track.json['id']}", json={"colour": "red"}, headers=writer)
    assert bad.status_code == 422 and bad.json["errors"]["colour"]
    renamed = client.patch(f"{base}/tracks/{track.json['id']}", json={"name": "Privacy"}, headers=writer)
    assert (renamed.json["name"], renamed.json["colour"]) == ("Privacy", "#aa3300")
    assert client.delete(f"{base}/tracks/{track.json['id']}", headers=writer).status_code == 204

    speaker = client.post(f"{base}/speakers", json={"name": "Lucía Pérez", "email": "Lucia@Example.org",
                                                    "links": ["https://example.org/lucia"]}, headers=writer)
    assert speaker.status_code == 201, speaker.json
    assert speaker.json["email"] == "lucia@example.org" and speaker.json["warnings"] == []
    edited = client.patch(f"{base}/speakers/{speaker.json['id']}", json={"affiliation": "Derechos Digitales"}, headers=writer)
    assert (edited.json["name"], edited.json["affiliation"]) == ("Lucía Pérez", "Derechos Digitales")
    refused = client.patch(f"{base}/speakers/{speaker.json['id']}", json={"links": ["javascript:alert(1)"]}, headers=writer)
    assert refused.status_code == 422 and "links" in refused.json["errors"]
    assert client.delete(f"{base}/speakers/{speaker.json['id']}", headers=writer).status_code == 204


def test_session_writes_answer_with_the_conflict_warnings(client, db, world):
    room = make_room(world.event, name="Small room", capacity=10)
    first = make_session(world.event, title="Morning panel", room_id=room.id)
    db.session.commit()
    writer = _token(db, world, "programme:write")
    base = _base(world)
    starts = world.event.local(world.event.starts_at).replace(hour=10, minute=30)
    created = client.post(f"{base}/sessions", headers=writer, json={
        "title": "Overlapping workshop", "kind": "workshop", "room_id": room.id, "capacity": 30,
        "starts_at": starts.isoformat()})
    assert created.status_code == 201, created.json
    assert created.json["status"] == "draft"
    assert created.json["ends_at"] == (starts + timedelta(minutes=90)).astimezone(created_tz(created)).isoformat()
    kinds = {w["kind"] for w in created.json["warnings"]}
    assert kinds == {"room", "capacity"}
    room_warning = next(w for w in created.json["warnings"] if w["kind"] == "room")
    assert room_warning["other_session_id"] == first.id and "double-booked" in room_warning["message"]

    session_id = created.json["id"]
    resized = client.patch(f"{base}/sessions/{session_id}", headers=writer,
                           json={"ends_at": (starts + timedelta(minutes=45)).isoformat()})
    assert resized.status_code == 200, resized.json
    moved = client.patch(f"{base}/sessions/{session_id}", headers=writer,
                         json={"starts_at": starts.replace(hour=14).isoformat(), "capacity": 8})
    assert moved.status_code == 200 and moved.json["warnings"] == []
    assert moved.json["title"] == "Overlapping workshop" and moved.json["kind"] == "workshop"
    moved_start, moved_end = (datetime.fromisoformat(moved.json[k]) for k in ("starts_at", "ends_at"))
    assert moved_start == starts.replace(hour=14) and moved_end - moved_start == timedelta(minutes=45)  # kept its length

    # The room's own write answer tells of the sessions it no longer fits.
    shrunk = client.patch(f"{base}/rooms/{room.id}", json={"capacity": 5}, headers=writer)
    assert {w["session_id"] for w in shrunk.json["warnings"]} == {session_id}

    assert client.delete(f"{base}/sessions/{session_id}", headers=writer).status_code == 204
    assert db.session.get(ProgramSession, session_id) is None


def created_tz(response):
    return datetime.fromisoformat(response.json["starts_at"]).tzinfo


def test_publishing_with_warnings_needs_acknowledging_and_published_sessions_are_cancelled_not_deleted(client, db, world):
    room = make_room(world.event, name="Hall")
    make_session(world.event, title="Taken", room_id=room.id, publish=True)
    clash = make_session(world.event, title="Clash", room_id=room.id)
    db.session.commit()
    writer = _token(db, world, "programme:write")
    base = _base(world)
    review = client.post(f"{base}/sessions/{clash.id}/publish", json={}, headers=writer)
    assert review.status_code == 422 and review.mimetype == PROBLEM
    assert review.json["code"] == "conflicts_need_review" and "double-booked" in review.json["errors"]["acknowledge_warnings"]
    published = client.post(f"{base}/sessions/{clash.id}/publish", json={"acknowledge_warnings": True}, headers=writer)
    assert published.status_code == 200 and published.json["status"] == "published"
    assert published.json["warnings"][0]["kind"] == "room"
    assert client.get(f"{base}/sessions/{clash.id}").status_code == 200  # public now

    kept = client.delete(f"{base}/sessions/{clash.id}", headers=writer)
    assert kept.status_code == 409 and kept.mimetype == PROBLEM
    cancelled = client.post(f"{base}/sessions/{clash.id}/cancel", headers=writer)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert client.get(f"{base}/sessions/{clash.id}").json["status"] == "cancelled"


def test_speaker_double_booked_warning_and_removal(client, db, world):
    one = make_session(world.event, title="One")
    two = make_session(world.event, title="Two")
    speaker = make_speaker(world.event, name="Kofi")
    db.session.commit()
    writer = _token(db, world, "programme:write")
    base = _base(world)
    client.post(f"{base}/sessions/{one.id}/speakers", json={"speaker_id": speaker.id}, headers=writer)
    both = client.post(f"{base}/sessions/{two.id}/speakers", json={"speaker_id": speaker.id}, headers=writer)
    assert [w["kind"] for w in both.json["warnings"]] == ["speaker"]
    profile = client.patch(f"{base}/speakers/{speaker.id}", json={"city": "Accra"}, headers=writer)
    assert {w["session_id"] for w in profile.json["warnings"]} == {one.id, two.id}
    removed = client.delete(f"{base}/sessions/{two.id}/speakers/{speaker.id}", headers=writer)
    assert removed.status_code == 200 and removed.json["speakers"] == [] and removed.json["warnings"] == []
    unknown = client.post(f"{base}/sessions/{two.id}/speakers", json={"speaker_id": 999999}, headers=writer)
    assert unknown.status_code == 422 and "speaker_id" in unknown.json["errors"]


def test_lists_are_cursor_pages(client, db, world):
    for n in range(5):
        make_room(world.event, name=f"Room {n}")
        make_track(world.event, name=f"Track {n}")
    db.session.commit()
    base = _base(world)
    for kind in ("rooms", "tracks"):
        seen, cursor = [], None
        for _ in range(3):
            page = client.get(f"{base}/{kind}?limit=2" + (f"&cursor={cursor}" if cursor else "")).json
            seen += [item["name"] for item in page["results"]]
            cursor = page["next"]
        assert cursor is None and sorted(seen) == sorted(f"{kind[:-1].title()} {n}" for n in range(5))
    bad = client.get(f"{base}/rooms?cursor=nonsense")
    assert bad.status_code == 422 and bad.mimetype == PROBLEM and "cursor" in bad.json["errors"]


def test_scopes_are_refused_with_problems(client, db, world):
    room = make_room(world.event, name="Hall")
    db.session.commit()
    base = _base(world)
    reader = _token(db, world, "programme:read")
    unscoped = _token(db, world, "events:read")
    for method, url, body, headers in [
        ("POST", f"{base}/rooms", {"name": "New"}, reader),
        ("PATCH", f"{base}/rooms/{room.id}", {"capacity": 3}, reader),
        ("DELETE", f"{base}/rooms/{room.id}", None, reader),
        ("POST", f"{base}/sessions", {"title": "New"}, reader),
        ("GET", f"{base}/rooms", None, unscoped),  # a token sent is checked, even for public data
    ]:
        response = client.open(url, method=method, json=body, headers=headers)
        assert response.status_code == 403, (method, url, response.status_code)
        assert response.mimetype == PROBLEM and response.json["code"] == "forbidden"
        assert "programme" in response.json["detail"]
    no_token = client.post(f"{base}/rooms", json={"name": "New"})
    assert no_token.status_code == 401 and no_token.mimetype == PROBLEM
    assert db.session.get(Room, room.id).capacity is None


def test_ids_of_another_event_are_not_reached_and_odd_bodies_are_problems(client, db, world):
    other_room = make_room(world.other_event, name="Elsewhere")
    other_session = make_session(world.other_event, title="Theirs", publish=True)
    db.session.commit()
    writer = _token(db, world, "programme:write", "programme:read")
    base = _base(world)
    for method, url, body in [
        ("GET", f"{base}/rooms/{other_room.id}", None),
        ("PATCH", f"{base}/rooms/{other_room.id}", {"capacity": 1}),
        ("DELETE", f"{base}/rooms/{other_room.id}", None),
        ("GET", f"{base}/sessions/{other_session.id}", None),
        ("POST", f"{base}/sessions/{other_session.id}/cancel", None),
    ]:
        response = client.open(url, method=method, json=body, headers=writer)
        assert response.status_code == 404 and response.mimetype == PROBLEM, (method, url)
    stolen = client.post(f"{base}/sessions", json={"title": "Mine", "room_id": other_room.id}, headers=writer)
    assert stolen.status_code == 422 and "room_id" in stolen.json["errors"]
    far = client.post(f"{base}/sessions", json={"title": "Late", "starts_at": "9999-12-31T23:00:00+00:00"}, headers=writer)
    assert far.status_code == 422 and "starts_at" in far.json["errors"]
    assert db.session.get(Room, other_room.id).capacity is None
