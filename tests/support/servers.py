"""Real servers for the tests: SMTP (aiosmtpd), PostgreSQL, Redis, and free ports.

Each starts on 127.0.0.1 only, and stops when the test session ends.
"""
from __future__ import annotations

import email
import email.policy
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    # aiosmtpd and others need a real port up front (port 0 does not work for them).
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


@dataclass
class ReceivedMail:
    envelope_from: str
    envelope_to: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, content_type: str) -> str | None:
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.get_filename():
                return part.get_content()
        return None

    @property
    def text(self) -> str | None:
        return self.part("text/plain")

    @property
    def html(self) -> str | None:
        return self.part("text/html")

    def attachments(self) -> list[tuple[str, str, bytes]]:
        found = []
        for part in self.message.walk():
            if part.get_filename():
                found.append((part.get_filename(), part.get_content_type(), part.get_payload(decode=True)))
        return found


@dataclass
class SmtpServer:
    """An aiosmtpd server that keeps what it receives; `rules` can refuse recipients."""

    port: int
    messages: list[ReceivedMail] = field(default_factory=list)
    # address -> SMTP reply for RCPT TO, e.g. "550 5.1.1 No such user" or "451 4.3.0 Try later"
    refuse: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
        self.refuse.clear()

    def to(self, address: str) -> list[ReceivedMail]:
        with self.lock:
            return [m for m in self.messages if address.lower() in (a.lower() for a in m.envelope_to)]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} messages, received {len(self.messages)}")


class _Controller(Controller):
    def factory(self):
        return SMTP(self.handler, hostname="confapp-test-smtp", data_size_limit=50 * 1024 * 1024)


def start_smtp_server(port: int | None = None) -> tuple[SmtpServer, Controller]:
    server = SmtpServer(port=port or free_port())
    controller = _Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    return server, controller


@dataclass
class PostgresServer:
    port: int
    directory: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
             "-v", "ON_ERROR_STOP=1", "-Atc", sql],
            check=True, capture_output=True, text=True,
        )
        return result.stdout

    def create_database(self, name: str, icu_locale: str | None = None) -> str:
        """A fresh database; `icu_locale` ("en-US") sorts text by that language's rules, as a
        cluster set up with a language locale would."""
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        collation = f" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '{icu_locale}'" if icu_locale else ""
        self.psql(f'CREATE DATABASE "{name}"{collation}')
        return self.url(name)


def _as_postgres(*command: str) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


def start_postgres(durable: bool = False) -> PostgresServer:
    """initdb + pg_ctl start on a temporary directory (as the postgres user when we are root).
    Tests skip syncing to disk; `durable` keeps PostgreSQL's production defaults (benchmarks)."""
    directory = Path(tempfile.mkdtemp(prefix="confapp-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    port = free_port()
    data = directory / "data"
    subprocess.run(_as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                                "--no-sync"), check=True, capture_output=True)
    subprocess.run(_as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(directory / "log"), "-w", "-o",
                                f"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c max_connections=200"
                                + ("" if durable else " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"),
                                "start"),
                   check=True, capture_output=True, env=without_faketime())
    return PostgresServer(port=port, directory=directory)


def stop_postgres(server: PostgresServer) -> None:
    subprocess.run(_as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(server.directory / "data"), "-m", "fast", "stop"),
                   capture_output=True, env=without_faketime())
    shutil.rmtree(server.directory, ignore_errors=True)


def start_redis() -> tuple[int, Path]:
    directory = Path(tempfile.mkdtemp(prefix="confapp-redis-"))
    port = free_port()
    subprocess.run(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                    "--daemonize", "yes", "--pidfile", str(directory / "redis.pid"), "--dir", str(directory)], check=True,
                   capture_output=True, env=without_faketime())
    wait_for_port(port)
    return port, directory


def without_faketime() -> dict:
    """The environment for a server whose own clock needs no shifting: in the shifted-clock runs
    redis-server's event loop stalls under libfaketime, and PostgreSQL's lock_timeout never fires
    (their own dates never reach the app, which passes its own times)."""
    return {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}


def stop_redis(port: int, directory: Path) -> None:
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True, env=without_faketime())
    shutil.rmtree(directory, ignore_errors=True)


def embedded_environment(folder: Path) -> dict[str, str]:
    """The environment of confapp as `make run` serves it, on its own SQLite file in `folder`,
    migrated and loaded with the demo data (rate limits off: every client is 127.0.0.1)."""
    import sys

    project_root, flask = Path(__file__).resolve().parents[2], Path(sys.executable).parent / "flask"
    env = dict(os.environ, CONFAPP_INSTANCE=str(folder / "instance"), DATABASE_URL=f"sqlite:///{folder / 'app.db'}",
               FLASK_APP="wsgi.py", RATELIMIT_ENABLED="0", HUEY_SQLITE_FILE=str(folder / "huey.db"),
               MAIL_PORT=str(free_port()))
    for name in ("HUEY_IMMEDIATE", "CONFAPP_ENV", "REDIS_URL"):
        env.pop(name, None)
    subprocess.run([str(flask), "db", "upgrade"], cwd=project_root, env=env, check=True, capture_output=True, timeout=120)
    subprocess.run([str(flask), "demo", "load"], cwd=project_root, env=env, check=True, capture_output=True, timeout=300)
    return env


class embedded_gunicorn:  # noqa: N801 (used as a context manager, like open())
    """gunicorn with gunicorn.conf.py on `env` (embedded_environment's), 2 workers x 4 threads, on
    a free 127.0.0.1 port; yields (base URL, log path) and stops it afterwards."""

    def __init__(self, env: dict[str, str], folder: Path):
        import sys

        self.project_root, self.gunicorn = Path(__file__).resolve().parents[2], Path(sys.executable).parent / "gunicorn"
        self.port = free_port()
        self.env = dict(env, BIND=f"127.0.0.1:{self.port}", WEB_CONCURRENCY="2", GUNICORN_THREADS="4")
        self.log_path = folder / "gunicorn.log"

    def __enter__(self) -> tuple[str, Path]:
        self.log = open(self.log_path, "w")
        self.server = subprocess.Popen([str(self.gunicorn), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=self.project_root,
                                       env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(self.port, timeout=60)
        except BaseException:
            self.__exit__()
            raise
        return f"http://127.0.0.1:{self.port}", self.log_path

    def __exit__(self, *exc) -> None:
        self.server.terminate()
        self.server.wait(timeout=30)
        self.log.close()
