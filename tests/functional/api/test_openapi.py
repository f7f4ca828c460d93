"""The OpenAPI document at /api/v1/openapi.json is generated (flask-smorest, from the schemas that
validate the requests), is OpenAPI 3.1, describes exactly the /api/v1 routes, and what the
endpoints really answer validates against it (every field described, no field left out)."""
from __future__ import annotations

import copy
import re

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.support.checkin import attendee

DOC_URI = "urn:confapp:openapi"


@pytest.fixture
def document(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.json


def _strict(document: dict) -> dict:
    """The document with every described object closed: an answer with a field the document does
    not describe fails, as does one missing a required field."""
    strict = copy.deepcopy(document)
    for schema in strict["components"]["schemas"].values():
        if "properties" in schema:
            schema["additionalProperties"] = False
    return strict


def _validator(document: dict, path: str, method: str, status: int,
               media_type: str = "application/json") -> Draft202012Validator:
    content = document["paths"][path][method]["responses"][str(status)]
    if "$ref" in content:
        content = document["components"]["responses"][content["$ref"].rsplit("/", 1)[1]]
    schema = content["content"][media_type]["schema"]
    registry = Registry().with_resource(DOC_URI, Resource.from_contents(_strict(document), default_specification=DRAFT202012))
    pointer = schema["$ref"] if "$ref" in schema else None
    return Draft202012Validator({"$ref": DOC_URI + pointer} if pointer else schema, registry=registry)


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_the_document_is_openapi_3_1_and_names_the_token_scheme(document):
    assert re.fullmatch(r"3\.1\.\d+", document["openapi"])
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearerAuth": []}]


def test_every_api_route_is_described_and_every_description_is_a_route(app, document):
    routes = {
        (_openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint.startswith("api_v1.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    described = {(path, method) for path, item in document["paths"].items() for method in item
                 if method in ("get", "post", "put", "patch", "delete")}
    assert routes == described
    assert ("/api/v1/events/{slug}/checkin/redeem", "post") in routes and len(routes) == 57


def test_real_answers_validate_against_the_document(client, db, world, auth, document):
    person = attendee(world.event, first_name="Lucía")
    db.session.commit()
    slug = world.event.slug
    calls = [
        ("/api/v1/events", "get", client.get("/api/v1/events", headers=auth)),
        ("/api/v1/events/{slug}", "get", client.get(f"/api/v1/events/{slug}", headers=auth)),
        ("/api/v1/events/{slug}/registrations", "get",
         client.get(f"/api/v1/events/{slug}/registrations?limit=1", headers=auth)),
        ("/api/v1/events/{slug}/registrations/{registration_id}", "get",
         client.get(f"/api/v1/events/{slug}/registrations/{person.id}", headers=auth)),
        ("/api/v1/events/{slug}/checkin/redeem", "post",
         client.post(f"/api/v1/events/{slug}/checkin/redeem", json={"code": person.ticket_code}, headers=auth)),
    ]
    for path, method, response in calls:
        assert response.status_code == 200, (path, response.json)
        errors = [e.message for e in _validator(document, path, method, 200).iter_errors(response.json)]
        assert errors == [], (path, errors)
    redeem = calls[-1][2].json
    assert redeem["outcome"] == "ok"
    # The check has teeth: a field the document does not describe, or one it requires missing, fails.
    validator = _validator(document, "/api/v1/events/{slug}/checkin/redeem", "post", 200)
    assert list(validator.iter_errors({**redeem, "surprise": 1}))
    assert list(validator.iter_errors({k: v for k, v in redeem.items() if k != "outcome"}))


def test_error_answers_validate_against_the_error_schema(client, db, world, auth, document):
    slug = world.event.slug
    for path, method, status, response in [
        ("/api/v1/events", "get", 401, client.get("/api/v1/events")),
        ("/api/v1/events/{slug}", "get", 404, client.get("/api/v1/events/no-such-event", headers=auth)),
        ("/api/v1/events/{slug}/registrations", "get", 422,
         client.get(f"/api/v1/events/{slug}/registrations?status=nonsense", headers=auth)),
    ]:
        assert response.status_code == status and response.mimetype == "application/problem+json"
        validator = _validator(document, path, method, status, response.mimetype)
        errors = [e.message for e in validator.iter_errors(response.json)]
        assert errors == [], (path, status, errors)


def test_requests_are_validated_by_the_documented_schema(document):
    """The redeem body in the document is the schema that validates it (code required, 64 at most)."""
    body = document["paths"]["/api/v1/events/{slug}/checkin/redeem"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = document["components"]["schemas"][ref]
    assert schema["required"] == ["code"] and schema["properties"]["code"]["maxLength"] == 64


def test_pages_keep_their_html_errors_and_the_api_its_json_ones(client, db):
    """flask-smorest's app-wide error handler is left out: only /api/ answers JSON."""
    page = client.get("/e/no-such-event/")
    assert page.status_code == 404 and page.mimetype == "text/html"
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.is_json and api.json["detail"]
    wrong_method = client.delete("/api/v1/events")
    assert wrong_method.status_code == 405 and wrong_method.is_json


def test_order_and_checkin_answers_validate_against_the_document(client, db, world, auth, document):
    """The answers of the write endpoints (orders, their changes, check-in) are what the document says."""
    from tests.factories import make_category

    category = make_category(world.event, name="Delegate")
    person = attendee(world.event, first_name="Amara")
    db.session.commit()
    slug, list_id = world.event.slug, world.list.id
    order = client.post(f"/api/v1/events/{slug}/orders", headers={**auth, "Idempotency-Key": "doc-1"}, json={
        "attendees": [{"first_name": "Ana", "email": "ana@example.org", "category_id": category.id}], "send_email": False})
    calls = [
        ("/api/v1/events/{slug}/orders", "post", 201, order),
        ("/api/v1/events/{slug}/orders/{order_id}", "get", 200,
         client.get(f"/api/v1/events/{slug}/orders/{order.json['id']}", headers=auth)),
        ("/api/v1/events/{slug}/registrations/{registration_id}", "patch", 200,
         client.patch(f"/api/v1/events/{slug}/registrations/{person.id}", json={"last_name": "Okafor"}, headers=auth)),
        ("/api/v1/events/{slug}/checkin/lists", "get", 200, client.get(f"/api/v1/events/{slug}/checkin/lists", headers=auth)),
        ("/api/v1/events/{slug}/checkin/lists/{list_id}/sync", "post", 200,
         client.post(f"/api/v1/events/{slug}/checkin/lists/{list_id}/sync", headers=auth,
                     json={"scans": [{"scan_id": "s1", "code": person.ticket_code}]})),
        ("/api/v1/events/{slug}/checkin/lists/{list_id}/search", "get", 200,
         client.get(f"/api/v1/events/{slug}/checkin/lists/{list_id}/search?q=amara", headers=auth)),
        ("/api/v1/events/{slug}/checkin/lists/{list_id}/stats", "get", 200,
         client.get(f"/api/v1/events/{slug}/checkin/lists/{list_id}/stats", headers=auth)),
        ("/api/v1/events/{slug}/orders/{order_id}/cancel", "post", 200,
         client.post(f"/api/v1/events/{slug}/orders/{order.json['id']}/cancel", json={}, headers=auth)),
    ]
    for path, method, status, response in calls:
        assert response.status_code == status, (path, response.get_data(as_text=True))
        errors = [e.message for e in _validator(document, path, method, status).iter_errors(response.json)]
        assert errors == [], (path, errors)
    sold_out = make_category(world.event, name="Full", capacity=0)
    db.session.commit()
    refused = client.post(f"/api/v1/events/{slug}/orders", headers=auth, json={
        "attendees": [{"first_name": "Bo", "email": "bo@example.org", "category_id": sold_out.id}], "send_email": False})
    assert refused.status_code == 409
    validator = _validator(document, "/api/v1/events/{slug}/orders", "post", 409, "application/problem+json")
    assert [e.message for e in validator.iter_errors(refused.json)] == []


def test_programme_outreach_and_report_paths_are_documented_and_answers_validate(client, db, world, auth, document):
    """The programme, outreach and reports endpoints are in the document (the public reads
    marked as working without a token too), and what they answer is what it says."""
    from tests.factories import make_room, make_session, make_speaker, make_track

    paths = document["paths"]
    for path, methods in {
        "/api/v1/events/{slug}/programme/rooms": {"get", "post"},
        "/api/v1/events/{slug}/programme/rooms/{room_id}": {"get", "patch", "delete"},
        "/api/v1/events/{slug}/programme/tracks": {"get", "post"},
        "/api/v1/events/{slug}/programme/tracks/{track_id}": {"get", "patch", "delete"},
        "/api/v1/events/{slug}/programme/sessions": {"get", "post"},
        "/api/v1/events/{slug}/programme/sessions/{session_id}": {"get", "patch", "delete"},
        "/api/v1/events/{slug}/programme/sessions/{session_id}/publish": {"post"},
        "/api/v1/events/{slug}/programme/speakers": {"get", "post"},
        "/api/v1/events/{slug}/programme/speakers/{speaker_id}": {"get", "patch", "delete"},
        "/api/v1/events/{slug}/messages": {"post"},
        "/api/v1/events/{slug}/messages/{message_id}": {"get"},
        "/api/v1/events/{slug}/messages/{message_id}/send": {"post"},
        "/api/v1/events/{slug}/report": {"get"},
        "/api/v1/events/{slug}/report/live": {"get"},
    }.items():
        assert methods <= set(paths[path]), path
    assert paths["/api/v1/events/{slug}/programme/sessions"]["get"]["security"] == [{}, {"bearerAuth": []}]
    assert "security" not in paths["/api/v1/events/{slug}/programme/sessions"]["post"]  # the token is required
    warning = document["components"]["schemas"]["ConflictWarning"]
    assert set(warning["required"]) == {"kind", "session_id", "other_session_id", "message"}

    room = make_room(world.event, name="Hall", capacity=10)
    make_track(world.event, name="Rights")
    session = make_session(world.event, title="Panel", room_id=room.id, publish=True)
    speaker = make_speaker(world.event, name="Amara")
    db.session.commit()
    base = f"/api/v1/events/{world.event.slug}"
    p = f"{base}/programme"
    message = client.post(f"{base}/messages", headers=auth, json={"subject": "Hi", "body": "Hello."})
    calls = [
        ("/api/v1/events/{slug}/programme/rooms", "get", 200, client.get(f"{p}/rooms")),
        ("/api/v1/events/{slug}/programme/tracks", "get", 200, client.get(f"{p}/tracks")),
        ("/api/v1/events/{slug}/programme/sessions", "get", 200, client.get(f"{p}/sessions")),
        ("/api/v1/events/{slug}/programme/sessions", "get", 200, client.get(f"{p}/sessions", headers=auth)),
        ("/api/v1/events/{slug}/programme/speakers", "get", 200, client.get(f"{p}/speakers", headers=auth)),
        ("/api/v1/events/{slug}/programme/speakers/{speaker_id}", "get", 200,
         client.get(f"{p}/speakers/{speaker.id}", headers=auth)),
        ("/api/v1/events/{slug}/programme/sessions/{session_id}/speakers", "post", 200,
         client.post(f"{p}/sessions/{session.id}/speakers", json={"speaker_id": speaker.id}, headers=auth)),
        ("/api/v1/events/{slug}/programme/sessions", "post", 201,
         client.post(f"{p}/sessions", headers=auth, json={"title": "Clash", "room_id": room.id, "capacity": 40,
                                                           "starts_at": session.starts_at.isoformat()})),
        ("/api/v1/events/{slug}/programme/rooms/{room_id}", "patch", 200,
         client.patch(f"{p}/rooms/{room.id}", json={"capacity": 5}, headers=auth)),
        ("/api/v1/events/{slug}/programme/speakers", "post", 201,
         client.post(f"{p}/speakers", json={"name": "Kofi"}, headers=auth)),
        ("/api/v1/events/{slug}/messages", "post", 201, message),
        ("/api/v1/events/{slug}/messages/{message_id}", "get", 200,
         client.get(f"{base}/messages/{message.json['id']}", headers=auth)),
        ("/api/v1/events/{slug}/report/live", "get", 200, client.get(f"{base}/report/live", headers=auth)),
    ]
    for path, method, status, response in calls:
        assert response.status_code == status, (path, response.get_data(as_text=True))
        errors = [e.message for e in _validator(document, path, method, status).iter_errors(response.json)]
        assert errors == [], (path, errors)
    assert calls[7][3].json["warnings"]  # the clash is warned about, in the documented shape
    refused = client.post(f"{p}/rooms", json={"name": "Hall"}, headers=auth)
    validator = _validator(document, "/api/v1/events/{slug}/programme/rooms", "post", 422, "application/problem+json")
    assert refused.status_code == 422 and [e.message for e in validator.iter_errors(refused.json)] == []


def test_the_published_report_answer_validates_against_the_document(client, db, world, document):
    from datetime import timedelta

    from confapp.reports import services as report_services
    from tests.support.access import ORGANISER

    organiser = world.users[ORGANISER]
    report = report_services.start_report(world.event, actor=organiser)
    report_services.publish_report(report, actor=organiser, now=world.event.starts_at + timedelta(hours=1))
    db.session.commit()
    response = client.get(f"/api/v1/events/{world.event.slug}/report")
    assert response.status_code == 200
    validator = _validator(document, "/api/v1/events/{slug}/report", "get", 200)
    assert [e.message for e in validator.iter_errors(response.json)] == []


def _operations(document: dict) -> dict[str, tuple[str, str, dict]]:
    return {operation["operationId"]: (path, method, operation)
            for path, item in document["paths"].items() for method, operation in item.items()
            if isinstance(operation, dict) and "operationId" in operation}


def _links(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in (operation.get("responses") or {}).items() if isinstance(operation, dict) else ():
                for name, link in (response.get("links") or {}).items():
                    yield path, method, status, name, link


def test_the_document_is_valid_openapi_3_1_and_its_links_reach_real_operations(document):
    """Valid against the OpenAPI 3.1 schema (the copy Schemathesis ships); each link names an
    operation that exists and fills exactly that operation's path parameters."""
    from schemathesis.specs.openapi.definitions import OPENAPI_31

    assert [e.message for e in Draft202012Validator(OPENAPI_31).iter_errors(document)] == []
    operations = _operations(document)
    assert len(operations) == len([o for p in document["paths"].values() for o in p.values()
                                   if isinstance(o, dict) and "operationId" in o])  # operationIds are unique
    found = list(_links(document))
    assert {(path, name) for path, _, _, name, _ in found} >= {
        ("/api/v1/events/{slug}/orders", "order_get"), ("/api/v1/events/{slug}/orders", "order_cancel"),
        ("/api/v1/events/{slug}/checkin/lists/{list_id}/walk-ins", "registration_get")}
    for path, method, status, name, link in found:
        target_path, _, _ = operations[link["operationId"]]
        assert set(link["parameters"]) == set(re.findall(r"{(\w+)}", target_path)), (path, name)
        assert all(v.startswith(("$request.path.", "$response.body#/")) for v in link["parameters"].values())


def test_following_the_links_of_a_new_order_and_a_walk_in_reaches_them(client, db, world, auth, document):
    from tests.factories import make_category

    def resolve_pointer(body, pointer: str):
        for part in pointer.strip("/").split("/"):
            body = body[int(part)] if isinstance(body, list) else body[part]
        return body

    category = make_category(world.event, name="Delegate")
    db.session.commit()
    slug = world.event.slug
    made = {
        "/api/v1/events/{slug}/orders": client.post(f"/api/v1/events/{slug}/orders", headers=auth, json={
            "attendees": [{"first_name": "Ana", "email": "ana@example.org", "category_id": category.id}],
            "send_email": False}),
        "/api/v1/events/{slug}/checkin/lists/{list_id}/walk-ins": client.post(
            f"/api/v1/events/{slug}/checkin/lists/{world.list.id}/walk-ins", headers=auth,
            json={"first_name": "Noor", "email": "noor@example.org", "category_id": category.id}),
    }
    operations = _operations(document)
    followed_links = set()
    for path, _, status, name, link in _links(document):
        if path not in made or operations[link["operationId"]][1] != "get":
            continue
        answer = made[path]
        assert answer.status_code == int(status)
        values = {key: slug if expression == "$request.path.slug" else resolve_pointer(answer.json, expression.split("#", 1)[1])
                  for key, expression in link["parameters"].items()}
        target_path = operations[link["operationId"]][0]
        followed = client.get(target_path.format(**values), headers=auth)
        assert followed.status_code == 200 and followed.json["id"] == values[next(k for k in values if k != "slug")], name
        followed_links.add(name)
    assert followed_links == {"order_get", "registration_get"}
