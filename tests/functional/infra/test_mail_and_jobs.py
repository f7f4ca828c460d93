"""Mail through the job queue to a real SMTP server, the after-commit rule, the real huey
consumer process, and RedisHuey on a real Redis server."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from confapp import jobs
from confapp.mail import queue_email
from tests.support.servers import start_redis, stop_redis

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _queue_reset_email(to: str = "ana@example.org"):
    return queue_email(to, "Reset your confapp password", "password_reset",
                       user=SimpleNamespace(name="Ana Ruiz"), link="http://127.0.0.1:5000/account/password-reset/abc")


def test_mail_goes_through_the_job_queue_to_smtp_with_text_and_html_parts(db, mail):
    _queue_reset_email()
    assert mail.messages == []  # nothing leaves before the commit
    db.session.commit()
    [message] = mail.wait_for(1)
    assert message.envelope_to == ["ana@example.org"]
    assert message.subject == "Reset your confapp password"
    assert message.message["From"] == "confapp <no-reply@confapp.localhost>"
    assert "multipart/alternative" in [part.get_content_type() for part in message.message.walk()]
    assert "Hello Ana Ruiz" in message.text
    assert "http://127.0.0.1:5000/account/password-reset/abc" in message.text
    assert "<html" in message.html.lower() and "Ana Ruiz" in message.html
    assert 'href="http://127.0.0.1:5000/account/password-reset/abc"' in message.html


def test_a_rolled_back_transaction_queues_no_mail(db, mail):
    _queue_reset_email("never@example.org")
    db.session.rollback()
    # A later, unrelated commit must not send what the rolled-back transaction queued.
    db.session.commit()
    _queue_reset_email("sent@example.org")
    db.session.commit()
    mail.wait_for(1)
    time.sleep(0.3)
    assert [m.envelope_to for m in mail.messages] == [["sent@example.org"]]


def test_a_rolled_back_savepoint_keeps_the_outer_transactions_mail(db, mail):
    _queue_reset_email("outer@example.org")
    nested = db.session.begin_nested()
    nested.rollback()
    db.session.commit()
    assert [m.envelope_to for m in mail.wait_for(1)] == [["outer@example.org"]]


def test_a_failed_request_sends_no_mail(client, db, mail):
    from tests.factories import make_user

    user = make_user(email="fails@example.org")
    db.session.commit()
    # The password-reset service queues a mail, then the view fails before committing.
    from confapp.accounts import views

    original = views.services.request_password_reset

    def request_then_fail(email):
        original(email)
        raise RuntimeError("simulated failure after the mail was queued")

    views.services.request_password_reset = request_then_fail
    try:
        response = client.post("/account/password-reset", data={"email": user.email})
    finally:
        views.services.request_password_reset = original
    assert response.status_code == 500
    db.session.commit()
    time.sleep(0.3)
    assert mail.messages == []


# --- the real consumer ---------------------------------------------------------------------------

@pytest.fixture
def sqlite_queue(tmp_path):
    """The test process enqueues into a real SqliteHuey file (not the inline mode)."""
    jobs.huey.immediate = False
    try:
        yield jobs.huey.storage.filename
    finally:
        jobs.huey.flush()
        jobs.huey.immediate = True


def _migrated_sqlite(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    env = dict(os.environ, DATABASE_URL=url, CONFAPP_INSTANCE=str(tmp_path / "instance"), FLASK_APP="wsgi.py")
    env.pop("HUEY_IMMEDIATE", None)
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=PROJECT_ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    return url


@pytest.mark.slow
def test_the_real_huey_consumer_delivers_queued_mail(db, mail, sqlite_queue, tmp_path):
    url = _migrated_sqlite(tmp_path)
    env = dict(os.environ, CONFAPP_INSTANCE=str(tmp_path / "instance"), DATABASE_URL=url,
               HUEY_SQLITE_FILE=sqlite_queue, MAIL_PORT=str(mail.port), MAIL_SERVER="127.0.0.1")
    env.pop("HUEY_IMMEDIATE", None)
    consumer_bin = os.path.join(os.path.dirname(sys.executable), "huey_consumer")
    log = open(tmp_path / "consumer.log", "w+")
    consumer = subprocess.Popen([consumer_bin, "confapp.worker.huey", "-w", "1", "-k", "thread", "-d", "0.1"],
                                cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _queue_reset_email("worker@example.org")
        db.session.commit()
        # Queued in the file, not run inline. (Other domains' consumer start-up jobs may share the queue.)
        assert [t.name for t in jobs.huey.pending()].count("deliver_email") == 1
        try:
            [message] = mail.wait_for(1, timeout=30)
        except AssertionError:
            log.seek(0)
            raise AssertionError("consumer did not deliver; its log:\n" + log.read())
        assert message.envelope_to == ["worker@example.org"]
        assert message.text and message.html
        assert "deliver_email" not in [t.name for t in jobs.huey.pending()]
    finally:
        consumer.terminate()
        consumer.wait(timeout=15)
        log.close()
    # The consumer logs no addresses (personal data).
    assert "worker@example.org" not in (tmp_path / "consumer.log").read_text()


# --- Redis ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def redis_server():
    port, directory = start_redis()
    yield f"redis://127.0.0.1:{port}/0"
    stop_redis(port, directory)


def test_redis_url_selects_redis_huey_and_rate_limit_storage(redis_server, monkeypatch):
    from huey import RedisHuey

    from confapp.config import Config

    monkeypatch.setenv("REDIS_URL", redis_server)
    monkeypatch.delenv("HUEY_IMMEDIATE", raising=False)
    queue = jobs.make_huey()
    assert isinstance(queue, RedisHuey)
    assert Config().RATELIMIT_STORAGE_URI == redis_server

    @queue.task()
    def add(a, b):
        return a + b

    queue.flush()
    result = add(2, 3)
    assert queue.pending_count() == 1  # stored in the real Redis server
    queue.execute(queue.dequeue())
    assert result.get() == 5
    queue.flush()


def test_without_redis_url_the_queue_is_a_sqlite_file(monkeypatch, tmp_path):
    from huey import SqliteHuey

    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("HUEY_IMMEDIATE", raising=False)
    monkeypatch.setenv("HUEY_SQLITE_FILE", str(tmp_path / "q.db"))
    queue = jobs.make_huey()
    assert isinstance(queue, SqliteHuey) and queue.storage.filename == str(tmp_path / "q.db")


def test_mail_waits_for_the_outer_commit_not_a_released_savepoint(db, mail):
    with db.session.begin_nested():
        _queue_reset_email("inner@example.org")
    time.sleep(0.2)
    assert mail.messages == []
    db.session.commit()
    assert [m.envelope_to for m in mail.wait_for(1)] == [["inner@example.org"]]
