"""One app host against two behind nginx: the deployment of docs/deployment.md (deploy/nginx.conf
as it is, each host the web unit's gunicorn with 2 workers x 4 threads and the worker unit's
consumer, one PostgreSQL, one Redis), started by the multi-host test harness
(tests/support/multihost.py) on 127.0.0.1. Measures the check-in desk's redeem (POST, distinct
tickets, volunteer link) and the public event page, saturated, in three set-ups:

  1. host A alone, clients connected to it directly (no balancer);
  2. nginx in front of host A alone (host B marked `down`): the balancer's cost;
  3. nginx in front of hosts A and B (round robin).

On a 2-core machine two hosts cannot be faster than one: they share the same cores (with
PostgreSQL, nginx and the load generator), so the figures show what the balancer and the extra
processes cost, not how far more machines would scale.

The three set-ups alternate in rounds (direct, one, two; again...), so a busy moment of the shared
machine does not fall on one set-up only; each cell gives the range over the rounds, and "x direct"
is taken within each round.

    .venv/bin/python bench/multihost.py [--registrations 10000] [--per-client 100] [--rounds 3]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from checkin import CLIENTS, run_phase, seed  # noqa: E402

from tests.support.multihost import BIN, PROJECT_ROOT, Balancer, Host, host_environment  # noqa: E402
from tests.support.servers import start_postgres, start_redis, start_smtp_server, stop_postgres, stop_redis  # noqa: E402


def _port(url: str) -> int:
    return urlsplit(url).port


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--registrations", type=int, default=10_000)
    parser.add_argument("--per-client", type=int, default=100, help="requests per client per row (bounded)")
    parser.add_argument("--rounds", type=int, default=3, help="each round runs the three set-ups in turn")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="confapp-bench-multihost-"))
    postgres = start_postgres(durable=True)  # fsync and synchronous commit on, as in production
    redis_port, redis_dir = start_redis()
    smtp, smtp_controller = start_smtp_server()
    hosts: list[Host] = []
    balancer = None
    try:
        database_url = postgres.create_database("bench_multihost")
        for name, periodic in (("a", True), ("b", False)):
            directory = folder / f"host-{name}"
            directory.mkdir()
            env = host_environment(dict(os.environ), name=name, directory=directory, database_url=database_url,
                                   redis_port=redis_port, smtp_port=smtp.port, periodic=periodic)
            for key in ("CONFAPP_CLOCK_START", "CONFAPP_CLOCK_SET_AT"):
                env.pop(key, None)  # the real clock, as seed() uses
            env["RATELIMIT_ENABLED"] = "0"
            hosts.append(Host(name=name, directory=directory, env=env))
        subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=PROJECT_ROOT, env=hosts[0].env,
                       check=True, capture_output=True)
        os.environ.update(CONFAPP_INSTANCE=str(folder / "seed"), HUEY_SQLITE_FILE=str(folder / "seed-huey.db"))
        os.environ.pop("REDIS_URL", None)
        started = time.perf_counter()
        data = seed(database_url, args.registrations)
        seeded = time.perf_counter() - started
        slug = postgres.psql("SELECT slug FROM events ORDER BY id LIMIT 1", database="bench_multihost").strip()
        for host in hosts:
            host.start()
        for host in hosts:
            host.wait_ready(timeout=120)
        balancer = Balancer(folder / "nginx", hosts).start()
        rows = measure(hosts, balancer, data, slug, args.per_client, args.rounds)
    finally:
        if balancer:
            balancer.stop()
        for host in hosts:
            host.stop()
        smtp_controller.stop()
        stop_redis(redis_port, redis_dir)
        stop_postgres(postgres)
        shutil.rmtree(folder, ignore_errors=True)
    print(render(rows, args, load_before, seeded))


def measure(hosts: list[Host], balancer: Balancer, data: dict, slug: str, n: int, rounds: int) -> list[dict]:
    token, base = data["token"], f"/checkin/api/lists/{data['list_id']}"
    codes = [code for code, _ in data["people"]]
    checked_in = lambda body: json.loads(body)["outcome"] == "ok"  # noqa: E731
    event_page = f"/e/{slug}/"

    def redeems(count):
        return [("POST", f"{base}/redeem", {"code": codes.pop(), "station": "Door"}) for _ in range(count)]

    def phase(port: int) -> dict:
        return {
            "bare": run_phase(port, token, [[("GET", "/healthz", None)] * n for _ in range(CLIENTS)]),
            "event": run_phase(port, token, [[("GET", event_page, None)] * n for _ in range(CLIENTS)]),
            "redeem": run_phase(port, token, [redeems(n) for _ in range(CLIENTS)], check=checked_in),
        }

    # Warm-up: every worker of both hosts serves each kind of request before anything is timed.
    for host in hosts:
        run_phase(host.port, token, [[("GET", event_page, None)] * 4 + redeems(4) for _ in range(4 * CLIENTS)])
    results = []
    for _ in range(rounds):
        round_ = {"direct": phase(hosts[0].port)}
        balancer.set_drained(hosts[1], True)
        round_["one"] = phase(balancer.port)
        balancer.set_drained(hosts[1], False)
        time.sleep(1)
        round_["two"] = phase(balancer.port)
        results.append(round_)
    return results


LABELS = {"direct": "host A alone, no balancer", "one": "nginx, host A alone (B down)", "two": "nginx, hosts A and B"}
OPERATIONS = {"bare": "bare GET /healthz", "event": "event page GET /e/<slug>/", "redeem": "check-in redeem (POST)"}


def _span(values, fmt: str) -> str:
    low, high = min(values), max(values)
    return format(low, fmt) if format(low, fmt) == format(high, fmt) else f"{format(low, fmt)}–{format(high, fmt)}"


def render(rounds: list[dict], args, load_before: float, seeded: float) -> str:
    lines = [
        f"Run on {datetime.now():%d %b %Y %H:%M}, load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after "
        "(2 cores shared with the other engineers' test suites).",
        "",
        f"PostgreSQL 15 (production defaults, fsync on) with {args.registrations:,} registrations (seeded in {seeded:.0f} s), "
        f"Redis, each host gunicorn 2 workers x 4 threads plus its consumer, nginx running deploy/nginx.conf; {CLIENTS} "
        f"clients (Python http.client keep-alive) sending back to back, {args.per_client} requests each per row. "
        f"{len(rounds)} rounds, the set-ups in turn within each; every cell is the range over the rounds. "
        "\"x direct\" compares with the same operation on host A without the balancer in the same round.",
        "",
        "| operation | set-up | requests per round | req/s | x direct | p50 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for op, op_label in OPERATIONS.items():
        for setup, setup_label in LABELS.items():
            cells = [r[setup][op] for r in rounds]
            ratios = [r[setup][op]["rate"] / r["direct"][op]["rate"] for r in rounds]
            lines.append(f"| {op_label} | {setup_label} | {cells[0]['requests']} | {_span([c['rate'] for c in cells], '.0f')} | "
                         f"{_span(ratios, '.2f')} | {_span([c['p50'] for c in cells], '.1f')} | "
                         f"{_span([c['p99'] for c in cells], '.1f')} | {sum(c['errors'] for c in cells)} |")
    kinds = Counter()
    for round_ in rounds:
        for setup in round_.values():
            for cell in setup.values():
                kinds.update(cell.get("error_kinds") or {})
    if kinds:
        lines += ["", "Errors by answer: " + ", ".join(f"{kind} x{n}" for kind, n in kinds.most_common()) + "."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
