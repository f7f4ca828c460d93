"""Several app hosts behind a real nginx, on 127.0.0.1: the deployment docs/deployment.md describes.

One PostgreSQL and one Redis (started by the caller), two "hosts" each made of a gunicorn and a huey
consumer with its own instance folder, and nginx in front. The processes run the command lines of
deploy/confapp-web.service and deploy/confapp-worker.service, and nginx runs deploy/nginx.conf
itself; only the two small files that nginx.conf includes (the upstream hosts, the listen address)
are written here, from deploy/nginx-upstream.conf with the addresses replaced.
"""
from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .servers import free_port, wait_for_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = PROJECT_ROOT / "deploy"
BIN = Path(sys.executable).parent
# Where the units expect the checkout and its venv.
UNIT_ROOT = "/srv/confapp"
SECRET_KEY = "multihost-shared-secret-key"


def unit_command(unit: str, env: dict[str, str]) -> list[str]:
    """The unit's ExecStart as argv: /srv/confapp mapped to this checkout, $VARS expanded from
    `env` the way systemd does (an unset or empty $VAR is no word at all)."""
    text = (DEPLOY / unit).read_text()
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    words = []
    for word in shlex.split(line.removeprefix("ExecStart=")):
        if word.startswith("$"):
            words.extend(env.get(word.strip("${}"), "").split())
            continue
        if word.startswith(UNIT_ROOT + "/.venv/bin/"):
            word = str(BIN / word.rsplit("/", 1)[1])
        words.append(word.replace(UNIT_ROOT, str(PROJECT_ROOT)))
    return words


def unit_working_directory(unit: str) -> Path:
    text = (DEPLOY / unit).read_text()
    line = next(line for line in text.splitlines() if line.startswith("WorkingDirectory="))
    return Path(line.removeprefix("WorkingDirectory=").replace(UNIT_ROOT, str(PROJECT_ROOT)))


