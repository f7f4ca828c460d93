"""`/readyz` for the load balancer: 200 when the database (and Redis, when configured) answer,
503 when either does not, and never a word about why on the public URL (issue 17)."""
import logging

import pytest

from tests.conftest import make_app_for
from tests.support.servers import free_port, start_redis, stop_redis

SECRETS_OF_THE_FAILURE = ("127.0.0.1", "refused", "connect", "Error", "psycopg", "redis", "sqlite", "Traceback")


def _assert_unavailable(response):
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
    body = response.get_data(as_text=True)
    assert not [word for word in SECRETS_OF_THE_FAILURE if word.lower() in body.lower()]
    assert response.headers["Cache-Control"] == "no-store"


def test_the_test_app_is_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json() == {"status": "ready"}
    assert response.headers["Cache-Control"] == "no-store"


def test_not_ready_when_the_database_is_unreachable(smtp_server, caplog):
    port = free_port()  # nothing listens there
    app = make_app_for(f"postgresql+psycopg://postgres@127.0.0.1:{port}/confapp", smtp_server)
    with caplog.at_level(logging.WARNING, logger="confapp.health"):
        _assert_unavailable(app.test_client().get("/readyz"))
    assert "database did not answer" in caplog.text  # the reason is in the host's log
    assert app.test_client().get("/healthz").status_code == 200  # the cheap check needs no database


def test_not_ready_when_a_configured_redis_is_unreachable(tmp_path, smtp_server, caplog):
    app = make_app_for(f"sqlite:///{tmp_path / 'ready.db'}", smtp_server, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, logger="confapp.health"):
        _assert_unavailable(app.test_client().get("/readyz"))
    assert "Redis did not answer" in caplog.text and "database" not in caplog.text


@pytest.fixture
def redis_port():
    port, directory = start_redis()
    yield port
    stop_redis(port, directory)


def test_ready_when_a_configured_redis_answers(tmp_path, smtp_server, redis_port):
    app = make_app_for(f"sqlite:///{tmp_path / 'ready.db'}", smtp_server, REDIS_URL=f"redis://127.0.0.1:{redis_port}/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 200 and response.get_json() == {"status": "ready"}
