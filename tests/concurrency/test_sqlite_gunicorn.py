"""Embedded mode under load: two gunicorn worker processes (threads too) writing to one SQLite
file must never answer 500 "database is locked" (WAL, busy timeout, BEGIN IMMEDIATE)."""
from __future__ import annotations

import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest

from tests.support.servers import embedded_environment, embedded_gunicorn

CLIENTS = 16
POSTS_PER_CLIENT = 13  # 16 x 13 = 208 writing POSTs
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def token(self, path: str) -> str:
        status, html = self.request(path)
        assert status == 200, (path, status)
        return TOKEN.search(html).group(1)


@pytest.fixture
def embedded_server(tmp_path):
    with embedded_gunicorn(embedded_environment(tmp_path), tmp_path) as served:
        yield served


EDIT = {"timezone": "America/New_York", "starts_at": "2027-12-09T09:00", "ends_at": "2027-12-10T17:00", "series_id": "0",
        "venue_name": "Northeastern University School of Law", "venue_city": "Boston"}


def _client_run(base: str, n: int, statuses: list[int], lock: threading.Lock) -> None:
    browser = Browser(base)
    if n % 4 == 0:
        # A quarter of the clients sign up (a write), then log out and in as the organiser.
        token = browser.token("/account/signup")
        status, body = browser.request("/account/signup", {"csrf_token": token, "name": f"Load Tester {n}",
                                                            "email": f"load{n}@example.org"})
        # Sign-up writes a pending sign-up and queues its email, then answers the same "check your
        # email" page for every address (no account enumeration), not a redirect.
        assert status == 200 and "Check your email" in body, status
        with lock:
            statuses.append("signed up")
        browser = Browser(base)
    token = browser.token("/account/login")
    status, _ = browser.request("/account/login", {"csrf_token": token, "email": "organiser@confapp.example",
                                                   "password": "demo-password-2026"})
    assert status == 302, status
    slug = "phrge-institute-next" if n % 2 else "phrge-institute-2016"
    token = browser.token(f"/manage/{slug}/edit")
    for i in range(POSTS_PER_CLIENT - (1 if n % 4 == 0 else 0)):
        if i % 5 == 4:
            status, _ = browser.request(f"/manage/{slug}/team", {"csrf_token": token, "email": f"c{n}-{i}@example.org",
                                                                 "role": "checkin_staff"})
        else:
            status, _ = browser.request(f"/manage/{slug}/edit", dict(EDIT, csrf_token=token, title=f"Edition {n}-{i}"))
        with lock:
            statuses.append(status)


@pytest.mark.slow
def test_concurrent_writers_through_two_gunicorn_workers_on_sqlite_never_fail(embedded_server):
    base, log_path = embedded_server
    statuses: list[int] = []
    lock = threading.Lock()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        for future in [pool.submit(_client_run, base, n, statuses, lock) for n in range(CLIENTS)]:
            future.result(timeout=300)
    elapsed = time.monotonic() - started
    log = log_path.read_text()
    assert len(statuses) == CLIENTS * POSTS_PER_CLIENT
    assert "database is locked" not in log
    assert "Traceback" not in log
    assert set(statuses) == {302, "signed up"}, {s: statuses.count(s) for s in set(statuses)}
    print(f"{len(statuses)} writing POSTs from {CLIENTS} clients in {elapsed:.1f}s")
    # Both worker processes really served requests.
    assert log.count("Booting worker") >= 2
