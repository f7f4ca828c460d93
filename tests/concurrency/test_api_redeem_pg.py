"""The API's redeem on the real PostgreSQL server: many integrations redeeming one ticket at once
through /api/v1 get one check-in and "already" for the rest, as at the desk (same service)."""
import threading
from collections import Counter

import pytest

from confapp.api.tokens import create_token
from confapp.audit.models import AuditEntry
from confapp.checkin import services
from confapp.checkin.models import CheckIn
from confapp.extensions import db
from tests.factories import make_event, make_user
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
    barrier = threading.Barrier(CLIENTS)
    answers: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def integration(n):
        try:
            client = pg_app.test_client()
            barrier.wait(timeout=30)
            response = client.post(url, json={"code": code, "station": f"Gate {n}"},
                                   headers={"Authorization": f"Bearer {secret}"})
            answers.append((response.status_code, (response.get_json() or {}).get("outcome", "")))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=integration, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert Counter(answers) == {(200, "ok"): 1, (200, "already"): CLIENTS - 1}
    with pg_app.app_context():
        assert CheckIn.query.count() == 1
        labels = [e.actor_label for e in AuditEntry.query.filter_by(action="checkin.redeem")]
        assert labels == ["API token: Door app"]
