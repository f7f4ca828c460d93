"""Every cookie is Secure on a request that came over HTTPS (directly or through a trusted proxy),
also in the embedded default, and plain HTTP keeps working (a Secure cookie would be dropped)."""
import pytest

from tests.conftest import TEST_PASSWORD, make_app_for
from tests.factories import make_user


def _cookies(response) -> dict[str, str]:
    return {value.split("=", 1)[0]: value for value in response.headers.getlist("Set-Cookie")}


def _is_secure(cookie: str) -> bool:
    return "secure" in {part.strip().lower() for part in cookie.split(";")[1:]}


def test_over_https_the_session_and_remember_cookies_are_secure(app, client, db):
    assert not app.config["SESSION_COOKIE_SECURE"]  # the embedded default
    user = make_user()
    db.session.commit()
    response = client.post("/account/login", base_url="https://confapp.example",
                           data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    cookies = _cookies(response)
    assert response.status_code == 302 and {"session", "remember_token"} <= cookies.keys()
    assert all(_is_secure(c) for c in cookies.values()), cookies
    assert all("HttpOnly" in c and "SameSite=Lax" in c for c in cookies.values())
    assert client.get("/manage/", base_url="https://confapp.example").status_code == 200


def test_over_plain_http_cookies_stay_usable_and_login_works(client, db):
    user = make_user()
    db.session.commit()
    response = client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    cookies = _cookies(response)
    assert response.status_code == 302 and {"session", "remember_token"} <= cookies.keys()
    assert not any(_is_secure(c) for c in cookies.values())
    assert client.get("/manage/").status_code == 200


@pytest.fixture
def proxied_app(tmp_path, smtp_server):
    # A form page stores its CSRF token in the session, so it sets the session cookie by itself.
    return make_app_for(f"sqlite:///{tmp_path / 'proxied.db'}", smtp_server, PROXY_FIX_HOPS=1, WTF_CSRF_ENABLED=True)


@pytest.mark.parametrize("proto, secure", [("https", True), ("http", False)])
def test_behind_a_trusted_proxy_the_forwarded_scheme_decides(proxied_app, proto, secure):
    response = proxied_app.test_client().get("/account/login", headers={"X-Forwarded-Proto": proto})
    session = _cookies(response)["session"]
    assert _is_secure(session) is secure


def test_a_cookie_already_secure_is_left_alone():
    from confapp.cookies import _with_secure

    assert _with_secure("a=1; Path=/; Secure; HttpOnly") == "a=1; Path=/; Secure; HttpOnly"
    assert _with_secure("a=secure; Path=/") == "a=secure; Path=/; Secure"
