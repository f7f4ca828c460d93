"""Shared helpers for benchmarks: a migrated SQLite instance with the demo data, gunicorn on
127.0.0.1, and a bounded load generator (wrk when installed, else a Python thread pool).

Import it from your own bench script:

    from _server import embedded_gunicorn, measure
    with embedded_gunicorn() as base:
        baseline = measure(base + "/healthz")
        mine = measure(base + "/e/phrge-institute-2016/agenda")
        print(f"agenda: {mine.rate:.0f} req/s = {mine.rate / baseline.rate:.2f} x baseline")
"""
from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONNECTIONS = 16
DURATION = 10  # seconds per measurement: bounded load, loopback only


@dataclass
class Result:
    url: str
    requests: int
    seconds: float
    errors: int
    tool: str

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def _warm_up(url: str, workers: int, timeout: float = 180) -> None:
    """Each worker builds its app after the port opens: wait until all of them answer."""
    parts = urlsplit(url)
    deadline = time.monotonic() + timeout
    answered = 0
    while answered < 20 * workers:
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn workers did not answer")
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            conn.request("GET", parts.path)
            if conn.getresponse().status == 200:
                answered += 1
            conn.close()
        except OSError:
            time.sleep(0.2)


@contextmanager
def embedded_gunicorn(workers: int = 2, threads: int = 4, demo: bool = True):
    folder = Path(tempfile.mkdtemp(prefix="confapp-bench-"))
    env = dict(os.environ, CONFAPP_INSTANCE=str(folder), DATABASE_URL=f"sqlite:///{folder / 'bench.db'}",
               FLASK_APP="wsgi.py", RATELIMIT_ENABLED="0", HUEY_SQLITE_FILE=str(folder / "huey.db"))
    for name in ("HUEY_IMMEDIATE", "CONFAPP_ENV", "REDIS_URL"):
        env.pop(name, None)
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    if demo:
        subprocess.run([str(BIN / "flask"), "demo", "load"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    env.update(BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers), GUNICORN_THREADS=str(threads))
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(port)
        _warm_up(f"http://127.0.0.1:{port}/healthz", workers)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def _loopback(url: str) -> None:
    if urlsplit(url).hostname != "127.0.0.1":
        raise SystemExit("benchmarks only run against 127.0.0.1")


def _wrk(url: str, duration: int, connections: int) -> Result:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", url],
                         check=True, capture_output=True, text=True).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    seconds = float(re.search(r"requests in ([\d.]+)s", out).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Result(url, requests, seconds, errors, "wrk")


def _python_pool(url: str, duration: int, connections: int) -> Result:
    parts = urlsplit(url)
    path = parts.path or "/"
    counts = [0] * connections
    errors = [0] * connections
    deadline = time.monotonic() + duration

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while time.monotonic() < deadline:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            counts[i] += 1
            if response.status >= 400:
                errors[i] += 1
        conn.close()

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return Result(url, sum(counts), time.monotonic() - started, sum(errors), "python threads")


def measure(url: str, duration: int = DURATION, connections: int = CONNECTIONS) -> Result:
    """GET `url` for `duration` seconds over `connections` keep-alive connections."""
    _loopback(url)
    if shutil.which("wrk"):
        return _wrk(url, duration, connections)
    return _python_pool(url, duration, connections)
