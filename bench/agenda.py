"""Public agenda of a 3-day, 8-room, 120-session event (tests/support/program_data.py):
SQL statements per render, in-process render time, and throughput under gunicorn compared
with the bare /healthz baseline measured in the same run. Figures go to docs/benchmarks.md."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
FOLDER = Path(tempfile.mkdtemp(prefix="confapp-bench-agenda-"))
os.environ.update(CONFAPP_INSTANCE=str(FOLDER), DATABASE_URL=f"sqlite:///{FOLDER / 'bench.db'}",
                  RATELIMIT_ENABLED="0", HUEY_SQLITE_FILE=str(FOLDER / "huey.db"), HUEY_IMMEDIATE="1")
for name in ("REDIS_URL", "CONFAPP_ENV"):
    os.environ.pop(name, None)

from _server import BIN, _free_port, _wait, measure  # noqa: E402

SLUG = "large-programme"
RENDERS = 40


def build() -> None:
    from flask_migrate import upgrade

    from confapp import create_app
    from confapp.accounts.services import create_user
    from confapp.extensions import db
    from tests.support.program_data import build_large_programme

    app = create_app()
    with app.app_context():
        upgrade()
        admin = create_user("bench-admin@example.org", "Bench admin", "bench-password-2026", is_site_admin=True)
        build_large_programme(admin, slug=SLUG)
        db.session.commit()
    return app


def in_process(app) -> tuple[int, float, float]:
    from confapp.extensions import db
    from tests.support.queries import count_queries

    client = app.test_client()
    url = f"/e/{SLUG}/agenda/"
    assert client.get(url).status_code == 200
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as counter:
        client.get(url)
    timings = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return counter.count, statistics.median(timings), max(timings)


def under_gunicorn() -> tuple[float, float, int]:
    port = _free_port()
    env = dict(os.environ, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2", GUNICORN_THREADS="4")  # as bench/baseline.py
    env.pop("HUEY_IMMEDIATE", None)
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(port)
        base = f"http://127.0.0.1:{port}"
        import urllib.request

        # Both workers build the app on their first request: wait for that before measuring.
        for _ in range(8):
            urllib.request.urlopen(base + f"/e/{SLUG}/agenda/", timeout=120).read()
        measure(base + "/healthz", duration=2)
        bare = measure(base + "/healthz")
        agenda = measure(base + f"/e/{SLUG}/agenda/")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return bare.rate, agenda.rate, agenda.errors


def main() -> None:
    app = build()
    queries, median_ms, worst_ms = in_process(app)
    bare, agenda, errors = under_gunicorn()
    print("public agenda, 3 days x 8 rooms, 120 sessions, 60 speakers (SQLite, embedded mode)")
    print(f"SQL statements per render: {queries}")
    print(f"in-process render (Flask test client, {RENDERS} renders): median {median_ms:.1f} ms, worst {worst_ms:.1f} ms")
    print(f"gunicorn 2 workers x 4 threads, 16 connections, 10 s: /healthz {bare:.0f} req/s, agenda {agenda:.0f} req/s "
          f"= {agenda / bare:.3f} x bare, errors {errors}" if bare else "baseline failed")


if __name__ == "__main__":
    main()
