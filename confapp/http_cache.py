"""Validators and conditional GETs for the public pages everyone sees alike (event page, event
list, agenda).

The ETag is a digest of what the page shows, taken from the rows the view loads anyway, before
any template runs: a matching If-None-Match is answered 304 without rendering. Hashing the
content (not an updated_at column) means no write can be missed: rooms, tracks, organisations
and series have no updated_at, and some facts on a page change with the clock alone
("registration opens on ..."), so the view passes those computed facts in too. The code's own
release (package version and a digest of the templates and modules) is part of every tag, so
a deploy that changes how a page looks never answers 304 to an old copy.

No Last-Modified: the newest updated_at of the rows would miss the changes above, and a client
sending If-Modified-Since would be told "not modified" wrongly.

The same digest keys a small per-process cache of rendered pages (RenderedPages): a visitor
without a session whose page has the tag of one already rendered at that address gets those
bytes without the template running. It can never serve a stale page for the reason a 304 never
does: any change to what the page shows changes the key. Pages naming a visitor (signed in, a
flash, their CSRF token) are never put in it.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flask import Response, current_app, make_response, request, session
from flask_login import current_user
from sqlalchemy import inspect

from .config import PROJECT_ROOT
from .security import PRIVATE_CACHE_CONTROL

# Anyone (a reverse proxy too) may keep the page but must ask again before every use: a
# freshness lifetime, even a few seconds of s-maxage, would let a visitor see a page an organiser
# has just changed. Revalidation is cheap: a matching tag is answered 304 before rendering.
PUBLIC_CACHE_CONTROL = "public, max-age=0, must-revalidate"
# A visitor with a session may be shown their own CSRF token (a form on the page): the tag covers
# it, so a visitor whose session changed never gets a 304 for a page carrying the old token, and
# only their browser may keep the page (revalidating each time), never a shared cache.
PER_VISITOR_CACHE_CONTROL = "private, no-cache"
SIGNED_IN_CACHE_CONTROL = PER_VISITOR_CACHE_CONTROL


@cache
def release() -> str:
    """The running code's identity: version plus a digest of the templates, modules and translations."""
    try:
        name = version("confapp")
    except PackageNotFoundError:  # pragma: no cover - run from a plain checkout
        name = "dev"
    digest = hashlib.blake2b(digest_size=8)
    package = Path(__file__).parent
    for folder, pattern in ((PROJECT_ROOT / "templates", "*.html"), (package, "*.py"), (package, "*.po")):
        for path in sorted(folder.rglob(pattern)):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return f"{name}-{digest.hexdigest()}"


_COLUMN_KEYS: dict[type, tuple[str, ...]] = {}


def row_state(obj) -> tuple:
    """The loaded column values of a mapped object (None for none), without loading any more:
    a deferred column the page does not show stays unloaded (read as None, the same every time)."""
    if obj is None:
        return ()
    cls = type(obj)
    keys = _COLUMN_KEYS.get(cls)
    if keys is None:
        keys = _COLUMN_KEYS[cls] = tuple(attr.key for attr in inspect(cls).column_attrs)
    loaded = obj.__dict__
    return tuple([loaded.get(key) for key in keys])


def rows_state(objects: Iterable) -> tuple:
    return tuple(row_state(obj) for obj in objects)


def weak_etag(parts) -> str:
    return hashlib.blake2b(repr((release(), response_language(), parts)).encode(), digest_size=16).hexdigest()


def response_language() -> str:
    """The language the page is answered in, when the app speaks more than one (Flask-Babel)."""
    if "babel" not in current_app.extensions:
        return ""
    from flask_babel import get_locale

    return str(get_locale() or "")


def shared_page(state: Callable[[], object], render: Callable[[], object]) -> Response:
    """The response for a page everyone sees alike: `state()` returns what the page shows (plain
    values and row_state tuples), `render()` the page. Anonymous visitors get a weak ETag and a
    304 when theirs matches; a signed-in user's page (it names them) is private, without a tag."""
    flashes = bool(session.get("_flashes"))
    if current_user.is_authenticated or flashes:
        response = make_response(render())
        # A flash is shown once; a signed-in user's page names them: never in a shared cache,
        # and (no tag) always fetched anew. Public pages stay storable in the user's own browser.
        response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL if flashes else SIGNED_IN_CACHE_CONTROL
        response.vary.add("Cookie")
        return response
    shown = weak_etag(state())
    token_before = _session_token()
    if request.if_none_match.contains_weak(_with_token(shown, token_before)):
        response = Response(status=304)
    elif token_before is None:
        response = _render_shared(shown, render)
    else:
        response = make_response(render())
    # After rendering: the page may have created the visitor's CSRF token (a form on it).
    token = _session_token()
    response.set_etag(_with_token(shown, token), weak=True)
    response.headers["Cache-Control"] = PUBLIC_CACHE_CONTROL if token is None else PER_VISITOR_CACHE_CONTROL
    # Signing in (and a chosen language, a cookie too) changes the page; so may the browser's language.
    response.vary.add("Cookie")
    if "babel" in current_app.extensions:
        response.vary.add("Accept-Language")
    return response


class RenderedPages:
    """A least-recently-used map from (address, tag) to a rendered page, per process, bounded in
    total characters (8 M by default: the demo's pages are 3-60 K each). Rendering is four tenths
    of the event page's time; the rows behind its tag are still read on every request, so the
    cache holds no state of its own that a write could leave behind."""

    def __init__(self, size: int = 8 * 1024 * 1024, largest: int = 512 * 1024):
        self.size, self.largest = size, largest
        self._pages: OrderedDict[tuple, str] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: str) -> None:
        if len(page) > self.largest:
            return
        with self._lock:
            previous = self._pages.pop(key, None)
            self._held += len(page) - (len(previous) if previous is not None else 0)
            self._pages[key] = page
            while self._held > self.size:
                _, dropped = self._pages.popitem(last=False)
                self._held -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._held = 0


def rendered_pages() -> RenderedPages:
    """This app's cache: apps built with other settings (tests build many) never share pages."""
    pages = current_app.extensions.get("rendered_pages")
    if pages is None:
        pages = current_app.extensions.setdefault("rendered_pages", RenderedPages())
    return pages


def _render_shared(shown: str, render: Callable[[], object]) -> Response:
    """The page for a visitor without a session token: from the cache when this address has been
    rendered with this tag, else rendered (and kept, unless rendering gave the visitor a token,
    i.e. the page carries a form with their CSRF token)."""
    key = (request.host, request.full_path, shown)
    pages = rendered_pages()
    page = pages.get(key)
    if page is not None:
        return make_response(page)
    body = render()
    response = make_response(body)
    if isinstance(body, str) and response.status_code == 200 and _session_token() is None \
            and not session.get("_flashes"):
        pages.put(key, body)
    return response


def _session_token() -> str | None:
    return session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))


def _with_token(shown: str, token: str | None) -> str:
    if token is None:
        return shown
    return hashlib.blake2b(f"{shown}:{token}".encode(), digest_size=16).hexdigest()
