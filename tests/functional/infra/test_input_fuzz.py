"""Fuzz every form and JSON endpoint with hostile values and find no 5xx, on SQLite and PostgreSQL.

For each role (anonymous, check-in staff, organiser) a test client walks the pages reachable from
the start pages (a few of each kind), and submits every form it finds, with its CSRF token, once
per hostile value put in every visible field (CSRF checking stays off as in the rest of the suite;
the token is sent all the same): oversized text, a NUL byte, a 30-digit number,
1e30, a date in year 2999 and in year 1. The desk's JSON endpoints (by staff session and by
volunteer link) and the webhook get the same values in every key. Any answer of 500 or more fails.
"""
from __future__ import annotations

import re
import time
from collections import deque
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import TEST_PASSWORD
from tests.functional.test_site_crawl import kind_of

HOSTILE = ["x" * 60_000, "a\x00b", "9" * 30, "1e30", "2999-12-31T23:59", "0001-01-01"]
JSON_HOSTILE = [10**30, 2**31, 1e30, -1, True, "a\x00b", "9" * 30, "x" * 60_000, ["list"], {"a": 1},
                "2999-12-31T23:59:00+00:00", None]
SKIP = re.compile(r"/logout|/static/|\.(pdf|csv|ics|xlsx|zip|png|svg|txt|json)$|/export|/download|/badges")
MAX_PAGES = 90
MAX_PER_KIND = 2
BUDGET_SECONDS = 25
STATS: dict = {"pages": 0, "submitted": 0, "statuses": {}}


class Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"method": a.get("method", "get").lower(), "action": a.get("action", ""), "fields": [],
                          "fixed": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag == "button" and a.get("name"):
            self._form["fixed"].setdefault(a["name"], a.get("value", ""))
        elif self._form is not None and tag in ("input", "textarea", "select") and a.get("name"):
            kind = a.get("type", "text").lower() if tag == "input" else tag
            if kind in ("hidden", "submit", "button"):
                self._form["fixed"][a["name"]] = a.get("value", "")
            elif kind in ("checkbox", "radio"):
                self._form["fixed"].setdefault(a["name"], a.get("value", "y"))
            elif kind != "file":
                self._form["fields"].append(a["name"])
            if tag == "select":
                self._select = a["name"]
        elif tag == "option" and self._form is not None and self._select:
            self._form["fixed"].setdefault(self._select + "#option", a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _internal(base: str, href: str) -> str | None:
    if href.startswith(("mailto:", "tel:", "javascript:", "data:", "#")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.netloc not in ("", "localhost"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def fuzz_role(client, starts: list[str], csrf_token) -> list[str]:
    """Walk from `starts`, fuzz every POST form met; the URLs that answered 5xx."""
    failures: list[str] = []
    seen, kinds = set(starts), {}
    queue = deque(starts)
    pages = 0
    started = time.monotonic()
    while queue and pages < MAX_PAGES and time.monotonic() - started < BUDGET_SECONDS:
        url = queue.popleft()
        response = client.get(url)
        pages += 1
        if response.status_code >= 500:
            failures.append(f"GET {url} -> {response.status_code}")
            continue
        if "text/html" not in response.content_type:
            continue
        parser = Forms()
        parser.feed(response.get_data(as_text=True))
        for href in parser.links:
            target = _internal(url, href)
            if target and target not in seen and not SKIP.search(target):
                kind = kind_of(target)
                if kinds.get(kind, 0) < MAX_PER_KIND:
                    kinds[kind] = kinds.get(kind, 0) + 1
                    seen.add(target)
                    queue.append(target)
        for form in parser.forms:
            action = _internal(url, form["action"] or url)
            if not action or SKIP.search(action):
                continue
            fixed = {k: v for k, v in form["fixed"].items() if not k.endswith("#option")}
            for value in HOSTILE:
                # A fresh token each time: a refused submission may have started a new session.
                fixed["csrf_token"] = csrf_token()
                data = dict(fixed, **{name: value for name in form["fields"]})
                # Hidden numbers (ids, quantities carried between steps) get the value too, once.
                if value == "9" * 30:
                    data.update({k: value for k, v in fixed.items() if v.isdigit()})
                if form["method"] == "post":
                    answer = client.post(action, data=data)
                else:
                    answer = client.get(action.split("?")[0], query_string={k: v[:2000] for k, v in data.items()})
                STATS["submitted"] += 1
                STATS["statuses"].setdefault(answer.status_code, set()).add(action)
                if answer.status_code >= 500:
                    failures.append(f"{form['method'].upper()} {action} {value[:12]!r} -> {answer.status_code}")
    STATS["pages"] += pages
    return failures


def fuzz_json(client, base: str, headers: dict) -> list[str]:
    failures = []
    keys = ("code", "scan_id", "station", "check_in_id", "category_id", "registration_id", "amount", "how",
            "first_name", "last_name", "email", "scans", "scanned_at")
    for path in ("redeem", "undo", "walkin", "pay", "sync"):
        for value in JSON_HOSTILE:
            body = {key: value for key in keys}
            if path == "sync":
                body = {"scans": [{key: value for key in keys}] * 3}
            answer = client.post(f"{base}/{path}", json=body, headers=headers)
            if answer.status_code >= 500:
                failures.append(f"POST {base}/{path} {str(value)[:12]!r} -> {answer.status_code}")
        for raw in (b"\xff\xfe", b"[]", b"{", b'"x"', b"1e999"):
            answer = client.post(f"{base}/{path}", data=raw, headers=dict(headers, **{"Content-Type": "application/json"}))
            if answer.status_code >= 500:
                failures.append(f"POST {base}/{path} {raw!r} -> {answer.status_code}")
    for path in ("search", "stats", "offline"):
        for value in ("a\x00b"[:1], "x" * 5000, "9" * 30):
            answer = client.get(f"{base}/{path}", query_string={"q": value}, headers=headers)
            if answer.status_code >= 500:
                failures.append(f"GET {base}/{path} -> {answer.status_code}")
    for raw in (b"\xff", b"{}", b'{"id": 1e999, "type": []}'):
        answer = client.post("/payments/stripe/webhook", data=raw, headers={"Stripe-Signature": "t=1,v1=00"})
        if answer.status_code >= 500:
            failures.append(f"POST webhook {raw!r} -> {answer.status_code}")
    return failures


def build_world(db):
    """An event with free and pay-what-you-can categories, a question, an attendee, a check-in
    list and a volunteer link; staff and organiser accounts."""
    from confapp.checkin import services
    from confapp.registration.models import Question, QuestionKind
    from confapp.types import utcnow
    from tests.factories import make_category
    from tests.support.access import ORGANISER, access_world
    from tests.support.checkin import attendee

    world = access_world()
    now = utcnow()
    make_category(world.event, name="Community", price_kind="pay_what_you_can", min_minor=0, suggested_minor=2000)
    db.session.add(Question(event_id=world.event.id, kind=QuestionKind.SHORT_TEXT, label="Dietary needs"))
    world.list = services.main_list(world.event, actor=world.users[ORGANISER], now=now)
    world.reg = attendee(world.event, first_name="Amara", last_name="Okafor")
    _, world.token = services.create_volunteer_link(world.list, name="Door", valid_from=now - timedelta(hours=1),
                                                    valid_until=now + timedelta(hours=4),
                                                    actor=world.users[ORGANISER], now=now)
    db.session.commit()
    return world


def run_fuzz(app, client, world) -> list[str]:
    from tests.support.access import ORGANISER, STAFF

    slug = world.event.slug
    failures: list[str] = []

    def token_for():
        from flask_wtf.csrf import generate_csrf

        with app.test_request_context():
            with client.session_transaction() as saved:
                from flask import session

                session.update(saved)
                token = generate_csrf()
                saved.update(session)
        return token

    try:
        failures += fuzz_role(client, ["/", f"/e/{slug}/", f"/e/{slug}/register", "/account/login", "/account/signup"],
                              token_for)
        failures += fuzz_json(client, f"/checkin/api/links/{world.token}", {"Accept": "application/json"})
        for role, starts in ((STAFF, [f"/manage/{slug}/checkin/"]),
                             (ORGANISER, ["/manage/", f"/manage/{slug}/", f"/manage/{slug}/registration/",
                                          f"/manage/{slug}/programme/", f"/manage/{slug}/emails/new"])):
            client.post("/account/logout")
            user = world.users[role]
            assert client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302
            failures += fuzz_role(client, starts, token_for)
            failures += fuzz_json(client, f"/checkin/api/lists/{world.list.id}",
                                  {"Accept": "application/json", "X-CSRFToken": token_for()})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    return failures


def test_no_form_or_json_endpoint_answers_5xx_on_sqlite(app, client, db):
    world = build_world(db)
    failures = run_fuzz(app, client, world)
    assert failures == []


@pytest.mark.postgres
def test_no_form_or_json_endpoint_answers_5xx_on_postgresql(pg_app):
    from confapp.extensions import db

    with pg_app.app_context():
        world = build_world(db)
        client = pg_app.test_client()
        failures = run_fuzz(pg_app, client, world)
        db.session.remove()
    assert failures == []
