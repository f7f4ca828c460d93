"""Order creation at 16 concurrent clients, side by side in one run (issue 16):

1. confapp's API create, POST /api/v1/events/<slug>/orders: one attendee in a 10.00 category, paid
   elsewhere, no email, an Idempotency-Key per order; the load shape of the shared harness's
   `pretix_bench.py bench-orders` (50 orders one at a time, then 300 over 16 threads, each phase
   bounded by its count and a deadline; httpx clients, the same percentiles);
2. the public HTML form, 4 requests per registration (bench/registration.py's register_once), the same shape;
3. the ceiling: the harness's bare Flask app (../shared/peers/ceiling_app.py), one INSERT + commit
   per POST, wrk c16, 2 sync workers, and confapp's own /healthz on its stack;
4. when the harness has set pretix up (/tmp/peer/venv-pretix, `setup_pretix.sh`): pretix's own
   `bench-orders` against a private copy of its seeded database, on a port of its own, so that the
   shared copy and anyone else's run are left alone.

confapp runs as it ships (gunicorn.conf.py: 2 x cores workers x 2 threads) on embedded SQLite with its
own data dir. Afterwards every order is counted in the database: each client-counted order is one
order with one confirmed registration (and, for the form, one confirmation email promised); the
script exits non-zero otherwise. Loopback only. Figures go to docs/benchmarks.md.

    PYTHONPATH=$PWD .venv/bin/python bench/api_orders.py     # SKIP_PRETIX=1 to leave pretix out
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
import registration as form  # noqa: E402  (its register_once and Client; it sets an environment we replace)

FOLDER = Path(tempfile.mkdtemp(prefix="confapp-bench-api-orders-"))
shutil.rmtree(form.FOLDER, ignore_errors=True)
os.environ.update(CONFAPP_INSTANCE=str(FOLDER), DATABASE_URL=f"sqlite:///{FOLDER / 'bench.db'}", RATELIMIT_ENABLED="0",
                  HUEY_SQLITE_FILE=str(FOLDER / "huey.db"), PYTHONPATH=str(ROOT))
for name in ("REDIS_URL", "CONFAPP_ENV", "HUEY_IMMEDIATE"):
    os.environ.pop(name, None)

from _server import BIN, _free_port, _wait  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise

API_SLUG = "bench-api-orders"
# As bench_pretix.sh runs bench-orders (BENCH_SEQ and BENCH_COUNT for a short trial).
SEQ, COUNT = int(os.environ.get("BENCH_SEQ", 50)), int(os.environ.get("BENCH_COUNT", 300))
CONC, DEADLINE = 16, 80.0
SEEDED = 2000  # orders already there, as in the harness's pretix
PEER_DIR = Path(os.environ.get("PEER_DIR", "/tmp/peer"))
PEERS = next((p for p in (Path(os.environ.get("PEERS", "/nonexistent")), ROOT.parent / "shared" / "peers",
                          ROOT.parent.parent / "shared" / "peers") if (p / "pretix_bench.py").exists()), None)


def build() -> dict:
    from sqlalchemy import insert, select

    from confapp import create_app
    from confapp.accounts.services import create_user
    from confapp.api.tokens import create_token
    from confapp.events.services import EventData, create_event, publish_event
    from confapp.extensions import db
    from confapp.registration import catalogue
    from confapp.registration.models import Order, PriceKind, Registration

    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, check=True, capture_output=True,
                   env=dict(os.environ, FLASK_APP="wsgi.py"))
    app = create_app()
    with app.app_context():
        admin = create_user("bench-admin@example.org", "Bench admin", form.PASSWORD, is_site_admin=True)
        now = datetime.now(timezone.utc)
        made = {}
        for slug, capacity in ((form.FLOW_SLUG, None), (API_SLUG, 100_000)):  # pretix's quota: 100,000
            event = create_event(EventData(title=slug.replace("-", " ").title(), slug=slug, starts_at=now + timedelta(days=30),
                                           ends_at=now + timedelta(days=31), timezone="UTC", capacity=capacity), actor=admin)
            publish_event(event, actor=admin)
            made[slug] = event
        flow = made[form.FLOW_SLUG]
        general = catalogue.save_category(flow, catalogue.CategoryData(name="General"), actor=admin)
        catalogue.set_builtin(flow, "organisation", True, actor=admin)
        catalogue.set_builtin(flow, "consent_photos", True, actor=admin)
        api = made[API_SLUG]
        ticket = catalogue.save_category(api, catalogue.CategoryData(name="Ticket", price_kind=PriceKind.FIXED,
                                                                     price_minor=1000), actor=admin)
        _, secret = create_token(api, name="Bench CRM", scopes=["registrations:write"], expires_at=None, actor=admin, now=now)
        db.session.commit()
        db.session.execute(insert(Order), [dict(event_id=api.id, code=f"S{i:07d}", buyer_name="x", currency="USD",
                                                buyer_email=f"seeded{i}@example.org", subtotal_minor=1000, discount_minor=0,
                                                total_minor=1000, paid_minor=1000, refunded_minor=0, payment_state="paid",
                                                payment_method="invoice", waiver_requested=False, waiver_reason="",
                                                ip_address="", created_at=now, updated_at=now) for i in range(SEEDED)])
        ids = db.session.scalars(select(Order.id).where(Order.event_id == api.id).order_by(Order.code)).all()
        db.session.execute(insert(Registration), [dict(event_id=api.id, order_id=order_id, category_id=ticket.id,
                                                       status="confirmed", ticket_code=f"seeded-ticket-{i:08d}",
                                                       first_name=f"Seeded{i}", last_name="Bench", email=f"seeded{i}@example.org",
                                                       search_text=f"seeded{i} bench", price_minor=1000, is_walk_in=False,
                                                       created_at=now, confirmed_at=now) for i, order_id in enumerate(ids)])
        db.session.commit()
        world = {"general": general.id, "ticket": ticket.id, "secret": secret, "flow_id": flow.id, "api_id": api.id}
        db.engine.dispose()
    return world


def run_load(label: str, total: int, threads: int, work, make_client) -> dict:
    """pretix_bench.run_load's loop: up to `total` calls over `threads`, stopped at the deadline or
    after too many errors; work(client, index) -> ok."""
    latencies, errors, lock = [], [0], threading.Lock()
    counter = iter(range(total))
    stop_at = time.monotonic() + DEADLINE

    def worker():
        client = make_client()
        try:
            while time.monotonic() < stop_at and errors[0] <= max(20, total // 10):
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                started = time.perf_counter()
                try:
                    ok = work(client, index)
                except Exception as error:  # noqa: BLE001 - counted, and shown
                    ok = False
                    print(f"  {label}: {type(error).__name__} {error}", file=sys.stderr)
                    client = make_client()
                with lock:
                    latencies.append(time.perf_counter() - started)
                    errors[0] += not ok
        finally:
            getattr(client, "close", lambda: client.conn.close())()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    n = len(latencies)
    q = lambda p: latencies[min(n - 1, int(round(p / 100 * (n - 1))))] * 1000 if n else 0.0  # noqa: E731
    return {"label": label, "conc": threads, "n": n, "ok": n - errors[0], "errors": errors[0], "wall_s": wall,
            "ok_per_s": (n - errors[0]) / wall, "p50_ms": q(50), "p90_ms": q(90), "p99_ms": q(99),
            "mean_ms": statistics.mean(latencies) * 1000 if n else 0.0}


def api_orders(port: int, world: dict, base: int) -> list[dict]:
    import httpx

    def make_client():
        return httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0,
                            headers={"Authorization": f"Bearer {world['secret']}"})

    def phase(offset):
        def work(client, i):
            n = base + offset + i
            body = {"attendees": [{"first_name": f"Api{n}", "last_name": "Client",
                                   "email": f"api{n}@example.org", "category_id": world["ticket"]}],
                    "payment_method": "paid_elsewhere", "send_email": False}
            r = client.post(f"/api/v1/events/{API_SLUG}/orders", json=body, headers={"Idempotency-Key": f"bench-{n}"})
            ok = r.status_code == 201 and r.json()["registrations"][0]["status"] == "confirmed"
            if not ok:
                print("  api order failed:", r.status_code, r.text[:200], file=sys.stderr)
            return ok
        return work

    return [run_load("api_create_seq", SEQ, 1, phase(0), make_client),
            run_load("api_create_conc", COUNT, CONC, phase(SEQ), make_client)]


def form_orders(port: int, world: dict, base: int) -> list[dict]:
    def work_from(offset):
        def work(client, i):
            client.cookies = {}  # a new visitor on a kept-alive connection, as the harness's reg_form4
            return form.register_once(client, world["general"], base + offset + i)
        return work

    return [run_load("form4_seq", SEQ, 1, work_from(0), lambda: form.Client(port)),
            run_load("form4_conc", COUNT, CONC, work_from(SEQ), lambda: form.Client(port))]


def healthz(port: int) -> float:
    from _server import measure

    measure(f"http://127.0.0.1:{port}/healthz", duration=2)
    return measure(f"http://127.0.0.1:{port}/healthz").rate


def confapp(world: dict) -> tuple[list[dict], float, str]:
    port = _free_port()
    log = FOLDER / "gunicorn.log"
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "wsgi:app"],
                              cwd=ROOT, env=dict(os.environ, BIND=f"127.0.0.1:{port}"), stdout=subprocess.DEVNULL,
                              stderr=log.open("w"))
    try:
        _wait(port)
        for _ in range(40):  # every worker built
            form.Client(port).request("GET", "/healthz")
        bare = healthz(port)
        results = api_orders(port, world, 1_000_000) + form_orders(port, world, 2_000_000)
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text(errors="replace")
    return results, bare, f"{text.count('Traceback')} tracebacks, {text.count('database is locked')} 'database is locked'"


def counted_in_db(world: dict, results: list[dict]) -> list[str]:
    """What the database holds against what the clients counted; the problems found."""
    from sqlalchemy import func, select

    from confapp import create_app
    from confapp.api.models import ApiIdempotencyKey
    from confapp.extensions import db
    from confapp.registration.models import Order, Registration
    from confapp.registration.outbox import RegistrationMail

    ok = {r["label"].rsplit("_", 1)[0]: 0 for r in results}
    for r in results:
        ok[r["label"].rsplit("_", 1)[0]] += r["ok"]
    app = create_app()
    problems, lines = [], []
    with app.app_context():
        for kind, event_id, seeded in (("api_create", world["api_id"], SEEDED), ("form4", world["flow_id"], 0)):
            orders = db.session.scalar(select(func.count()).select_from(Order).where(Order.event_id == event_id)) - seeded
            confirmed = db.session.scalar(select(func.count()).select_from(Registration).where(
                Registration.event_id == event_id, Registration.status == "confirmed")) - seeded
            others = db.session.scalar(select(func.count()).select_from(Registration).where(
                Registration.event_id == event_id, Registration.status != "confirmed"))
            lines.append(f"{kind}: {ok[kind]} counted by the clients, {orders} orders and {confirmed} confirmed "
                         f"registrations in the database ({others} not confirmed)")
            if not orders == confirmed == ok[kind] or others:
                problems.append(kind)
        keys = db.session.scalar(select(func.count()).select_from(ApiIdempotencyKey))
        mails = db.session.scalar(select(func.count()).select_from(RegistrationMail).where(
            RegistrationMail.event_id == world["flow_id"]))
        lines.append(f"Idempotency-Key rows: {keys}; confirmation emails promised for the form's orders: {mails}")
        if keys != ok["api_create"] or mails != ok["form4"]:
            problems.append("keys or mails")
        db.engine.dispose()
    print("\n".join(lines))
    return problems


def ceiling_insert() -> dict | str:
    """The harness's bare Flask INSERT route under wrk, or why it could not run (said in the
    output: a run of 7 Dec printed no ceiling and no reason; its venv had not been made yet)."""
    venv = PEER_DIR / "venv-flask"
    if PEERS is None:
        return "not run (no ../shared/peers harness found; set PEERS)"
    if not (venv / "bin" / "gunicorn").exists():
        return f"not run (no {venv}: run the harness's bench_ceiling.sh once to make it)"
    if not shutil.which("wrk"):
        return "not run (no wrk installed)"
    env = dict(os.environ, CEILING_DB=str(FOLDER / "ceiling.db"))
    env.pop("PYTHONPATH", None)
    subprocess.run([str(venv / "bin" / "python"), str(PEERS / "ceiling_app.py"), "init", "10000"], env=env, check=True,
                   capture_output=True)
    port = _free_port()
    server = subprocess.Popen([str(venv / "bin" / "gunicorn"), "-w", "2", "--worker-class", "sync", "-b", f"127.0.0.1:{port}",
                               "--chdir", str(PEERS), "--log-level", "warning", "ceiling_app:app"], env=env,
                              cwd=PEERS, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # not our gunicorn.conf.py
    try:
        _wait(port)
        env.update(WRK_MODE="post", WRK_BODY='{"name":"Bench User","email":"bench@example.org"}')
        command = ["wrk", "-t2", "-c16", "--timeout", "10s", "-s", str(PEERS / "wrk_report.lua"), f"http://127.0.0.1:{port}/item"]
        subprocess.run(command[:1] + ["-d2s"] + command[1:], env=env, capture_output=True, timeout=30)
        out = subprocess.run(command[:1] + ["-d10s"] + command[1:], env=env, capture_output=True, text=True, timeout=40).stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
    return _fields(next(line for line in out.splitlines() if line.startswith("RESULT")))


def _fields(line: str) -> dict:
    return {k: float(v) for k, v in re.findall(r"(\w+)=\s*([\d.]+)", line)}


def pretix() -> dict[str, dict] | str:
    """pretix's own bench-orders (pretix_bench.py) on a private copy of the harness's seeded pretix."""
    venv, data = PEER_DIR / "venv-pretix", PEER_DIR / "pretix-data"
    if os.environ.get("SKIP_PRETIX") or PEERS is None or not (venv / "bin" / "gunicorn").exists() \
            or not (data / "db.seeded.sqlite3").exists():
        return "not run (no pretix set up by the harness's setup_pretix.sh, or SKIP_PRETIX)"
    mine = FOLDER / "pretix-data"
    for sub in ("logs", "media", "cache"):
        (mine / sub).mkdir(parents=True)
    shutil.copy(data / "db.seeded.sqlite3", mine / "db.sqlite3")
    shutil.copy(data / "bench.json", mine / "bench.json")
    port = _free_port()
    config = (data / "pretix.cfg").read_text()
    config = re.sub(r"(?m)^datadir=.*$", f"datadir={mine}", config)
    config = re.sub(r"(?m)^name=.*db\.sqlite3$", f"name={mine / 'db.sqlite3'}", config)
    config = re.sub(r"(?m)^url=.*$", f"url=http://127.0.0.1:{port}", config)
    (mine / "pretix.cfg").write_text(config)
    env = dict(os.environ, PRETIX_CONFIG_FILE=str(mine / "pretix.cfg"), PRETIX_BENCH_JSON=str(mine / "bench.json"),
               PRETIX_URL=f"http://127.0.0.1:{port}", PYTHONPATH=str(PEERS), DJANGO_SETTINGS_MODULE="pretix_bench_settings")
    server = subprocess.Popen([str(venv / "bin" / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60",
                               "--log-level", "warning", "pretix.wsgi"], cwd=mine, env=env,
                              stdout=subprocess.DEVNULL, stderr=(mine / "logs" / "gunicorn.log").open("w"))
    try:
        _wait(port)
        import httpx

        deadline = time.monotonic() + 120
        while httpx.get(f"http://127.0.0.1:{port}/bench/conf/", timeout=60).status_code != 200:  # as bench_pretix.sh
            if time.monotonic() > deadline:
                raise RuntimeError("pretix did not answer")
            time.sleep(0.5)
        out = subprocess.run([str(venv / "bin" / "python"), str(PEERS / "pretix_bench.py"), "bench-orders", "--seq", str(SEQ),
                              "--count", str(COUNT), "--conc", str(CONC), "--deadline", str(DEADLINE)],
                             env=env, capture_output=True, text=True, timeout=300).stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
    import sqlite3

    found = {line.split()[1]: _fields(line) for line in out.splitlines() if line.startswith("RESULT")}
    with sqlite3.connect(mine / "db.sqlite3") as db:
        paid = db.execute("SELECT count(*) FROM pretixbase_order WHERE status = 'p'").fetchone()[0] - SEEDED
    ok = sum(int(r["n"] - r["errors"]) for r in found.values())
    print(f"pretix: {ok} orders counted by its client, {paid} new paid orders in its database")
    return found


def main() -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    workers = os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1)))
    print(f"# {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, confapp {commit or '?'}, gunicorn.conf.py: {workers} workers x "
          f"{os.environ.get('GUNICORN_THREADS', '2')} threads, embedded SQLite; {SEQ} orders one at a time, then {COUNT} "
          f"over {CONC} threads")
    load = {"start": os.getloadavg()[0]}
    world = build()
    load["ceiling"] = os.getloadavg()[0]
    ceiling = ceiling_insert()
    load["confapp"] = os.getloadavg()[0]
    results, bare, server_log = confapp(world)
    load["pretix"] = os.getloadavg()[0]
    peer = pretix()
    load["end"] = os.getloadavg()[0]
    problems = counted_in_db(world, results)
    print(f"confapp server log: {server_log}; its own /healthz: {bare:.0f} req/s")
    print("load average (1 min) before each block: " + ", ".join(f"{k} {v:.1f}" for k, v in load.items()))
    print(f"\n{'measure':34} {'ok/s':>7} {'p50':>7} {'p99':>7} {'err':>4}   {'x pretix':>8} {'x ceiling':>9}")
    if isinstance(ceiling, str):
        print(f"ceiling: {ceiling}")
        ceiling = None
    insert = ceiling["rps"] if ceiling else None
    pretix_rate = {"seq": None, "conc": None}
    if isinstance(peer, dict):
        for phase in pretix_rate:
            row = peer.get(f"order_create_{phase}")
            if row:
                pretix_rate[phase] = row["ok_per_s"]
                print(f"{'pretix order create, ' + phase:34} {row['ok_per_s']:7.1f} {row['p50_ms']:7.0f} {row['p99_ms']:7.0f} "
                      f"{int(row['errors']):4d}")
    else:
        print(f"pretix: {peer}")
    for r in results:
        phase = "seq" if r["conc"] == 1 else "conc"
        requests = 4 if r["label"].startswith("form4") else 1
        vs_pretix = f"{r['ok_per_s'] / pretix_rate[phase]:7.1f}x" if pretix_rate[phase] else f"{'-':>8}"
        vs_ceiling = f"{100 * requests * r['ok_per_s'] / insert:8.1f}%" if insert and phase == "conc" else f"{'-':>9}"
        print(f"{'confapp ' + r['label']:34} {r['ok_per_s']:7.1f} {r['p50_ms']:7.0f} {r['p99_ms']:7.0f} {r['errors']:4d}   "
              f"{vs_pretix} {vs_ceiling}")
    if ceiling:
        print(f"{'ceiling: 1 INSERT + commit, wrk c16':34} {insert:7.1f} {ceiling['p50_ms']:7.0f} {ceiling['p99_ms']:7.0f} "
              f"{int(ceiling['non2xx'] + ceiling['sockerr']):4d}")
    print("(x ceiling: requests/s against the ceiling's INSERT requests/s; the form sends 4 requests per registration)")
    if problems:
        raise SystemExit(f"the database does not match what the clients counted: {problems}")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(FOLDER, ignore_errors=True)  # a failed run leaves nothing behind either
