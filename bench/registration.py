"""Registration benchmarks, under gunicorn (2 workers x 4 threads) on embedded SQLite:

1. completed free registrations per second through the real HTTP flow (GET the form, then
   the choose / details / confirm POSTs with their CSRF tokens and the one-time form token),
   with concurrent clients, each with its own session cookie;
2. the organiser's registrations list (pages per second, logged in) and the streamed CSV
   export, on an event with 50,000 registrations;

each compared with the bare /healthz baseline measured in the same run. Loopback only and
bounded in time. Figures go to docs/benchmarks.md.
"""
from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
FOLDER = Path(tempfile.mkdtemp(prefix="confapp-bench-registration-"))
os.environ.update(CONFAPP_INSTANCE=str(FOLDER), DATABASE_URL=f"sqlite:///{FOLDER / 'bench.db'}",
                  RATELIMIT_ENABLED="0", HUEY_SQLITE_FILE=str(FOLDER / "huey.db"))
for name in ("REDIS_URL", "CONFAPP_ENV", "HUEY_IMMEDIATE"):
    os.environ.pop(name, None)

from _server import BIN, _free_port, _wait, measure  # noqa: E402

FLOW_SLUG, BIG_SLUG = "bench-free-registration", "bench-fifty-thousand"
BIG = int(os.environ.get("BENCH_REGISTRATIONS", "50000"))
CLIENTS = 8
FLOW_SECONDS = 15
PASSWORD = "bench-password-2026"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def build() -> dict:
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from confapp import create_app
    from confapp.accounts.services import create_user
    from confapp.events.services import EventData, create_event, publish_event
    from confapp.extensions import db
    from confapp.registration import catalogue
    from confapp.registration.models import Answer, Order, Registration

    app = create_app()
    with app.app_context():
        upgrade()
        admin = create_user("bench-admin@example.org", "Bench admin", PASSWORD, is_site_admin=True)
        now = datetime.now(timezone.utc)
        ids = {}
        for slug in (FLOW_SLUG, BIG_SLUG):
            event = create_event(EventData(title=slug.replace("-", " ").title(), slug=slug, starts_at=now + timedelta(days=30),
                                           ends_at=now + timedelta(days=31), timezone="America/New_York"), actor=admin)
            publish_event(event, actor=admin)
            category = catalogue.save_category(event, catalogue.CategoryData(name="General"), actor=admin)
            organisation = catalogue.set_builtin(event, "organisation", True, actor=admin)
            catalogue.set_builtin(event, "consent_photos", True, actor=admin)
            ids[slug] = (event.id, category.id, organisation.id)
        db.session.commit()
        # 50,000 registrations for the list and the export, inserted in bulk: the flow itself is
        # measured above; building this many through it would take the whole time budget.
        event_id, category_id, question_id = ids[BIG_SLUG]
        organisations = ["Boston University", "Columbia University", "Northeastern University", "Pittsburgh Commission on Human Relations"]
        for start in range(0, BIG, 5000):
            batch = range(start, min(start + 5000, BIG))
            db.session.execute(insert(Order), [dict(id=i + 1, event_id=event_id, code=f"B{i:07d}", buyer_name=f"Person {i}",
                                                    buyer_email=f"person{i}@example.org", currency="USD", subtotal_minor=0,
                                                    discount_minor=0, total_minor=0, paid_minor=0, refunded_minor=0,
                                                    payment_state="not_required", payment_method="none", waiver_requested=False,
                                                    waiver_reason="", created_at=now, updated_at=now, ip_address="") for i in batch])
            db.session.execute(insert(Registration), [dict(id=i + 1, event_id=event_id, order_id=i + 1, category_id=category_id,
                                                           status="confirmed", ticket_code=f"bench-ticket-{i:08d}",
                                                           first_name=f"Person{i}", last_name="Bench", email=f"person{i}@example.org",
                                                           search_text=f"person{i} bench person{i}@example.org", price_minor=0,
                                                           is_walk_in=False, created_at=now - timedelta(seconds=i), confirmed_at=now)
                                                      for i in batch])
            db.session.execute(insert(Answer), [dict(registration_id=i + 1, question_id=question_id,
                                                     value=organisations[i % len(organisations)]) for i in batch])
            db.session.commit()
        return {"flow_category": ids[FLOW_SLUG][1], "big_question": ids[BIG_SLUG][2]}


