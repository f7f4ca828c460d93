"""Every curl example in docs/api.md runs (issue 14: "curl examples that the tests run"), with the
real curl binary, against the live app under gunicorn on its own SQLite file with the demo data,
in the order the document gives them, so the docs cannot drift from the API. Every operation of
the served OpenAPI document (path and method) has at least one example, so a new route without
one fails here.

Each example gets a token made through the tokens service (as the API tokens page makes them)
holding only the permission the docs name for that operation, so a wrong permission in the docs
fails too. The docs' placeholders are filled from one mapping (PLACEHOLDERS), from what the
set-up reads or makes in the demo data (MAKE_TOKENS: a category that needs approval, made through
the catalogue service as the Categories page makes it; the demo panel's times, which move with
the day the demo is loaded), and, for ids the API makes, from earlier examples' answers
(CAPTURES). Every example must match a row of OPERATIONS, which says its permission and the
status it answers; an example no row knows fails, so a new example gets a row (and thereby a
check). A 204 answer is checked to have no body."""
from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.servers import embedded_environment, embedded_gunicorn

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DOC = PROJECT_ROOT / "docs" / "api.md"

# The docs' placeholders and what they are in the demo data (`flask demo load`, as `make run` serves it).
SLUG = "phrge-institute-next"
PLACEHOLDERS = {
    "https://example.org": None,  # the live base URL
    "<slug>": SLUG,  # the demo's upcoming event (events.id 4)
    "<list_id>": "2",  # its main entrance check-in list (walk-ins allowed)
    "<published-slug>": "phrge-institute-2016",  # the demo event whose summary report is published
}

# Placeholders for what an earlier example made: (method, path pattern, a text of the example or
# None, placeholder, where in its answer). Every match fills it again: a later one wins.
CAPTURES = [
    ("POST", r"/walk-ins$", None, "<registration-id>", lambda a: a["registration"]["id"]),
    ("POST", r"/orders$", "amina@example.org", "<order-id>", lambda a: a["id"]),
    ("POST", r"/orders$", "amina@example.org", "<ticket-code>", lambda a: a["registrations"][0]["ticket_code"]),
    ("POST", r"/orders$", "leila@example.org", "<pending-order-id>", lambda a: a["id"]),
    ("POST", r"/orders$", "kwame@example.org", "<other-pending-order-id>", lambda a: a["id"]),
    ("POST", r"/checkin/redeem$", None, "<check-in-id>", lambda a: a["check_in"]["id"]),
    ("POST", r"/messages$", None, "<message-id>", lambda a: a["id"]),
    ("GET", r"/registrations$", None, "<cursor>", lambda a: a["next"]),
    ("POST", r"/programme/rooms$", None, "<room-id>", lambda a: a["id"]),
    ("POST", r"/programme/tracks$", None, "<track-id>", lambda a: a["id"]),
    ("POST", r"/programme/speakers$", None, "<speaker-id>", lambda a: a["id"]),
    ("POST", r"/programme/sessions$", "Housing as a human right", "<session-id>", lambda a: a["id"]),
    ("POST", r"/programme/sessions$", "To be announced", "<draft-session-id>", lambda a: a["id"]),
    ("POST", r"/webhooks$", None, "<endpoint-id>", lambda a: a["id"]),
    ("GET", r"/webhooks/[^/]+/deliveries$", None, "<delivery-id>", lambda a: a["results"][0]["id"]),
]

