"""Every error under /api/ is an RFC 9457 problem (application/problem+json): type, title, status,
detail, a stable code, and `errors` by field for validation; never HTML, whatever the status or
the Accept header. The OpenAPI document describes that one schema and media type."""
from __future__ import annotations

import pytest

from confapp.api.models import Scope
from tests.functional.api.conftest import bearer, make_token
from tests.functional.api.test_checkin_api import rate_limited  # noqa: F401 (a fixture)
from tests.support.access import ORGANISER

PROBLEM = "application/problem+json"
HTML_ACCEPT = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.json
    assert {"type", "title", "status", "detail", "code"} <= set(body)
    assert body["status"] == status and body["code"] == code and body["detail"]
    assert "<html" not in response.get_data(as_text=True).lower()
    return body


def test_401_403_404_are_problems(client, db, world):
    no_token = _problem(client.get("/api/v1/events", headers=HTML_ACCEPT), 401, "unauthorized")
    assert no_token["type"] == "about:blank" and no_token["title"] == "Unauthorized"
    _problem(client.get("/api/v1/events", headers=bearer("nope")), 401, "unauthorized")
    _, read_only = make_token(world.event, world.users[ORGANISER], scopes=[Scope.EVENTS_READ.value])
    db.session.commit()
    scope = _problem(client.get(f"/api/v1/events/{world.event.slug}/registrations", headers=bearer(read_only)),
                     403, "forbidden")
    assert "registrations:read" in scope["detail"]
    _problem(client.get("/api/v1/events/no-such-event", headers={**bearer(world.secret), **HTML_ACCEPT}),
             404, "not_found")
    _problem(client.get(f"/api/v1/events/{world.event.slug}/registrations/999999", headers=bearer(world.secret)),
             404, "not_found")


def test_unknown_api_urls_and_wrong_methods_are_problems(client, db, world):
    for url in ("/api/v1/no-such-thing", "/api/nothing-here", "/api/"):
        _problem(client.get(url, headers=HTML_ACCEPT), 404, "not_found")
    wrong = _problem(client.delete("/api/v1/events", headers=bearer(world.secret)), 405, "method_not_allowed")
    assert wrong["title"] == "Method Not Allowed"
    assert "GET" in client.delete("/api/v1/events").headers["Allow"]


def test_validation_errors_name_their_fields(client, db, world):
    auth = bearer(world.secret)
    query = _problem(client.get(f"/api/v1/events/{world.event.slug}/registrations?status=lost&limit=0",
                                headers=auth), 422, "unprocessable_entity")
    assert set(query["errors"]) == {"status", "limit"} and all(query["errors"].values())
    body = _problem(client.post(f"/api/v1/events/{world.event.slug}/checkin/redeem", json={"station": 1},
                                headers=auth), 422, "unprocessable_entity")
    assert set(body["errors"]) == {"code", "station"}
    broken = _problem(client.post(f"/api/v1/events/{world.event.slug}/checkin/redeem", data="{",
                                  content_type="application/json", headers=auth), 400, "bad_request")
    assert broken["errors"] == {"json": "Invalid JSON body."}


def test_over_the_rate_limit_is_a_problem_with_retry_after(client, db, world, rate_limited):  # noqa: F811
    auth = bearer(world.secret)
    for _ in range(3):
        client.get("/api/v1/events", headers=auth)
    refused = _problem(client.get("/api/v1/events", headers=auth), 429, "too_many_requests")
    assert refused["title"] == "Too Many Requests" and int(client.get("/api/v1/events", headers=auth)
                                                            .headers["Retry-After"]) >= 1


@pytest.fixture
def failing_events(monkeypatch):
    from confapp.api import queries

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals: /srv/confapp/db password=hunter2")

    monkeypatch.setattr(queries, "readable_events", explode)


def test_unexpected_errors_are_problems_without_internals(client, db, world, failing_events):
    body = _problem(client.get("/api/v1/events", headers={**bearer(world.secret), **HTML_ACCEPT}),
                    500, "internal_error")
    assert body["type"] == "urn:confapp:problem:internal_error" and "hunter2" not in str(body)


def test_the_document_describes_the_problem_schema_and_media_type(client, db):
    document = client.get("/api/v1/openapi.json").json
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
    assert "errors" in problem["properties"]
    events = document["paths"]["/api/v1/events"]["get"]["responses"]
    assert set(events["401"]["content"]) == {PROBLEM}
    # flask-smorest's own 422 (from the query schema) and the default error, too.
    unprocessable = document["components"]["responses"]["UNPROCESSABLE_CONTENT"
                                                         if "UNPROCESSABLE_CONTENT" in document["components"]["responses"]
                                                         else "UNPROCESSABLE_ENTITY"]
    assert set(unprocessable["content"]) == {PROBLEM}
    assert events["422"]["$ref"].endswith(("UNPROCESSABLE_ENTITY", "UNPROCESSABLE_CONTENT"))