def get(url: str, timeout: float = 5.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


@dataclass
class Host:
    """One app host: gunicorn (confapp-web.service) and a huey consumer (confapp-worker.service)."""

    name: str
    directory: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    web: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _start(self, unit: str, log_name: str) -> subprocess.Popen:
        env = dict(self.env, BIND=self.address)
        log = open(self.directory / log_name, "a")
        try:
            return subprocess.Popen(unit_command(unit, env), cwd=unit_working_directory(unit), env=env, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()

    def start(self) -> "Host":
        self.web = self._start("confapp-web.service", "web.log")
        self.worker = self._start("confapp-worker.service", "worker.log")
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.web.poll() is not None:
                raise RuntimeError(f"{self.name}'s gunicorn exited:\n{self.log('web.log')[-3000:]}")
            if get(f"{self.url}/readyz", timeout=2) == 200:
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready after {timeout}s:\n{self.log('web.log')[-3000:]}")

    def start_worker(self) -> None:
        self.worker = self._start("confapp-worker.service", "worker.log")

    def kill_worker(self) -> None:
        """kill -9 the host's consumer only (its gunicorn keeps serving)."""
        if self.worker and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait(timeout=10)

    def kill(self) -> None:
        """kill -9 the host's gunicorn (master and workers) and its consumer."""
        for process in (self.web, self.worker):
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def stop(self) -> None:
        for process, sig in ((self.web, signal.SIGTERM), (self.worker, signal.SIGINT)):
            if process and process.poll() is None:
                process.send_signal(sig)
        for process in (self.web, self.worker):
            if process is None:
                continue
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def log(self, name: str) -> str:
        path = self.directory / name
        return path.read_text(errors="replace") if path.exists() else ""


class Balancer:
    """nginx running deploy/nginx.conf as it is, as the current user, in a temporary prefix."""

    def __init__(self, directory: Path, hosts: list[Host]):
        self.directory = directory
        self.hosts = hosts
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.drained: set[str] = set()
        self._shipped: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        d = self.directory
        (d / "confapp").mkdir(parents=True, exist_ok=True)
        for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (d / temp).mkdir(exist_ok=True)
        # The shipped upstream lines with the test hosts' addresses: the same health-check settings.
        shipped = [line for line in (DEPLOY / "nginx-upstream.conf").read_text().splitlines()
                   if line.strip().startswith("server ")]
        self.write_upstream(shipped)
        # Harness only: which host answered, for the tests (nginx's own variable; the app adds nothing).
        (d / "confapp" / "listen.conf").write_text(
            f"listen 127.0.0.1:{self.port};\nserver_name 127.0.0.1;\nadd_header X-Upstream $upstream_addr always;\n")
        # As root nginx would hand its workers to "nobody", who cannot use these temporary folders.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
        main = d / "nginx.conf"
        main.write_text(
            f"daemon off;\n{user}worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            "  log_format upstreams '$request_method $uri $status $upstream_addr $upstream_status';\n"
            f"  access_log {d}/access.log upstreams;\n"
            f"  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n"
            f"  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n"
            f"  include {DEPLOY / 'nginx.conf'};\n"
            "}\n")
        return main

    def write_upstream(self, shipped: list[str] | None = None) -> None:
        shipped = shipped or self._shipped
        self._shipped = shipped
        lines = [re.sub(r"server \S+", f"server {host.address}", shipped[i % len(shipped)].strip().rstrip(";"), count=1)
                 + (" down;" if host.name in self.drained else ";") for i, host in enumerate(self.hosts)]
        (self.directory / "confapp" / "upstream.conf").write_text("\n".join(lines) + "\n")

    def set_drained(self, host: Host, drained: bool) -> None:
        """Take a host out of the rotation (`down` in upstream.conf) or put it back, and reload nginx
        gracefully (its old workers finish their requests), as `nginx -s reload` does."""
        (self.drained.add if drained else self.drained.discard)(host.name)
        self.write_upstream()
        exited = self.error_log().count("exited with code")
        self.process.send_signal(signal.SIGHUP)
        # Done when the old worker has finished its requests and exited: from then on every request
        # is routed by the new configuration.
        deadline = time.monotonic() + 20
        while self.error_log().count("exited with code") <= exited and time.monotonic() < deadline:
            time.sleep(0.05)

    def error_log(self) -> str:
        path = self.directory / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> "Balancer":
        main = self.write_config()
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        log = open(self.directory / "nginx.out", "a")
        try:
            self.process = subprocess.Popen([nginx, "-p", str(self.directory), "-e", str(self.directory / "error.log"),
                                             "-c", str(main)], stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()
        wait_for_port(self.port, timeout=10)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def access_lines(self) -> list[str]:
        path = self.directory / "access.log"
        return path.read_text().splitlines() if path.exists() else []


def host_environment(base: dict[str, str], *, name: str, directory: Path, database_url: str, redis_port: int,
                     smtp_port: int, periodic: bool) -> dict[str, str]:
    """What /etc/confapp/confapp.env would hold on that host, plus the suite's pinned clock (inherited
    from the test process: CONFAPP_CLOCK_START / CONFAPP_CLOCK_SET_AT). Not CONFAPP_ENV=production:
    the clock is pinned and the balancer speaks plain http here."""
    env = dict(base)
    for key in ("HUEY_IMMEDIATE", "CONFAPP_ENV", "HUEY_SQLITE_FILE", "BIND", "WEB_CONCURRENCY"):
        env.pop(key, None)
    env.update(
        CONFAPP_INSTANCE=str(directory / "instance"), DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY,
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0", PROXY_FIX_HOPS="1", WEB_CONCURRENCY="2", GUNICORN_THREADS="4",
        MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port), BASE_URL="http://127.0.0.1",
        # 50 clients all come from 127.0.0.1: registration's per-address limit would stop the crowd.
        REGISTRATION_RATE_LIMIT="100000 per minute", LOGIN_RATE_LIMIT="10 per minute",
        PYTHONUNBUFFERED="1",
        # A large announcement is shared by more delivery jobs than one consumer has threads (-w 4),
        # so both hosts' consumers take part (docs/deployment.md). A claim held by a killed
        # consumer comes back after 8 s instead of 2 minutes, so the tests need not wait that long.
        OUTREACH_DELIVERY_JOBS="5", OUTREACH_LEASE_SECONDS="8",
    )
    env["CONSUMER_OPTIONS"] = "" if periodic else "--no-periodic"
    return env
