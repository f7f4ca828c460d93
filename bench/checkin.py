"""Check-in desk at scale: 50,000 registrations on one event, gunicorn (gunicorn.conf.py's
defaults) on SQLite and on PostgreSQL, 8 concurrent desk clients over HTTP on 127.0.0.1 (bounded
request counts): lookup by code, name search and redeem (throughput, p50/p99), at a desk's rhythm
and saturated, and the desk's offline download.

    .venv/bin/python bench/checkin.py [--registrations 50000] [--databases sqlite,postgresql] [--write-docs]

PostgreSQL is a temporary server started the way the tests start theirs (Debian's
postgresql package, installed by `make test`), but with fsync and synchronous commit on.

Seeding uses bulk inserts (the rules are exercised by the tests, not here). Clients use a
volunteer link (token header), the way a door volunteer's phone talks to the server.
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _server import _free_port, _wait  # noqa: E402

CLIENTS = 8
SYNC_ROUNDS = 5
FIRST = ["Amara", "Zainab", "Li", "Diego", "Maria", "Kwame", "Priya", "Noor", "Tomás", "Aisha", "Kofi", "Elena", "Yusuf",
         "Mei", "Carlos", "Fatima", "Jamal", "Ana", "Sven", "Leila", "Ravi", "Chen", "Olu", "Ines", "Hana", "Marcus"]
LAST = ["Okafor", "Qureshi", "Wei", "Ramírez", "Lopez", "Mensah", "Sharma", "Haddad", "Silva", "Bello", "Nguyen", "Davis",
        "Kim", "Rossi", "Cohen", "Diallo", "Ivanova", "Tanaka", "Patel", "Garcia", "Johnson", "Müller", "Singh", "Hughes"]
ORGS = ["Tenants United", "Human Rights Cities Alliance", "Migrant Justice", "Mass Legal Aid", "Youth Organising Hub",
        "Disability Rights Now", "Water Is Life Coalition", "Northeastern Law Clinic"]


def seed(database_url: str, registrations: int) -> dict:
    os.environ["DATABASE_URL"] = database_url
    from sqlalchemy import insert

    from confapp import create_app
    from confapp.accounts.services import create_user
    from confapp.checkin import services
    from confapp.events.services import EventData, create_event, publish_event
    from confapp.extensions import db
    from confapp.registration.models import (
        Answer, Order, PaymentState, Question, QuestionKind, Registration, RegistrationCategory, RegistrationStatus,
    )

    app = create_app()
    rng = random.Random(5)
    with app.app_context():
        now = datetime.now(timezone.utc)
        admin = create_user("bench-admin@example.org", "Bench Admin", "bench-password-2026", is_site_admin=True)
        start = now + timedelta(hours=1)
        event = create_event(EventData(title="Bench Convening", starts_at=start, ends_at=start + timedelta(days=1),
                                       timezone="America/New_York", capacity=None), actor=admin)
        publish_event(event, actor=admin)
        categories = []
        for i, name in enumerate(["General", "Student", "Community member", "Speaker"]):
            category = RegistrationCategory(event_id=event.id, name=name, position=i)
            db.session.add(category)
            categories.append(category)
        question = Question(event_id=event.id, kind=QuestionKind.SHORT_TEXT, label="Organisation", builtin_key="organisation")
        db.session.add(question)
        db.session.flush()
        checkin_list = services.main_list(event, actor=admin, now=now)
        _, token = services.create_volunteer_link(checkin_list, name="Bench door", valid_from=now - timedelta(hours=1),
                                                  valid_until=now + timedelta(days=1), actor=admin, now=now)
        db.session.commit()
        people = []
        batch = 5000
        for offset in range(0, registrations, batch):
            n = min(batch, registrations - offset)
            orders = [dict(event_id=event.id, code=f"B{offset + i:07d}", buyer_name="x", buyer_email=f"b{offset + i}@example.org",
                           payment_state=PaymentState.NOT_REQUIRED.value, currency="USD", total_minor=0, paid_minor=0,
                           subtotal_minor=0, discount_minor=0, refunded_minor=0, payment_method="none", waiver_requested=False,
                           waiver_reason="", ip_address="", created_at=now, updated_at=now) for i in range(n)]
            db.session.execute(insert(Order), orders)
            order_ids = [row[0] for row in db.session.execute(
                db.select(Order.id).where(Order.code.in_([o["code"] for o in orders])).order_by(Order.code))]
            regs = []
            for i, order_id in enumerate(order_ids):
                k = offset + i
                first, last = rng.choice(FIRST), rng.choice(LAST)
                email = f"{first.lower()}.{last.lower()}{k}@example.org"
                code = secrets.token_hex(6).upper()
                regs.append(dict(event_id=event.id, order_id=order_id, category_id=categories[k % 4].id,
                                 status=RegistrationStatus.CONFIRMED.value, ticket_code=code, first_name=first, last_name=f"{last}{k}",
                                 email=email, search_text=f"{first} {last}{k} {email}".lower(), price_minor=0, is_walk_in=False,
                                 created_at=now))
                people.append((code, f"{last}{k}".lower()[: max(4, len(last) + 1)]))
            db.session.execute(insert(Registration), regs)
            reg_ids = [row[0] for row in db.session.execute(
                db.select(Registration.id).where(Registration.order_id.in_(order_ids)))]
            db.session.execute(insert(Answer), [dict(registration_id=r, question_id=question.id, value=rng.choice(ORGS))
                                                for r in reg_ids[::5]])
            db.session.commit()
        from confapp.checkin.search import reindex_event

        reindex_event(event.id)  # the bulk inserts bypassed the session hook that keeps the desk's word index
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum would have done by the morning of the event: planner statistics
            # and the visibility map (index-only scans) after the bulk load.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        result = {"list_id": checkin_list.id, "token": token, "people": people}
        db.engine.dispose()
    return result


class Client:
    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Accept": "application/json", "X-Checkin-Link": token, "Content-Type": "application/json"}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=self.headers)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, data, (time.perf_counter() - started) * 1000


def run_phase(port: int, token: str, jobs: list[list[tuple[str, str, dict | None]]], check=None,
              pace: float | None = None) -> dict:
    """Each client sends its queue back to back (saturation), or with `pace` one request every
    `pace` seconds (a desk at a realistic rhythm: latency without a self-made queue)."""
    latencies: list[float] = []
    errors = [0]
    kinds: Counter = Counter()
    lock = threading.Lock()

    def worker(queue):
        client = Client(port, token)
        mine = []
        first = time.perf_counter() + random.random() * (pace or 0)
        for i, (method, path, body) in enumerate(queue):
            if pace:
                time.sleep(max(0.0, first + i * pace - time.perf_counter()))
            status, data, ms = client.request(method, path, body)
            mine.append(ms)
            if status != 200 or (check and not check(data)):
                with lock:
                    errors[0] += 1
                    kinds[_error_kind(status, data)] += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(q,)) for q in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    latencies.sort()
    return {"requests": len(latencies), "rate": len(latencies) / seconds, "p50": statistics.median(latencies),
            "p99": latencies[int(len(latencies) * 0.99) - 1], "errors": errors[0], "error_kinds": kinds}


def _error_kind(status: int, data: bytes) -> str:
    """What a failed request answered, for the report: the status and the desk's outcome or the
    problem's code when the body says one (a "busy, try again" is not a lost scan)."""
    try:
        body = json.loads(data)
    except ValueError:
        return str(status)
    said = body.get("outcome") or body.get("code") if isinstance(body, dict) else None
    return f"{status} {said}" if said else str(status)


