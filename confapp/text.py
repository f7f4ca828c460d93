"""Markdown rendering with sanitising, and small text helpers."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True}).enable("table")

_ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td",
}


# Rendered HTML is a pure function of the source text, so a cache keyed by the text itself is
# never stale and safe on every host. Bounded in entries and in the size of what it keeps.
_MEMO_ENTRIES = 256
_MEMO_MAX_SOURCE = 32_000


def render_markdown(source: str | None) -> Markup:
    """Markdown to safe HTML: raw HTML is escaped by the parser and nh3 strips anything left."""
    if not source:
        return Markup("")
    if len(source) <= _MEMO_MAX_SOURCE:
        return _render_memoised(source)
    return _render(source)


@lru_cache(maxsize=_MEMO_ENTRIES)
def _render_memoised(source: str) -> Markup:
    return _render(source)


def _render(source: str) -> Markup:
    html = _markdown.render(source)
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)


def markdown_to_text(source: str | None) -> str:
    """A plain-text rendering for email text parts: Markdown is already readable as text."""
    return (source or "").strip()


def without_accents(text: str) -> str:
    """`text` with its combining accents taken off ("Perú" -> "Peru"): for searching and sorting."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def slugify(value: str, max_length: int = 80) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^a-zA-Z0-9]+", "-", value).strip("-").lower()
    return value[:max_length].strip("-") or "event"