# (method, path pattern under /api/v1 with the query, permission the docs name or None, status). First match wins.
OPERATIONS = [
    ("GET", r"^/events$", "events:read", 200),
    ("GET", r"^/events/[^/]+$", "events:read", 200),
    ("PATCH", r"^/events/[^/]+$", "events:write", 200),
    ("GET", r"^/events/[^/]+/registrations/[^/]+$", "registrations:read", 200),
    ("GET", r"^/events/[^/]+/registrations\?.*status=maybe", "registrations:read", 422),
    ("GET", r"^/events/[^/]+/registrations(\?.*)?$", "registrations:read", 200),
    ("PATCH", r"^/events/[^/]+/registrations/[^/]+$", "registrations:write", 200),
    ("POST", r"^/events/[^/]+/orders$", "registrations:write", 201),
    ("GET", r"^/events/[^/]+/orders/[^/]+$", "registrations:read", 200),
    ("POST", r"^/events/[^/]+/orders/[^/]+/(approve|reject|cancel)$", "registrations:write", 200),
    ("POST", r"^/events/[^/]+/checkin/redeem$", "checkin:write", 200),
    ("GET", r"^/events/[^/]+/checkin/lists$", "checkin:read", 200),
    ("GET", r"^/events/[^/]+/checkin/lists/[^/]+/(search|stats)(\?.*)?$", "checkin:read", 200),
    ("POST", r"^/events/[^/]+/checkin/lists/[^/]+/walk-ins$", "checkin:write", 201),
    ("POST", r"^/events/[^/]+/checkin/lists/[^/]+/(pay|undo|sync)$", "checkin:write", 200),
    ("POST", r"^/events/[^/]+/messages$", "outreach:write", 201),
    ("GET", r"^/events/[^/]+/messages/[^/]+$", "outreach:read", 200),
    ("POST", r"^/events/[^/]+/messages/[^/]+/send$", "outreach:send", 200),
    ("GET", r"^/events/[^/]+/report/live$", "reports:read", 200),
    ("GET", r"^/events/[^/]+/report$", None, 200),
    # The public programme: lists, rooms and tracks need no token; a draft session or a speaker
    # without a public session does.
    ("GET", r"^/events/[^/]+/programme/(rooms|tracks|sessions|speakers)(\?.*)?$", None, 200),
    ("GET", r"^/events/[^/]+/programme/(rooms|tracks)/[^/]+$", None, 200),
    ("GET", r"^/events/[^/]+/programme/(sessions|speakers)/[^/]+$", "programme:read", 200),
    ("POST", r"^/events/[^/]+/programme/(rooms|tracks|sessions|speakers)$", "programme:write", 201),
    ("PATCH", r"^/events/[^/]+/programme/(rooms|tracks|sessions|speakers)/[^/]+$", "programme:write", 200),
    ("DELETE", r"^/events/[^/]+/programme/(rooms|tracks|sessions|speakers)/[^/]+$", "programme:write", 204),
    ("POST", r"^/events/[^/]+/programme/sessions/[^/]+/(publish|cancel|speakers)$", "programme:write", 200),
    ("DELETE", r"^/events/[^/]+/programme/sessions/[^/]+/speakers/[^/]+$", "programme:write", 200),
    ("GET", r"^/events/[^/]+/webhooks(/[^/]+(/deliveries)?)?$", "webhooks:read", 200),
    ("POST", r"^/events/[^/]+/webhooks$", "webhooks:write", 201),
    ("PATCH", r"^/events/[^/]+/webhooks/[^/]+$", "webhooks:write", 200),
    ("POST", r"^/events/[^/]+/webhooks/[^/]+/rotate-secret$", "webhooks:write", 200),
    ("POST", r"^/events/[^/]+/webhooks/[^/]+/deliveries/[^/]+/retry$", "webhooks:write", 200),
    ("DELETE", r"^/events/[^/]+/webhooks/[^/]+$", "webhooks:write", 204),
    ("POST", r"^/events/[^/]+/waitlist$", "registrations:public", 201),
]

# Examples another permission's row would match by path, told apart by a text of theirs: (text, permission, status).
BY_TEXT = [
    ("partner-cart-", "registrations:public", 201),  # a partner site's order (the same path as the organisers')
]


def _statuses(order: dict) -> list[str]:
    return [registration["status"] for registration in order["registrations"]]