class Client:
    """One browser: its own connection and session cookie."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name] = value
        return response.status, text, response.getheader("Location") or ""


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    return match.group(1) or match.group(2)


def register_once(client: Client, category_id: int, n: int) -> bool:
    path = f"/e/{FLOW_SLUG}/register"
    status, html, _ = client.request("GET", path)
    csrf = _csrf(html)
    status, html, _ = client.request("POST", path, {"csrf_token": csrf, "step": "choose", f"quantity_{category_id}": "1"})
    token = TOKEN.search(html).group(1)
    details = {"csrf_token": csrf, f"quantity_{category_id}": "1", "form_token": token, "attendees-0-first_name": f"Bench{n}",
               "attendees-0-last_name": "Client", "attendees-0-email": f"bench{n}@example.org"}
    status, html, _ = client.request("POST", path, {**details, "step": "details"})
    if status != 200 or "Review your registration" not in html:
        return False
    status, _, location = client.request("POST", path, {**details, "step": "confirm"})
    return status == 302 and "/orders/" in location


def flow(port: int, category_id: int) -> tuple[int, int, float]:
    done, failed = [0] * CLIENTS, [0] * CLIENTS
    deadline = time.monotonic() + FLOW_SECONDS

    def worker(i: int) -> None:
        n = i * 1_000_000
        while time.monotonic() < deadline:
            client = Client(port)
            n += 1
            try:
                ok = register_once(client, category_id, n)
            except Exception:  # noqa: BLE001 - counted
                ok = False
            done[i] += ok
            failed[i] += not ok
            client.conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done), sum(failed), time.monotonic() - started


def logged_in(port: int) -> Client:
    client = Client(port)
    _, html, _ = client.request("GET", "/account/login")
    status, _, _ = client.request("POST", "/account/login", {"csrf_token": _csrf(html), "email": "bench-admin@example.org",
                                                             "password": PASSWORD})
    assert status == 302, status
    return client


def list_pages(port: int, seconds: int = 10, threads: int = 4) -> tuple[int, int, float]:
    cookies = logged_in(port).cookies
    counts, errors = [0] * threads, [0] * threads
    deadline = time.monotonic() + seconds
    paths = [f"/manage/{BIG_SLUG}/registrations", f"/manage/{BIG_SLUG}/registrations?q=columbia",
             f"/manage/{BIG_SLUG}/registrations?page=500", f"/manage/{BIG_SLUG}/registrations?q=person4242"]

    def worker(i: int) -> None:
        client = Client(port)
        client.cookies = dict(cookies)
        k = 0
        while time.monotonic() < deadline:
            status, _, _ = client.request("GET", paths[k % len(paths)])
            k += 1
            counts[i] += 1
            errors[i] += status != 200

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(counts), sum(errors), time.monotonic() - started


def page_latencies(port: int, question_id: int, repeat: int = 5) -> dict[str, float]:
    """Median time of each kind of list page, one request at a time."""
    import statistics

    client = logged_in(port)
    found = {}
    for label, path in (("first page", ""), ("page 500 of 1,000", "?page=500"), ("search by organisation", "?q=columbia"),
                        ("search by name", "?q=person4242"), ("filter by answer", f"?question={question_id}&answer=boston")):
        times = []
        for _ in range(repeat):
            started = time.monotonic()
            status, _, _ = client.request("GET", f"/manage/{BIG_SLUG}/registrations{path}")
            times.append(time.monotonic() - started)
            assert status == 200, (path, status)
        found[label] = statistics.median(times)
    return found


def export(port: int) -> tuple[int, int, float, float]:
    client = logged_in(port)
    started = time.monotonic()
    client.conn.request("GET", f"/manage/{BIG_SLUG}/registrations/export.csv", headers={"Cookie": client.cookie})
    response = client.conn.getresponse()
    first = None
    size = rows = 0
    while True:
        chunk = response.read1(65536)
        if not chunk:
            break
        if first is None:
            first = time.monotonic() - started
        size += len(chunk)
        rows += chunk.count(b"\n")
    return rows - 1, size, first or 0.0, time.monotonic() - started


def main() -> None:
    load_before = os.getloadavg()[0]
    seeded = build()
    port = _free_port()
    env = dict(os.environ, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2", GUNICORN_THREADS="4")
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(port)
        for _ in range(40):  # both workers built
            Client(port).request("GET", "/healthz")
        bare = measure(f"http://127.0.0.1:{port}/healthz")
        done, failed, seconds = flow(port, seeded["flow_category"])
        pages, page_errors, page_seconds = list_pages(port)
        latencies = page_latencies(port, seeded["big_question"])
        rows, size, first_byte, total = export(port)
    finally:
        server.terminate()
        server.wait(timeout=30)
    reg_rate, page_rate = done / seconds, pages / page_seconds
    print(f"load average before: {load_before:.1f}")
    print(f"bare /healthz: {bare.rate:.0f} req/s ({bare.tool}, {bare.errors} errors)")
    print(f"free registrations: {done} completed in {seconds:.1f} s = {reg_rate:.1f}/s with {CLIENTS} clients "
          f"({failed} failed); 4 requests each = {4 * reg_rate:.0f} req/s = {4 * reg_rate / bare.rate:.3f} x bare")
    print(f"organiser list at {BIG:,} registrations: {page_rate:.1f} pages/s ({page_errors} errors) = {page_rate / bare.rate:.3f} x bare")
    for label, seconds_ in latencies.items():
        print(f"  list, {label}: {seconds_ * 1000:.0f} ms (median of 5, one client)")
    print(f"CSV export: {rows:,} rows, {size / 1e6:.1f} MB, first byte after {first_byte * 1000:.0f} ms, complete in {total:.1f} s "
          f"({rows / total:,.0f} rows/s)")


if __name__ == "__main__":
    main()
