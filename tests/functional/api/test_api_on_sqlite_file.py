"""The API on a real SQLite file (not the per-test transaction), where GETs read in a deferred
transaction and writers queue for one lock: "last used" is written beside the request's own
transaction, and the redeem holds the write lock only for the check-in, as the desk's does."""
from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from confapp.api.models import ApiToken
from confapp.api.tokens import create_token
from confapp.checkin import services
from confapp.extensions import db
from confapp.types import utcnow
from tests.conftest import make_app_for
from tests.factories import make_event, make_user
from tests.support.checkin import attendee
from tests.support.queries import count_queries


@pytest.fixture
def api(tmp_path, smtp_server):
    app = make_app_for(f"sqlite:///{tmp_path / 'api.db'}", smtp_server)
    with app.app_context():
        upgrade()
        organiser = make_user()
        event = make_event(organiser=organiser)
        services.main_list(event, actor=organiser, now=utcnow())
        reg = attendee(event, first_name="Amara")
        token, secret = create_token(event, name="Door app", scopes=["events:read", "checkin:write"], expires_at=None,
                                     actor=organiser, now=utcnow())
        db.session.commit()
        world = {"app": app, "slug": event.slug, "code": reg.ticket_code, "token_id": token.id,
                 "headers": {"Authorization": f"Bearer {secret}"}}
        db.session.remove()
    yield world
    with app.app_context():
        db.engine.dispose()


def _last_used(api):
    with api["app"].app_context():
        value = db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == api["token_id"]))
        db.session.remove()
        return value


def test_a_get_records_last_use_in_a_write_of_its_own_once_a_minute(api):
    client = api["app"].test_client()
    assert _last_used(api) is None
    with api["app"].app_context():
        engine = db.engine
    with count_queries(engine, ignore_savepoints=False) as first:
        assert client.get(f"/api/v1/events/{api['slug']}", headers=api["headers"]).status_code == 200
    assert _last_used(api) is not None
    assert sum(s.startswith("UPDATE api_tokens") for s in first.statements) == 1, first.statements
    with count_queries(engine, ignore_savepoints=False) as second:
        assert client.get(f"/api/v1/events/{api['slug']}", headers=api["headers"]).status_code == 200
    assert not any(s.startswith(("UPDATE", "INSERT", "BEGIN IMMEDIATE")) for s in second.statements), second.statements


def test_redeem_takes_the_write_lock_only_for_the_check_in(api):
    client = api["app"].test_client()
    client.get(f"/api/v1/events/{api['slug']}", headers=api["headers"])  # "last used" is written now
    with api["app"].app_context():
        engine = db.engine
    url = f"/api/v1/events/{api['slug']}/checkin/redeem"
    with count_queries(engine, ignore_savepoints=False) as counter:
        response = client.post(url, json={"code": api["code"]}, headers=api["headers"])
    assert response.status_code == 200 and response.get_json()["outcome"] == "ok", response.get_json()
    steps = [" ".join(s.split()[:1] + ([s.split()[s.split().index("FROM") + 1]] if s.startswith("SELECT") else
                                      s.split()[1:3])) for s in counter.statements]
    locked = steps.index("BEGIN IMMEDIATE")
    assert "SELECT api_tokens" in steps[:locked], steps
    after = [s for s in steps[locked + 1:] if not s.startswith(("SAVEPOINT", "RELEASE"))]
    assert after[:3] == ["SELECT checkins", "INSERT INTO checkins", "INSERT INTO audit_entries"], steps
    again = client.post(url, json={"code": api["code"]}, headers=api["headers"])
    assert again.get_json()["outcome"] == "already"