# What the prose around some examples says their answer holds: (a text of the example, {field:
# value} or a check of the whole answer).
SAYS = [
    ("noor@example.org", {"outcome": "ok", "checked_in": True}),  # a free walk-in is checked in at once
    ("tomas@example.org", {"outcome": "unpaid", "checked_in": False, "amount_due_minor": 4000}),
    ("/pay", {"outcome": "ok"}),
    ("/checkin/redeem", {"outcome": "ok"}),
    ("/messages \\", {"status": "draft"}),
    ("leila@example.org", lambda a: _statuses(a) == ["pending_approval"]),
    ("/approve", lambda a: _statuses(a) == ["confirmed"]),
    ("/reject", lambda a: _statuses(a) == ["rejected"]),
    ("/orders/<pending-order-id>/cancel", lambda a: _statuses(a["order"]) == ["cancelled"]),
    ("/publish", {"status": "published", "warnings": []}),
    ("/sessions/<session-id>/cancel", {"status": "cancelled"}),
    ('"role": "facilitator"', lambda a: [s["role"] for s in a["speakers"]] == ["facilitator"]),
    ("/sessions/<session-id>/speakers/<speaker-id>", {"speakers": []}),
    ('{"active": false}', {"active": False}),
    ('{"active": true}', {"active": True}),
    ("/retry", {"state": "pending", "attempts": 0}),
    ('"waiver_requested": true', {"payment_state": "unpaid", "payment_url": None}),  # a waiver waits for review
    # A partner's card order: placed and held before any call to Stripe, paid on confapp's own page.
    ('"payment_method": "card"', lambda a: (a["payment_state"], a["payment_method"], _statuses(a)) ==
     ("unpaid", "card", ["awaiting_payment"]) and re.search(rf"/e/{SLUG}/orders/[^/]+/pay$", a["payment_url"])),
    ('"notify_registered": true', {"starts_at": "2027-03-11T13:00:00+00:00", "ends_at": "2027-03-13T21:00:00+00:00",
                                 "sessions_outside": []}),
    ('"venue_name": "Civic Hall"', {"venue_name": "Civic Hall", "venue_city": "Pittsburgh", "venue_country": "US",
                                   "starts_at": "2027-03-11T13:00:00+00:00"}),
]

# The main operations of issue 14 that must each have an example (a pattern of OPERATIONS each).
MAIN = {
    "list registrations with a filter": r"^/events/[^/]+/registrations\?.*status=confirmed",
    "the next page by cursor": r"^/events/[^/]+/registrations\?.*cursor=",
    "create an order": r"^/events/[^/]+/orders$",
    "redeem a check-in": r"^/events/[^/]+/checkin/redeem$",
    "walk-in": r"/walk-ins$",
    "create an outreach draft": r"^/events/[^/]+/messages$",
    "report figures": r"/report(/live)?$",
    "a problem": r"status=maybe",
}

# Prints {"secrets": {scope: token}, "filled": {placeholder: value}}: one token per scope, and
# what the docs' set-up placeholders stand for in this demo database.
MAKE_TOKENS = """
import json, sys
from sqlalchemy import select
from confapp import create_app
from confapp.accounts.models import User
from confapp.api import tokens
from confapp.events.queries import event_by_slug
from confapp.extensions import db
from confapp.program.models import ProgramSession as Session
from confapp.registration.catalogue import CategoryData, save_category
from confapp.types import utcnow
app = create_app()
with app.app_context():
    event = event_by_slug(sys.argv[1])
    organiser = db.session.query(User).filter_by(email="organiser@confapp.example").one()
    secrets = {}
    for scope in sys.argv[2:]:
        _, secrets[scope] = tokens.create_token(event, name=f"Docs example ({scope})", scopes=[scope],
                                                expires_at=None, actor=organiser, now=utcnow())
    approval = save_category(event, CategoryData(name="Delegate (approved by the organisers)", requires_approval=True),
                             actor=organiser, now=utcnow())
    panel = db.session.scalars(select(Session).where(Session.event_id == event.id,
                                                     Session.title == "Federal Government Perspectives")).one()
    filled = {"<approval-category-id>": approval.id,
              "<starts-at>": panel.starts_at.astimezone(event.tz).isoformat(),
              "<ends-at>": panel.ends_at.astimezone(event.tz).isoformat()}
    db.session.commit()
    print(json.dumps({"secrets": secrets, "filled": filled}))
"""


@dataclass
class Example:
    line: int  # where it starts in docs/api.md (1-based)
    text: str  # as written, continuations and all


