"""Security baseline: headers, CSRF, login rate limiting, secrets, error pages, no personal data in logs."""
from __future__ import annotations

import importlib.util
import json
import logging
import os
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from confapp.extensions import limiter
from tests.conftest import TEST_PASSWORD, login, make_app_for
from tests.factories import make_event, make_user

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.parametrize("path, kind", [("/", "text/html"), ("/account/login", "text/html"),
                                        ("/api/v1/nothing-here", "application/problem+json"), ("/e/no-such-event/", "text/html")])
def test_security_headers_on_html_and_json_responses(client, path, kind):
    response = client.get(path)
    assert response.mimetype == kind
    csp = _csp(response)
    assert csp["script-src"] == "script-src 'self'"  # no inline script, no eval
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_carry_no_inline_script(client, db):
    event = make_event()
    for path in ("/", f"/e/{event.slug}/", "/account/login", "/account/signup"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html and "javascript:" not in html
        for tag in html.split("<script")[1:]:
            assert " src=" in tag.split(">")[0], f"inline script on {path}"


def test_session_cookie_is_http_only_and_same_site(client, db):
    user = make_user()
    response = client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure_and_hsts_is_sent(monkeypatch):
    from confapp.config import config_from_environment

    monkeypatch.setenv("CONFAPP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")
    config = config_from_environment()
    assert config.SESSION_COOKIE_SECURE and config.REMEMBER_COOKIE_SECURE


# --- CSRF ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def csrf_app(app, smtp_server):
    return make_app_for(app.config["SQLALCHEMY_DATABASE_URI"], smtp_server, WTF_CSRF_ENABLED=True)


def test_a_post_without_csrf_token_is_refused_with_a_friendly_page(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/account/login", data={"email": "a@example.org", "password": "whatever-password"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Your form expired" in body and "<h1>" in body
    assert "CSRF" not in body and "Traceback" not in body
    as_json = client.post("/account/signup", data={"name": "x"}, headers={"Accept": "application/json"})
    assert as_json.status_code == 400 and as_json.json["error"]["code"] == "bad_request"


def test_a_post_with_the_page_token_is_accepted(csrf_app):
    import re

    client = csrf_app.test_client()
    page = client.get("/account/password-reset").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/account/password-reset", data={"csrf_token": token, "email": "nobody@example.org"})
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)


def test_forms_in_pages_carry_a_csrf_token(app, client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser)
    login_as(organiser)
    for path in (f"/manage/{event.slug}/", f"/manage/{event.slug}/team", f"/manage/{event.slug}/edit",
                 f"/manage/{event.slug}/copy", "/manage/events/new", "/manage/"):
        app.config["WTF_CSRF_ENABLED"] = True  # render the tokens as in production (GET only)
        try:
            html = client.get(path).get_data(as_text=True)
        finally:
            app.config["WTF_CSRF_ENABLED"] = False
        for form in html.split("<form")[1:]:
            body = form.split("</form>")[0]
            if 'method="post"' in body.split(">")[0]:
                assert "csrf_token" in body, f"a POST form without CSRF token on {path}"


# --- rate limiting ------------------------------------------------------------------------------

@pytest.fixture
def rate_limited():
    limiter.enabled = True
    limiter.reset()
    try:
        yield
    finally:
        limiter.reset()
        limiter.enabled = False


def test_the_eleventh_login_attempt_in_a_minute_is_refused(client, db, rate_limited):
    user = make_user()
    for _ in range(10):
        assert client.post("/account/login", data={"email": user.email, "password": "wrong-password!"}).status_code == 200
    response = client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts. Please wait a minute and try again." in response.get_data(as_text=True)
    assert response.headers.get("Retry-After")
    # Reading the login page stays possible; only attempts are limited.
    assert client.get("/account/login").status_code == 200
    as_json = client.post("/account/login", data={}, headers={"Accept": "application/json"})
    assert as_json.status_code == 429 and "Too many attempts" in as_json.json["error"]["message"]


# --- secrets ------------------------------------------------------------------------------------

def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    from confapp import create_app
    from confapp.config import config_from_environment

    monkeypatch.setenv("CONFAPP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config_from_environment()
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_embedded_mode_generates_and_keeps_a_secret_key_in_the_instance_folder(monkeypatch, tmp_path):
    from confapp.config import config_from_environment

    monkeypatch.delenv("CONFAPP_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("CONFAPP_INSTANCE", str(tmp_path / "instance"))
    first = config_from_environment().SECRET_KEY
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == first and len(first) >= 64
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert config_from_environment().SECRET_KEY == first  # the same after a restart


def test_an_environment_secret_key_wins(monkeypatch, tmp_path):
    from confapp.config import config_from_environment

    monkeypatch.setenv("CONFAPP_INSTANCE", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert config_from_environment().SECRET_KEY == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


# --- error pages --------------------------------------------------------------------------------

@pytest.fixture
def failing_view():
    """Make the password-reset view fail with an unexpected error (a stand-in for any bug)."""
    from confapp.accounts import views

    original = views.services.request_password_reset

    def explode(email):
        raise RuntimeError("secret internals: /srv/confapp/db password=hunter2")

    views.services.request_password_reset = explode
    yield
    views.services.request_password_reset = original


def _no_internals(body: str) -> None:
    for leak in ("Traceback", "RuntimeError", "hunter2", "secret internals", 'File "'):
        assert leak not in body


def test_unexpected_errors_show_a_friendly_500_page(client, db, failing_view):
    response = client.post("/account/password-reset", data={"email": "x@example.org"})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "Go to the list of events" in body
    _no_internals(body)


def test_unexpected_errors_answer_json_to_json_clients(client, db, failing_view):
    response = client.post("/account/password-reset", data={"email": "x@example.org"}, headers={"Accept": "application/json"})
    assert response.status_code == 500 and response.is_json
    assert response.json["error"]["code"] == "internal_error"
    _no_internals(response.get_data(as_text=True))


def test_404_and_403_pages_are_friendly_html(client, db, login_as):
    response = client.get("/e/no-such-event/")
    assert response.status_code == 404 and "text/html" in response.content_type
    body = response.get_data(as_text=True)
    assert "<h1>" in body and "Go to the list of events" in body
    _no_internals(body)

    event = make_event()
    login_as(make_user())
    response = client.get(f"/manage/{event.slug}/edit")
    assert response.status_code == 403 and "text/html" in response.content_type
    _no_internals(response.get_data(as_text=True))


def test_api_and_json_clients_get_json_errors(client, db, login_as):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.is_json
    assert response.mimetype == "application/problem+json"
    assert response.json == {"type": "about:blank", "title": "Not Found", "status": 404, "code": "not_found",
                             "detail": response.json["detail"]}
    assert client.get("/e/no-such-event/", headers={"Accept": "application/json"}).is_json
    event = make_event()
    login_as(make_user())
    forbidden = client.get(f"/manage/{event.slug}/edit", headers={"Accept": "application/json"})
    assert forbidden.status_code == 403 and forbidden.json["error"]["code"] == "forbidden"
    # A browser's usual Accept header still gets HTML.
    html = client.get("/e/no-such-event/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.mimetype == "text/html"


def test_domain_errors_answer_json_with_their_code(app):
    from confapp.errors import SoldOut, ValidationFailed

    handler = app.error_handler_spec[None][None]
    with app.test_request_context("/api/v1/x"):
        from confapp.errors import DomainError

        response = app.handle_user_exception(ValidationFailed({"email": "Give an email."}))
        assert response.status_code == 422
        assert response.json == {"type": "urn:confapp:problem:validation_failed", "title": "Unprocessable Entity",
                                 "status": 422, "code": "validation_failed", "detail": "Some fields need attention.",
                                 "errors": {"email": "Give an email."}}
        assert app.handle_user_exception(SoldOut()).json["code"] == "sold_out"
    assert DomainError in handler


# --- logs ---------------------------------------------------------------------------------------

class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        if record.name.startswith("mail.log"):  # the test SMTP server's own log, not the app's
            return
        self.lines.append(self.format(record))


def test_no_personal_data_in_the_logs(client, db, mail, failing_view):
    collector = _Collect()
    collector.setFormatter(logging.Formatter("%(name)s %(message)s %(exc_text)s"))
    root = logging.getLogger()
    root.addHandler(collector)
    level, root.level = root.level, logging.INFO  # the level production runs at
    try:
        client.post("/account/signup", data={"name": "Private Person", "email": "private.person@example.org",
                                             "password": "private-password-123"})
        client.post("/account/logout")
        client.post("/account/login", data={"email": "private.person@example.org", "password": "wrong-password!"})
        client.post("/account/login", data={"email": "private.person@example.org", "password": "private-password-123"})
        client.post("/account/logout")
        client.post("/account/password-reset", data={"email": "private.person@example.org"})  # fails: failing_view
    finally:
        root.removeHandler(collector)
        root.level = level
    text = "\n".join(collector.lines)
    assert "Unhandled RuntimeError" in text  # the failure itself is logged for operators
    for secret in ("private.person@example.org", "Private Person", "private-password-123"):
        assert secret not in text


def test_job_logs_count_recipients_without_addresses(db, mail):
    from confapp.mail import queue_email

    collector = _Collect()
    root = logging.getLogger()
    root.addHandler(collector)
    level, root.level = root.level, logging.INFO
    try:
        queue_email("someone.private@example.org", "Hello", "password_reset", user=SimpleNamespace(name="Someone Private"),
                    link="http://x/")
        db.session.commit()
        mail.wait_for(1)
    finally:
        root.removeHandler(collector)
        root.level = level
    text = "\n".join(collector.lines)
    assert "sent email to 1 recipient(s)" in text
    assert "someone.private" not in text and "Someone Private" not in text


def _gunicorn_conf():
    spec = importlib.util.spec_from_file_location("confapp_gunicorn_conf", PROJECT_ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_access_log_drops_query_strings_tokens_and_addresses():
    from gunicorn.config import Config

    conf = _gunicorn_conf()
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", conf.access_log_format)
    logger = conf.RedactingLogger(cfg)
    collector = _Collect()
    logger.access_log.addHandler(collector)
    logger.access_log.propagate = False

    def log_line(path: str, query: str = "") -> str:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "RAW_URI": f"{path}?{query}",
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.7", "HTTP_REFERER": "https://x/?email=a@b.org"}
        resp = SimpleNamespace(status="200 OK", headers=[], sent=1234, response_length=1234)
        req = SimpleNamespace(headers=[("REFERER", "https://x/?email=a@b.org")])
        collector.lines.clear()
        logger.access(resp, req, environ, timedelta(milliseconds=12))
        return collector.lines[-1]

    line = log_line("/manage/phrge-institute-2016/registrations", "q=ana.ruiz%40example.org&name=Ana")
    assert line.startswith('"GET /manage/phrge-institute-2016/registrations" 200 1234 12ms')
    assert "ana.ruiz" not in line and "Ana" not in line and "?" not in line and "203.0.113.7" not in line

    token = "InV1aWQiOjEyfQ.Zk3a9Q.Xp2kLmN0qRsT4uVwXyZ-ab_cd"
    line = log_line(f"/account/password-reset/{token}")
    assert token not in line and "/account/password-reset/[redacted]" in line
    assert "0123456789abcdef0123456789abcdef" not in log_line("/v/0123456789abcdef0123456789abcdef/scan")
    assert "ana@example.org" not in log_line("/manage/x/people/ana@example.org")


def test_behind_a_trusted_proxy_rate_limits_apply_per_client(app, smtp_server, rate_limited):
    proxied = make_app_for(app.config["SQLALCHEMY_DATABASE_URI"], smtp_server, PROXY_FIX_HOPS=1)
    limiter.enabled = True  # building an app applies its config; switch limiting back on
    client = proxied.test_client()
    data = {"email": "nobody@example.org", "password": "wrong-password!"}
    for _ in range(10):
        assert client.post("/account/login", data=data, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    assert client.post("/account/login", data=data, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429
    # Another visitor behind the same proxy is not locked out by the first one.
    assert client.post("/account/login", data=data, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 200


def test_without_proxy_fix_forwarded_headers_are_ignored(client, db, rate_limited):
    data = {"email": "nobody@example.org", "password": "wrong-password!"}
    for n in range(10):
        client.post("/account/login", data=data, headers={"X-Forwarded-For": f"198.51.100.{n}"})
    # Spoofed X-Forwarded-For values do not escape the limit.
    assert client.post("/account/login", data=data, headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429


def test_workers_starting_together_agree_on_the_generated_secret_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from confapp.config import _persisted_secret_key

    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: _persisted_secret_key(tmp_path), range(32)))
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_an_expired_form_says_so_and_offers_to_open_it_again(csrf_app):
    response = csrf_app.test_client().post("/account/login", data={"email": "a@example.org", "password": "x"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<h1>This form has expired</h1>" in body and "<title>This form has expired" in body
    assert 'href="/account/login">Open the form again</a>' in body
