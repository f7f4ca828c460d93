"""Cookies sent over HTTPS are marked Secure, whatever the configuration says.

`SESSION_COOKIE_SECURE` is on in production only, so the embedded default served over HTTPS (a
reverse proxy in front of `make run`, say) sent its session, CSRF (kept in the session) and
remember-me cookies without `Secure`. This WSGI wrapper sits inside ProxyFix, so a request that
reached the proxy over HTTPS counts as secure when the proxy is trusted. Over plain HTTP nothing
changes: a browser would drop a Secure cookie there and nobody could log in.
"""
from __future__ import annotations

from typing import Callable, Iterable


def _with_secure(cookie: str) -> str:
    attributes = {part.strip().split("=", 1)[0].lower() for part in cookie.split(";")[1:]}
    return cookie if "secure" in attributes else f"{cookie}; Secure"


class SecureCookiesOverHttps:
    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def start(status: str, headers: list[tuple[str, str]], exc_info=None):
            headers = [(name, _with_secure(value) if name.lower() == "set-cookie" else value) for name, value in headers]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)