def doc_examples(markdown: str) -> list[Example]:
    """The commands in code blocks (fenced, or indented four spaces) that start with `curl`."""
    lines, examples, i = markdown.splitlines(), [], 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            block, start, i = lines[i + 1:end], i + 1, end + 1
        elif line.startswith("    ") and (i == 0 or not lines[i - 1].strip()):
            end = i
            while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
                end += 1
            block, start, i = [l[4:] for l in lines[i:end]], i, end
        else:
            i += 1
            continue
        # One block may hold several commands, a blank line apart.
        chunk: list[str] = []
        for offset, text in enumerate([*block, ""]):
            if text.strip():
                chunk.append(text)
                continue
            if chunk and chunk[0].startswith("curl "):
                examples.append(Example(start + offset - len(chunk) + 1, "\n".join(chunk)))
            chunk = []
    return examples


def request_of(argv: list[str]) -> tuple[str, str]:
    """(method, URL) of a curl command line."""
    method, url, args = None, None, iter(argv[1:])
    for arg in args:
        if arg in ("-X", "--request"):
            method = next(args)
        elif arg in ("-H", "--header"):
            next(args)
        elif arg in ("-d", "--data", "--data-raw"):
            next(args)
            method = method or "POST"
        elif not arg.startswith("-"):
            url = arg
    return method or "GET", url


def operation(method: str, path: str, text: str = ""):
    for marker, scope, status in BY_TEXT:
        if marker in text:
            return scope, status
    for row_method, pattern, scope, status in OPERATIONS:
        if row_method == method and re.search(pattern, path):
            return scope, status
    return None


def _template_pattern(template: str) -> str:
    """An OpenAPI path (`/events/{slug}/orders/{order_id}`) as a pattern of an example's path (the
    docs' placeholders or values in the braces' places, a query string or not)."""
    parts = re.split(r"\{[a-z_]+\}", template)
    return "^" + "[^/?]+".join(re.escape(part) for part in parts) + r"(\?.*)?$"


def test_the_operations_table_knows_every_example_and_every_operation_has_one(client):
    examples = doc_examples(DOC.read_text())
    assert len(examples) >= len(MAIN)
    requests = []
    for example in examples:
        method, url = request_of(shlex.split(example.text.replace("\\\n", " ")))
        assert url and url.startswith("https://example.org/api/v1/"), f"docs/api.md:{example.line}: {url}"
        path = url.removeprefix("https://example.org/api/v1")
        assert operation(method, path), f"docs/api.md:{example.line}: add a row to OPERATIONS for {method} {path}"
        requests.append((method, path))
    for name, pattern in MAIN.items():
        assert any(re.search(pattern, p) for _, p in requests), f"docs/api.md has no curl example to {name}"
    document = client.get("/api/v1/openapi.json").json
    operations = [(method.upper(), template.removeprefix("/api/v1")) for template, item in document["paths"].items()
                  for method in item if method in ("get", "post", "put", "patch", "delete")]
    assert len(operations) >= 54
    missing = [f"{method} {template}" for method, template in operations
               if not any(m == method and re.search(_template_pattern(template), p) for m, p in requests)]
    assert missing == [], f"docs/api.md has no curl example of {missing}"


