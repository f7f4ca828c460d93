"""The multi-host harness (tests/support/multihost.py) for this folder: started once, shared by its
tests, all slow and on PostgreSQL. Each test builds its own event with `seed`."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.multihost import BIN, PROJECT_ROOT, Balancer, Host, host_environment
from tests.support.servers import start_redis, stop_redis


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.postgres)


class Cluster:
    def __init__(self, directory: Path, database_url: str, redis_port: int, smtp_server, postgres_server):
        import os

        self.directory = directory
        self.database_url = database_url
        self.redis_port = redis_port
        self.smtp = smtp_server
        self.postgres = postgres_server
        self.hosts = []
        for index, name in enumerate(("a", "b")):
            folder = directory / f"host-{name}"
            folder.mkdir()
            env = host_environment(dict(os.environ), name=name, directory=folder, database_url=database_url,
                                   redis_port=redis_port, smtp_port=smtp_server.port, periodic=index == 0)
            self.hosts.append(Host(name=name, directory=folder, env=env))
        self.balancer = Balancer(directory / "nginx", self.hosts)
        self.timings: dict[str, float] = {}

    @property
    def url(self) -> str:
        return self.balancer.url

    def migrate(self) -> None:
        result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=PROJECT_ROOT,
                                env=self.hosts[0].env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr

    def start(self) -> "Cluster":
        started = time.monotonic()
        self.migrate()
        self.timings["migrate"] = time.monotonic() - started
        for host in self.hosts:
            host.start()
        for host in self.hosts:
            host.wait_ready()
        self.balancer.start()
        self.timings["start"] = time.monotonic() - started
        return self

    def stop(self) -> None:
        self.balancer.stop()
        for host in self.hosts:
            host.stop()

    def psql(self, sql: str) -> str:
        return self.postgres.psql(sql, database="confapp_multihost").strip()

    def redis(self, *args: str) -> str:
        return subprocess.run(["redis-cli", "-p", str(self.redis_port), *args], capture_output=True, text=True,
                              check=True).stdout

    def reset_rate_limits(self) -> None:
        """Every test's clients come from 127.0.0.1: forget the counters earlier tests left."""
        keys = self.redis("--scan", "--pattern", "LIMITS:*").split()
        if keys:
            self.redis("DEL", *keys)

    def logs(self) -> str:
        return "\n".join(f"--- {h.name} {n}\n{h.log(n)[-4000:]}" for h in self.hosts for n in ("web.log", "worker.log"))


# Package scope: the hosts stop once this folder's tests are done, not at the end of the whole run.
@pytest.fixture(scope="package")
def cluster(postgres_server, smtp_server):
    directory = Path(tempfile.mkdtemp(prefix="confapp-multihost-"))
    database_url = postgres_server.create_database("confapp_multihost")
    redis_port, redis_dir = start_redis()
    cluster = Cluster(directory, database_url, redis_port, smtp_server, postgres_server)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        stop_redis(redis_port, redis_dir)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="package")
def seed_app(cluster, smtp_server):
    """An app in the test process on the cluster's database, to build each test's data."""
    from tests.conftest import make_app_for

    app = make_app_for(cluster.database_url, smtp_server)
    yield app
    from confapp.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def seed(seed_app):
    @contextmanager
    def _seed():
        from confapp.extensions import db

        with seed_app.app_context():
            yield db
            db.session.commit()
            db.session.remove()

    return _seed
