"""PATCH /api/v1/events/<slug> sent at once by several clients (threads against PostgreSQL): the
event row lock and the re-read under it make the same move happen once (the people registered
are told once, the programme moves once), and different moves at once leave the programme where
the event's final dates say, each person told once per move that really happened. The moved
published session's `session.updated` webhook follows the same rule: once per move."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from confapp.api.tokens import create_token
from confapp.audit.models import AuditEntry
from confapp.events.models import Event
from confapp.extensions import db
from confapp.program.models import ProgramSession
from confapp.registration.outbox import MailKind, RegistrationMail
from confapp.webhooks import outbox, services as webhooks
from confapp.webhooks.models import WebhookDelivery
from tests.factories import make_category, make_event, make_registration, make_session, make_user
from tests.support.api_race import send_at_once
from tests.support.clock import TEST_NOW

pytestmark = pytest.mark.postgres
START = datetime(2026, 12, 5, 14, 0, tzinfo=timezone.utc)


@pytest.fixture
def hooks_written_not_sent(pg_app, monkeypatch):
    """Deliveries are written with the move and counted here; nothing is sent (no receiver)."""
    monkeypatch.setattr(outbox, "send_webhooks", lambda: None)
    monkeypatch.setitem(pg_app.config, "WEBHOOKS_ALLOW_PRIVATE_URLS", True)


def _event_with_people(pg_app):
    with pg_app.app_context():
        organiser = make_user(name="Maria")
        event = make_event(organiser=organiser, starts_at=START, ends_at=START + timedelta(days=1, hours=8))
        category = make_category(event, name="Delegate")
        for n in range(3):
            make_registration(event, category, first_name=f"Person{n}", email=f"person{n}@example.org", send_email=False)
        session = make_session(event, title="Opening plenary", starts_at=event.local(START).replace(hour=10),
                               publish=True, actor=organiser)
        webhooks.create_endpoint(event, url="http://127.0.0.1:9/hooks", event_types=["session.updated"],
                                 actor=organiser, now=TEST_NOW)
        _, secret = create_token(event, name="Planner", scopes=["events:write"], expires_at=None, actor=organiser,
                                 now=TEST_NOW)
        db.session.commit()
        return event.id, event.slug, session.id, session.starts_at, session.sequence, secret


def _moves_and_notices(event_id):
    moves = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "event.moved", AuditEntry.event_id == event_id))
    notices = db.session.scalar(select(func.count()).select_from(RegistrationMail).where(
        RegistrationMail.kind == MailKind.CHANGE_NOTICE, RegistrationMail.event_id == event_id))
    return moves, notices


def _session_webhooks(session_id) -> int:
    return sum(1 for payload in db.session.scalars(select(WebhookDelivery.payload).where(
        WebhookDelivery.event_type == "session.updated")) if json.loads(payload)["data"]["session"]["id"] == session_id)


def test_the_same_move_sent_at_once_happens_once_and_tells_each_person_once(pg_app, hooks_written_not_sent):
    event_id, slug, session_id, session_start, sequence, secret = _event_with_people(pg_app)
    body = {"starts_at": "2026-12-12T14:00:00Z", "ends_at": "2026-12-13T22:00:00Z"}
    answers = send_at_once(pg_app, "PATCH", f"/api/v1/events/{slug}", secret, [body] * 8)
    assert Counter(status for status, _ in answers) == {200: 8}, answers[:3]
    assert {answer["starts_at"] for _, answer in answers} == {"2026-12-12T14:00:00+00:00"}
    with pg_app.app_context():
        event, session = db.session.get(Event, event_id), db.session.get(ProgramSession, session_id)
        assert event.starts_at == START + timedelta(days=7)
        assert session.starts_at == session_start + timedelta(days=7) and session.sequence == sequence + 1
        assert _moves_and_notices(event_id) == (1, 3)
        assert _session_webhooks(session_id) == 1


def test_different_moves_at_once_leave_the_programme_where_the_final_dates_say(pg_app, hooks_written_not_sent):
    event_id, slug, session_id, session_start, sequence, secret = _event_with_people(pg_app)
    week = {"starts_at": "2026-12-12T14:00:00Z", "ends_at": "2026-12-13T22:00:00Z"}
    fortnight = {"starts_at": "2026-12-19T14:00:00Z", "ends_at": "2026-12-20T22:00:00Z"}
    answers = send_at_once(pg_app, "PATCH", f"/api/v1/events/{slug}", secret, [week, fortnight] * 4)
    assert Counter(status for status, _ in answers) == {200: 8}, answers[:3]
    with pg_app.app_context():
        event, session = db.session.get(Event, event_id), db.session.get(ProgramSession, session_id)
        assert event.starts_at in (START + timedelta(days=7), START + timedelta(days=14))
        assert event.ends_at - event.starts_at == timedelta(days=1, hours=8)
        # However the moves interleaved, the session kept its place in the event's programme.
        assert session.starts_at - session_start == event.starts_at - START
        moves, notices = _moves_and_notices(event_id)
        assert 2 <= moves <= 8 and session.sequence == sequence + moves
        assert notices == 3 * moves  # each person told once per move that happened
        assert _session_webhooks(session_id) == moves
