"""Clients for the multi-host tests: a visitor filling in the public registration form, a desk."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import requests


class _Inputs(HTMLParser):
    """The named inputs of a page's forms (hidden and visible), as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"__action__": attrs.get("action") or "", "__method__": (attrs.get("method") or "get").lower()})
        elif tag == "input" and self.forms and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.forms[-1].setdefault(attrs["name"], attrs.get("value") or "")


def form_fields(page: str, containing: str) -> dict[str, str]:
    """The inputs of the first POST form with a field named `containing`."""
    parser = _Inputs()
    parser.feed(page)
    for form in parser.forms:
        if form["__method__"] == "post" and containing in form:
            return {k: v for k, v in form.items() if not k.startswith("__")}
    raise AssertionError(f"no form with {containing!r} on the page:\n{page[:3000]}")


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert match, page[:2000]
    return html.unescape(match.group(1))


def new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = "confapp-multihost-test"
    return session
