"""Baseline: bare request rate under gunicorn (2 workers) on this machine, to which every other
benchmark is compared. Installs wrk from Debian if it is missing (loopback load only).

    .venv/bin/python bench/baseline.py
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _server import embedded_gunicorn, measure  # noqa: E402


def ensure_wrk() -> None:
    if shutil.which("wrk") or os.geteuid() != 0:
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"], env=env, check=False,
                   capture_output=True)


LOAD = ""


def main() -> None:
    global LOAD
    LOAD = " ".join(f"{x:.1f}" for x in os.getloadavg())
    ensure_wrk()
    with embedded_gunicorn(workers=2, threads=4) as base:
        measure(base + "/healthz", duration=2)
        rows = [
            ("bare: GET /healthz (no database)", measure(base + "/healthz")),
            ("public event list: GET / (SQLite reads, template)", measure(base + "/")),
            ("public event page: GET /e/phrge-institute-2016/", measure(base + "/e/phrge-institute-2016/")),
        ]
    bare = rows[0][1].rate or float("nan")
    print(f"load tool: {rows[0][1].tool}, 16 connections, 10 s each, gunicorn 2 workers x 4 threads, 127.0.0.1")
    print(f"load average before the run: {LOAD}")
    print(f"{'page':55} {'req/s':>8} {'x bare':>7} {'errors':>7}")
    for label, result in rows:
        print(f"{label:55} {result.rate:8.0f} {result.rate / bare:7.2f} {result.errors:7d}")


if __name__ == "__main__":
    main()