def measure(label: str, database_url: str, folder: Path, args) -> dict:
    """Seed, serve with gunicorn.conf.py's defaults, and time every phase against one database."""
    env = dict(os.environ, CONFAPP_INSTANCE=str(folder), DATABASE_URL=database_url, FLASK_APP="wsgi.py",
               RATELIMIT_ENABLED="0", HUEY_SQLITE_FILE=str(folder / "huey.db"))
    for name in ("HUEY_IMMEDIATE", "CONFAPP_ENV", "REDIS_URL"):
        env.pop(name, None)
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ.update(CONFAPP_INSTANCE=env["CONFAPP_INSTANCE"], HUEY_SQLITE_FILE=env["HUEY_SQLITE_FILE"])
    t0 = time.perf_counter()
    data = seed(database_url, args.registrations)
    out: dict = {"label": label, "seed_seconds": time.perf_counter() - t0}
    port = _free_port()
    env.update(BIND=f"127.0.0.1:{port}")  # gunicorn.conf.py's defaults: 2 x cores workers, 2 threads each
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(port)
        token, base = data["token"], f"/checkin/api/lists/{data['list_id']}"
        rng = random.Random(7)
        people = data["people"]
        n = args.per_client
        codes = [p[0] for p in people]
        rng.shuffle(codes)

        def lookups(count):
            return [("GET", f"{base}/search?q={rng.choice(people)[0]}", None) for _ in range(count)]

        def searches(count):
            return [("GET", f"{base}/search?q=" + quote(f"{rng.choice(FIRST)[:3].lower()} {rng.choice(people)[1]}"), None)
                    for _ in range(count)]

        def redeems(count):
            return [("POST", f"{base}/redeem", {"code": codes.pop(), "station": "Door"}) for _ in range(count)]

        checked_in = lambda d: json.loads(d)["outcome"] == "ok"  # noqa: E731
        # Warm-up: every worker process serves each kind of request (and real check-ins) before
        # anything is timed, as on a morning when the desk opened a while ago.
        run_phase(port, token, [lookups(4) + searches(4) + redeems(4) for _ in range(4 * CLIENTS)], check=None)

        # A desk's real rhythm: 8 desks, each one request every 250 ms (32 requests/s in all, a
        # queue of thousands moving fast; a real scan-and-greet takes seconds).
        m = max(40, n // 4)
        out["paced"] = {
            "lookup": run_phase(port, token, [lookups(m) for _ in range(CLIENTS)], pace=0.25),
            "search": run_phase(port, token, [searches(m) for _ in range(CLIENTS)], pace=0.25),
            "redeem": run_phase(port, token, [redeems(m) for _ in range(CLIENTS)], pace=0.25, check=checked_in),
        }
        out["saturated"] = {
            "baseline": run_phase(port, token, [[("GET", "/healthz", None)] * n for _ in range(CLIENTS)]),
            "lookup": run_phase(port, token, [lookups(n) for _ in range(CLIENTS)],
                                check=lambda d: len(json.loads(d)["results"]) == 1),
            "search": run_phase(port, token, [searches(n) for _ in range(CLIENTS)]),
            "redeem": run_phase(port, token, [redeems(n) for _ in range(CLIENTS)], check=checked_in),
        }
        client = Client(port, token)
        status, body, ms = client.request("GET", f"{base}/offline")
        assert status == 200
        out["offline"] = {"bytes": len(body), "gzip": len(gzip.compress(body)), "ms": ms, "rows": len(json.loads(body)["rows"])}
        # A desk back from offline sends its whole queue at once (the desk's and the API's limit, 500).
        batches = []
        for round_ in range(SYNC_ROUNDS):
            scans = [{"scan_id": f"bench-sync-{round_}-{i}", "code": codes.pop(), "station": "Door"} for i in range(500)]
            status, body, ms = client.request("POST", f"{base}/sync", {"scans": scans})
            results = json.loads(body)["results"] if status == 200 else []
            assert status == 200 and all(r["outcome"] == "ok" for r in results), (status, body[:300])
            batches.append(ms)
        batches.sort()
        out["sync"] = {"rounds": SYNC_ROUNDS, "p50": statistics.median(batches), "max": batches[-1]}
    finally:
        server.terminate()
        server.wait(timeout=30)
    out["inproc"] = in_process(database_url, data, rng, codes)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrations", type=int, default=50_000)
    parser.add_argument("--per-client", type=int, default=250, help="requests per client per phase (bounded)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    runs = []
    for kind in args.databases.split(","):
        folder = Path(tempfile.mkdtemp(prefix=f"confapp-bench-checkin-{kind}-"))
        if kind == "sqlite":
            runs.append(measure("SQLite", f"sqlite:///{folder / 'bench.db'}", folder, args))
            continue
        from tests.support.servers import start_postgres, stop_postgres

        server = start_postgres(durable=True)  # fsync and synchronous commit on, as in production
        try:
            runs.append(measure("PostgreSQL 15", server.create_database("bench_checkin"), folder, args))
        finally:
            stop_postgres(server)
    report = render(runs, args, load_before)
    print(report)
    if args.write_docs:
        write_docs(report)


def render(runs: list[dict], args, load_before: float) -> str:
    load = os.getloadavg()[0]
    names = " and ".join(r["label"] for r in runs)
    lines = [
        f"Run on {datetime.now():%d %b %Y %H:%M}, load average {load_before:.1f} before and {load:.1f} after the run "
        "(2 cores shared with the other engineers' test suites).",
        "",
        f"{args.registrations:,} registrations on {names} (seeded in "
        + ", ".join(f"{r['seed_seconds']:.0f} s" for r in runs)
        + f"), gunicorn with gunicorn.conf.py's defaults ({2 * (os.cpu_count() or 1)} workers x 2 threads), "
        f"{CLIENTS} concurrent desk clients (Python http.client keep-alive, same 2-core machine). Every worker served "
        "each kind of request before the timing started. PostgreSQL runs with its production defaults "
        "(fsync and synchronous commit on).",
        "",
        f"At a desk's rhythm: {CLIENTS} desks, each one request every 250 ms ({CLIENTS * 4} requests/s in all):",
        "",
        "| operation | database | requests | p50 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for label, key in (("lookup by ticket code", "lookup"), ("name search, 2 words", "search"), ("redeem", "redeem")):
        for run in runs:
            r = run["paced"][key]
            lines.append(f"| {label} | {run['label']} | {r['requests']} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} |")
    lines += [
        "",
        f"Saturated: each desk client sends its next request as soon as the last answer arrives "
        f"({args.per_client} per client per row):",
        "",
        "| operation | database | requests | req/s | x bare | p50 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, key in (("bare GET /healthz (baseline, same clients)", "baseline"), ("lookup by ticket code", "lookup"),
                       ("name search (\"ama okafor12\" style, 2 words)", "search"), ("redeem (POST, distinct tickets)", "redeem")):
        for run in runs:
            r, bare = run["saturated"][key], run["saturated"]["baseline"]
            lines.append(f"| {label} | {run['label']} | {r['requests']} | {r['rate']:.0f} | {r['rate'] / bare['rate']:.2f} | "
                         f"{r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} |")
    lines += ["", "Server-side work alone (in-process, one thread, same database, same load):", "",
              "| operation | database | p50 ms | p99 ms |", "|---|---|---:|---:|"]
    for key in runs[0]["inproc"]:
        for run in runs:
            p50, p99 = run["inproc"][key]
            lines.append(f"| {key} | {run['label']} | {p50:.1f} | {p99:.1f} |")
    lines.append("")
    for run in runs:
        o = run["offline"]
        lines.append(f"Offline download ({run['label']}): {o['rows']:,} rows, {o['bytes'] / 1e6:.2f} MB JSON "
                     f"({o['gzip'] / 1e6:.2f} MB if gzipped), {o['ms']:.0f} ms.")
    lines.append("")
    for run in runs:
        y = run["sync"]
        lines.append(f"Offline queue sent back ({run['label']}): 500 scans in one request, {y['rounds']} rounds of distinct "
                     f"tickets: {y['p50']:.0f} ms median, {y['max']:.0f} ms slowest (target: under 1 s).")
    return "\n".join(lines)


def in_process(database_url: str, data: dict, rng: random.Random, codes: list[str], n: int = 200) -> dict:
    """Service and query timings without HTTP, gunicorn or client threads in the way."""
    from confapp import create_app
    from confapp.checkin import queries, services
    from confapp.checkin.models import CheckInList
    from confapp.extensions import db
    from confapp.types import utcnow

    os.environ["DATABASE_URL"] = database_url
    app = create_app()
    out = {}
    with app.app_context():
        checkin_list = db.session.get(CheckInList, data["list_id"])
        organiser = checkin_list.event.roles[0].user if checkin_list.event.roles else None
        people = data["people"]
        jobs = {
            "lookup by code (queries.search)": lambda: queries.search(checkin_list, rng.choice(people)[0]),
            "name search, 2 words (queries.search)": lambda: queries.search(
                checkin_list, f"{rng.choice(FIRST)[:3].lower()} {rng.choice(people)[1]}"),
        }
        for label, job in jobs.items():
            times = []
            for _ in range(n):
                t = time.perf_counter()
                job()
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            out[label] = (statistics.median(times), times[int(n * 0.99) - 1])
        times = []
        for code in codes[:n]:
            t = time.perf_counter()
            services.redeem(code, checkin_list=checkin_list, station="Bench", actor=organiser, now=utcnow())
            db.session.commit()
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        out["redeem + commit (services.redeem)"] = (statistics.median(times), times[int(n * 0.99) - 1])
        db.engine.dispose()
    return out


def write_docs(report: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    section = f"<!-- checkin:start -->\n## Check-in desk (bench/checkin.py)\n\n{report}\n<!-- checkin:end -->"
    if "<!-- checkin:start -->" in text:
        text = re.sub(r"<!-- checkin:start -->.*<!-- checkin:end -->", lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
