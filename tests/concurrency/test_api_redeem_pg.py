"""The API's redeem on the real PostgreSQL server: many integrations redeeming one ticket at once
through /api/v1 get one check-in and "already" for the rest, as at the desk (same service)."""
from collections import Counter

import pytest

from confapp.api.tokens import create_token
from confapp.audit.models import AuditEntry
from confapp.checkin import services
from confapp.checkin.models import CheckIn
from confapp.extensions import db
from tests.factories import make_event, make_user
from tests.support.api_race import post_at_once
from tests.support.checkin import attendee

pytestmark = pytest.mark.postgres
CLIENTS = 12


def test_concurrent_api_redeems_of_one_ticket_give_one_check_in(pg_app, now):
    with pg_app.app_context():
        organiser = make_user(name="Maria")
        event = make_event(organiser=organiser)
        services.main_list(event, actor=organiser, now=now)
        code = attendee(event).ticket_code
        _, secret = create_token(event, name="Door app", scopes=["checkin:write"], expires_at=None,
                                 actor=organiser, now=now)
        db.session.commit()
        url = f"/api/v1/events/{event.slug}/checkin/redeem"
    bodies = [{"code": code, "station": f"Gate {n}"} for n in range(CLIENTS)]
    answers = [(status, (body or {}).get("outcome", ""))
               for status, body in post_at_once(pg_app, url, secret, bodies, [None] * CLIENTS)]
    assert Counter(answers) == {(200, "ok"): 1, (200, "already"): CLIENTS - 1}
    with pg_app.app_context():
        assert CheckIn.query.count() == 1
        labels = [e.actor_label for e in AuditEntry.query.filter_by(action="checkin.redeem")]
        assert labels == ["API token: Door app"]
