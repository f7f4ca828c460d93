"""Schemathesis (issue 14) against the live app under gunicorn, with a write token on the demo's
next event: every operation of the served OpenAPI document, examples generated from its schemas
(bounded, derandomized so a failure repeats), and neither a server error nor an answer that
breaks the document may come back. The app runs on its own SQLite file with the demo data, as
`make run` serves it; outreach:send is left out of the token, so nothing is mailed."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.servers import free_port, wait_for_port

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
SLUG = "phrge-institute-next"
EXAMPLES = 12

MAKE_TOKEN = f"""
from confapp import create_app
from confapp.api import tokens
from confapp.api.models import Scope
from confapp.events.queries import event_by_slug
from confapp.extensions import db
from confapp.accounts.models import User
from confapp.types import utcnow
app = create_app()
with app.app_context():
    event = event_by_slug({SLUG!r})
    organiser = db.session.query(User).filter_by(email="organiser@confapp.example").one()
    scopes = [s.value for s in Scope if s != Scope.OUTREACH_SEND]
    _, secret = tokens.create_token(event, name="Schemathesis", scopes=scopes, expires_at=None, actor=organiser, now=utcnow())
    db.session.commit()
    print(secret)
"""


@pytest.fixture
def live_api(tmp_path):
    env = dict(os.environ, CONFAPP_INSTANCE=str(tmp_path / "instance"), DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}",
               FLASK_APP="wsgi.py", RATELIMIT_ENABLED="0", HUEY_SQLITE_FILE=str(tmp_path / "huey.db"),
               MAIL_PORT=str(free_port()))
    for name in ("HUEY_IMMEDIATE", "CONFAPP_ENV", "REDIS_URL"):
        env.pop(name, None)
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, timeout=120)
    subprocess.run([str(BIN / "flask"), "demo", "load"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, timeout=300)
    secret = subprocess.run([sys.executable, "-c", MAKE_TOKEN], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True,
                            text=True, timeout=120).stdout.strip().splitlines()[-1]
    port = free_port()
    env.update(BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2", GUNICORN_THREADS="4")
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=PROJECT_ROOT, env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, timeout=60)
            yield f"http://127.0.0.1:{port}", secret, log_path
        finally:
            server.terminate()
            server.wait(timeout=30)


def test_no_operation_answers_a_server_error_or_breaks_its_schema(live_api, tmp_path):
    base, secret, log_path = live_api
    # Every {slug} is the demo event the token is for (ids stay generated: most are 404s, as they should).
    (tmp_path / "schemathesis.toml").write_text(f'[parameters]\n"path.slug" = "{SLUG}"\n')
    run = subprocess.run(
        [str(BIN / "st"), "run", f"{base}/api/v1/openapi.json", "--url", base,
         "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance",
         "--max-examples", str(EXAMPLES), "--seed", "2026", "--request-timeout", "20",
         "-H", f"Authorization: Bearer {secret}", "--no-color"],
        cwd=tmp_path, capture_output=True, text=True, timeout=900, env=dict(os.environ, SCHEMATHESIS_TELEMETRY="false"))
    server_log = log_path.read_text()
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:] + "\n--- server log ---\n" + server_log[-3000:]
    assert "Traceback" not in server_log, server_log[-3000:]
