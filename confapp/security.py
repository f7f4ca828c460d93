"""Security headers for every response."""
from __future__ import annotations

from flask import Flask, Response, request

# No inline script anywhere: every script is a file under /static/js.
# Stripe Checkout is a redirect target after a form POST, which form-action governs in Chromium.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self' https://checkout.stripe.com",
        "frame-ancestors 'none'",
    ]
)


# Pages that are someone's own or the team's: organiser and desk pages, account pages, and every
# address that carries a signed personal link (ticket, order, pay, receipt, agenda, survey...).
# Decided from the matched URL rule, so a new route under these shapes is covered without a list.
PRIVATE_CACHE_CONTROL = "private, no-store"
_STAFF_PREFIXES = ("/manage/", "/checkin/", "/account/", "/api/")


def is_private_page() -> bool:
    rule = request.url_rule
    if rule is None:
        return False
    return rule.rule.startswith(_STAFF_PREFIXES) or "token" in rule.arguments


def _cache_control(response: Response) -> None:
    # A view may choose no-store or a still-private policy itself (a calendar feed's short
    # private cache); anything shared or unset on these pages becomes private, no-store.
    chosen = response.headers.get("Cache-Control", "")
    if is_private_page() and "private" not in chosen and "no-store" not in chosen:
        response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        _cache_control(response)
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # Self-service and volunteer links carry tokens in their paths: never leak them to other sites.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
