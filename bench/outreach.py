"""Messages per second delivered to a local SMTP server (aiosmtpd, its own process, a sink
handler) for 1,000 and 10,000 recipients with merge fields, beside a bare smtplib loop (one
connection, a pre-built message with the name pasted in) measured in the same run.

The outreach figure is the delivery engine the huey worker runs (`confapp.outreach.delivery.
deliver`): claim batches, merge and render each message (Jinja sandbox + Markdown + MIME),
one SMTP connection, a committed handover before each final "." and the outcome recorded.
Materialising the recipients (one segment query + bulk insert) is timed separately.
Figures go to docs/benchmarks.md.

    .venv/bin/python bench/outreach.py [1000 10000]
"""
from __future__ import annotations

import os
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]
FOLDER = Path(tempfile.mkdtemp(prefix="confapp-bench-outreach-"))
os.environ.update(CONFAPP_INSTANCE=str(FOLDER), DATABASE_URL=f"sqlite:///{FOLDER / 'bench.db'}",
                  HUEY_SQLITE_FILE=str(FOLDER / "huey.db"), HUEY_IMMEDIATE="1", OUTREACH_BATCH_SIZE="100")
for name in ("REDIS_URL", "CONFAPP_ENV"):
    os.environ.pop(name, None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                                "-l", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("SMTP sink did not start")


def bare_smtplib(port: int, count: int) -> float:
    template = ("From: bench@example.org\r\nTo: {a}\r\nSubject: For {n}\r\nMIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n\r\nHello {n}, this is yours: {a}.\r\n")
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(count):
            address = f"p{i:05d}@example.org"
            smtp.sendmail("bench@example.org", [address], template.format(a=address, n=f"P{i:05d}").encode())
    return count / (time.perf_counter() - started)


def outreach(app, count: int) -> tuple[float, float]:
    from confapp.extensions import db
    from confapp.outreach import delivery, services
    from confapp.outreach.services import MessageDraft
    from confapp.types import utcnow
    from tests.functional.outreach.test_worker_delivery import build_audience

    with app.app_context():
        event, organiser = build_audience(count)
        message = services.create_message(
            event, MessageDraft("For {{ first_name }}", "Hello **{{ full_name }}**, this is yours: {{ email }}.\n\n"
                                "See you at {{ venue }} on {{ event_dates }}.", {"status": ["confirmed"]}),
            actor=organiser, now=utcnow())
        db.session.commit()
        started = time.perf_counter()
        message.status = message.status.SENDING
        delivery.materialize(message, now=utcnow())
        db.session.commit()
        materialized = time.perf_counter() - started
        started = time.perf_counter()
        run = delivery.deliver(message.id)
        elapsed = time.perf_counter() - started
        assert run.sent == count, (run.sent, run.errors)
        db.session.remove()
    return count / elapsed, materialized


def main(sizes: list[int]) -> None:
    from flask_migrate import upgrade

    from confapp import create_app

    port = free_port()
    sink = start_sink(port)
    os.environ.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port))
    try:
        app = create_app()
        with app.app_context():
            upgrade()
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        print("| recipients | bare smtplib msg/s | outreach msg/s | x bare | materialise (s) |")
        print("|---:|---:|---:|---:|---:|")
        for count in sizes:
            bare = bare_smtplib(port, count)
            rate, materialized = outreach(app, count)
            print(f"| {count:,} | {bare:.0f} | {rate:.0f} | {rate / bare:.2f} | {materialized:.2f} |", flush=True)
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        sink.terminate()
        sink.wait(timeout=10)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
