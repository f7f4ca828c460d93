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

from tests.support.servers import embedded_environment, embedded_gunicorn

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
    env = embedded_environment(tmp_path)
    secret = subprocess.run([sys.executable, "-c", MAKE_TOKEN], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True,
                            text=True, timeout=120).stdout.strip().splitlines()[-1]
    with embedded_gunicorn(env, tmp_path) as (base, log_path):
        yield base, secret, log_path


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
