"""Absolute URLs for links that leave the site (emails, calendar feeds, PDFs).

Built from BASE_URL so that background jobs, which have no request, produce the same
links as a page would. Services call this instead of `url_for`.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site (never another host, "//host" or a backslash trick), else None."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and not urlsplit(target).netloc:
        return target
    return None