@pytest.fixture(scope="module")
def live_api(tmp_path_factory):
    assert shutil.which("curl"), "the examples run the real curl"
    folder = tmp_path_factory.mktemp("docs-curl")
    env = embedded_environment(folder)
    scopes = sorted({scope for _, _, scope, _ in OPERATIONS if scope} | {scope for _, scope, _ in BY_TEXT})
    made = subprocess.run([sys.executable, "-c", MAKE_TOKENS, SLUG, *scopes], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr[-4000:]
    set_up = json.loads(made.stdout.strip().splitlines()[-1])
    # The webhook examples' crm.example.org is not looked up (this machine resolves no names).
    # A Stripe key, as on an instance that takes card payments: the partner's card order needs one
    # (without it the order is refused, as the form offers no card), and placing the order calls
    # no payment provider (the checkout starts on the buyer's payment page), so no server is needed.
    env = dict(env, WEBHOOKS_ALLOW_PRIVATE_URLS="1", STRIPE_SECRET_KEY="sk_test_docs_examples_place_no_checkout")
    with embedded_gunicorn(env, folder) as (base, log_path):
        yield base, set_up["secrets"], set_up["filled"], log_path, folder


def run_curl(argv: list[str], folder: Path) -> tuple[int, dict[str, str], bytes]:
    body, head = folder / "body", folder / "head"
    done = subprocess.run(["curl", "-sS", "--max-time", "30", "-o", str(body), "-D", str(head), "-w", "%{http_code}",
                           *argv[1:]], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    headers = {}
    for line in head.read_text().splitlines()[1:]:
        name, _, value = line.partition(":")
        if value:
            headers[name.strip().lower()] = value.strip()
    return int(done.stdout), headers, body.read_bytes()


def test_every_curl_example_in_the_api_docs_answers_as_documented(live_api):
    base, secrets, set_up, log_path, folder = live_api
    filled = {key: value for key, value in PLACEHOLDERS.items() if value}
    filled.update(set_up)
    filled["https://example.org"] = base
    examples = doc_examples(DOC.read_text())
    for example in examples:
        where = f"docs/api.md:{example.line}"
        argv = shlex.split(example.text.replace("\\\n", " "))
        method, url = request_of(argv)
        path = url.removeprefix("https://example.org/api/v1")
        scope, status = operation(method, path, example.text)
        assert ("capi_..." in example.text) == (scope is not None), f"{where}: a token exactly where a permission is needed"
        text = example.text.replace("capi_...", secrets[scope]) if scope else example.text
        for placeholder, value in filled.items():
            text = text.replace(placeholder, str(value))
        unfilled = re.findall(r"<[a-z_-]+>", text)
        assert not unfilled, f"{where}: nothing earlier filled {unfilled}"
        argv = shlex.split(text.replace("\\\n", " "))
        got, headers, body = run_curl(argv, folder)
        media_type = headers.get("content-type", "").split(";")[0]
        assert got == status, (f"{where}: {method} {path} answered {got}, not {status}: {body[:2000]!r}\n"
                               f"--- server log ---\n{log_path.read_text()[-4000:]}")
        if status == 204:
            assert body == b"", f"{where}: a 204 with a body: {body[:200]!r}"
            continue
        assert media_type == ("application/problem+json" if status >= 400 else "application/json"), f"{where}: {media_type}"
        answer = json.loads(body)
        if status >= 400:
            assert answer["status"] == status and answer["detail"], f"{where}: {answer}"
        for marker, says in SAYS:
            if marker in example.text:
                if callable(says):
                    assert says(answer), f"{where}: {answer}"
                else:
                    assert {k: answer.get(k) for k in says} == says, f"{where}: {answer}"
        if answer.get("payment_url"):
            # The buyer's payment page is confapp's own and opens without Stripe (BASE_URL names
            # the public host, not this server's port: its path is asked here).
            paid_at = re.sub(r"^https?://[^/]+", "", answer["payment_url"])
            page, page_headers, _ = run_curl(["curl", base + paid_at], folder)
            assert (page, page_headers.get("content-type", "").split(";")[0]) == (200, "text/html"), f"{where}: {paid_at}"
        if status == 422:
            # The problem the docs show after the example is the one that comes back.
            shown = json.loads(DOC.read_text().split("\n", example.line)[-1].split("```json\n", 1)[1].split("```")[0])
            assert answer == shown, f"{where}: {answer}"
        if "Idempotency-Key" in text:
            # The docs' promise: the same POST with the same key answers the first answer again.
            again, again_headers, again_body = run_curl(argv, folder)
            assert (again, json.loads(again_body)) == (got, answer), where
            assert again_headers.get("idempotent-replayed") == "true", where
        for capture_method, pattern, marker, placeholder, pick in CAPTURES:
            if (status < 300 and capture_method == method and re.search(pattern, path.partition("?")[0])
                    and (marker is None or marker in example.text)):
                value = pick(answer)
                assert value is not None, f"{where}: no {placeholder} in {answer}"
                filled[placeholder] = value
    assert "Traceback" not in log_path.read_text()
