"""Two app processes (two gunicorn workers) on one PostgreSQL database, driven over HTTP:
20 desks redeem the same ticket at once -> one check-in, 19 "already"."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.servers import free_port, wait_for_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CLIENTS = 20


def _seed(url: str, smtp_server) -> tuple[int, str, str]:
    from flask_migrate import upgrade

    from confapp.checkin import services
    from confapp.extensions import db
    from confapp.types import utcnow
    from tests.conftest import make_app_for
    from tests.factories import make_event, make_user
    from tests.support.checkin import attendee

    app = make_app_for(url, smtp_server)
    with app.app_context():
        upgrade()
        now = utcnow()
        organiser = make_user(name="Maria")
        event = make_event()
        checkin_list = services.main_list(event, actor=organiser, now=now)
        reg = attendee(event)
        _, token = services.create_volunteer_link(checkin_list, name="Door 2", valid_from=now - timedelta(hours=1),
                                                  valid_until=now + timedelta(hours=2), actor=organiser, now=now)
        db.session.commit()
        result = checkin_list.id, reg.ticket_code, token
        db.engine.dispose()
    return result


def _answering_pids(log_path) -> set[str]:
    return {line.split()[0] for line in log_path.read_text().splitlines() if line.startswith("pid=")}


def _post(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Accept": "application/json", "X-Checkin-Link": token})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {"error": error.read().decode(errors="replace")}


@pytest.mark.postgres
@pytest.mark.slow
def test_one_ticket_from_twenty_clients_through_two_gunicorn_workers(postgres_server, smtp_server, tmp_path):
    database_url = postgres_server.create_database("confapp_checkin_http")
    list_id, code, token = _seed(database_url, smtp_server)
    port = free_port()
    env = dict(os.environ, CONFAPP_INSTANCE=str(tmp_path / "instance"), DATABASE_URL=database_url, RATELIMIT_ENABLED="0",
               BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2", GUNICORN_THREADS="8", MAIL_PORT=str(smtp_server.port))
    for name in ("HUEY_IMMEDIATE", "CONFAPP_ENV", "REDIS_URL"):
        env.pop(name, None)
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        # The worker's pid in each access line shows which process answered.
        server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logformat", "pid=%(p)s %(s)s",
                                   "wsgi:app"], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, timeout=60)
            base = f"http://127.0.0.1:{port}/checkin/api/lists/{list_id}"
            # Warm both workers (app import, connection pool) so the race is on the redeem itself:
            # until each has answered, since one may finish starting well before the other.
            deadline = time.monotonic() + 30
            while len(_answering_pids(log_path)) < 2 and time.monotonic() < deadline:
                assert _post(f"{base}/sync", token, {"scans": []})[0] == 200
            barrier = threading.Barrier(CLIENTS)
            answers: list[tuple[int, str]] = []

            def desk(n: int) -> None:
                barrier.wait(timeout=30)
                status, body = _post(f"{base}/redeem", token, {"code": code, "station": f"Door {n}"})
                answers.append((status, body.get("outcome", body.get("error"))))

            threads = [threading.Thread(target=desk, args=(n,)) for n in range(CLIENTS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(90)
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert Counter(answers) == {(200, "ok"): 1, (200, "already"): CLIENTS - 1}, answers
    log = log_path.read_text()
    assert "Traceback" not in log
    pids = _answering_pids(log_path)
    assert len(pids) == 2, f"both worker processes should have answered, saw {pids}"
    check_ins = postgres_server.psql("SELECT count(*) FROM checkins", database="confapp_checkin_http").strip()
    assert check_ins == "1", check_ins

