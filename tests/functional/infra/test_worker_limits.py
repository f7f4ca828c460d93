"""Worker limits that gunicorn's threaded workers really enforce (gunicorn.conf.py): a worker past
its memory limit is replaced after the request, one with a request running too long (or far past
the limit) is ended by its watchdog, and every worker is recycled after max_requests."""
from __future__ import annotations

import os
import runpy
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.support.servers import free_port, wait_for_port

PROJECT_ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


@pytest.fixture
def conf():
    return runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))


def _worker():
    messages = []
    log = SimpleNamespace(warning=lambda *a: messages.append(a[0] % a[1:]), error=lambda *a: messages.append(a[0] % a[1:]))
    return SimpleNamespace(alive=True, pid=123, log=log, messages=messages)


def test_the_settings_bound_requests_and_recycle_workers(conf):
    assert conf["max_requests"] > 0 and conf["max_requests_jitter"] > 0
    assert conf["timeout"] <= 120 and conf["limit_request_line"] <= 8190 and conf["limit_request_fields"] <= 200
    assert conf["WORKER_MAX_RSS_MB"] > 0 and conf["REQUEST_TIME_LIMIT"] > 0
    assert callable(conf["pre_request"]) and callable(conf["post_request"])


def test_a_worker_over_its_memory_limit_is_replaced_after_the_request(conf):
    worker = _worker()
    post_request = conf["post_request"]
    post_request.__globals__["WORKER_MAX_RSS_MB"] = 10**6
    post_request(worker, None, {}, None)
    assert worker.alive
    post_request.__globals__["WORKER_MAX_RSS_MB"] = 1
    post_request(worker, None, {}, None)
    assert not worker.alive and "restarting after its current requests" in worker.messages[0]


def test_a_request_running_past_the_time_limit_ends_the_worker(conf):
    over_limit, pre_request = conf["over_limit"], conf["pre_request"]
    over_limit.__globals__["WORKER_MAX_RSS_MB"] = 10**6
    pre_request(_worker(), None)
    now = time.monotonic()
    assert over_limit(now) is None
    assert "a request has run" in over_limit(now + conf["REQUEST_TIME_LIMIT"] + 5)
    conf["post_request"](_worker(), None, {}, None)
    assert over_limit(now + 10**6) is None
    over_limit.__globals__["WORKER_MAX_RSS_MB"] = 1
    assert "hard limit" in over_limit(now)


@pytest.mark.slow
def test_a_real_gunicorn_replaces_a_worker_past_the_memory_limit(tmp_path):
    port = free_port()
    env = dict(os.environ, CONFAPP_INSTANCE=str(tmp_path / "instance"), DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}",
               BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", GUNICORN_THREADS="2", WORKER_MAX_RSS_MB="1", WORKER_HARD_MAX_RSS_MB="100000",
               HUEY_SQLITE_FILE=str(tmp_path / "huey.db"), MAIL_PORT=str(free_port()))
    for name in ("HUEY_IMMEDIATE", "CONFAPP_ENV", "REDIS_URL"):
        env.pop(name, None)
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=PROJECT_ROOT,
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, timeout=60)
            # Requests go on until the second worker has also been replaced: a worker that is
            # finishing may still answer the next requests itself, and then none would reach its
            # successor (seen on a loaded machine).
            deadline = time.monotonic() + 60
            while log_path.read_text().count("restarting after its current requests") < 2 and time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
                        assert response.status == 200
                except OSError:  # between two workers
                    pass
                time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log_path.read_text()
    assert text.count("restarting after its current requests") >= 2, text[-2000:]
    assert text.count("Booting worker") >= 2
