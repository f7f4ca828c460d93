"""Rendered Markdown is memoised by its source text: the same text is parsed and cleaned once,
a changed text is rendered anew, and very long texts are not kept."""
from __future__ import annotations

from confapp import text


def test_the_same_source_is_rendered_once_and_a_changed_one_anew():
    source = "Memo test: we meet **in person** at the [hall](https://example.org)."
    text._render_memoised.cache_clear()
    first = text.render_markdown(source)
    again = text.render_markdown(source)
    assert again == first and "<strong>in person</strong>" in first
    assert text._render_memoised.cache_info().hits == 1
    changed = text.render_markdown(source.replace("in person", "online"))
    assert "<strong>online</strong>" in changed and text._render_memoised.cache_info().misses == 2


def test_unsafe_html_is_still_cleaned_when_memoised():
    source = "<script>alert(1)</script> [x](javascript:alert(1))"
    assert text.render_markdown(source) == text.render_markdown(source)
    assert "<script>" not in text.render_markdown(source) and "href=\"javascript" not in text.render_markdown(source)


def test_very_long_sources_are_rendered_but_not_kept():
    text._render_memoised.cache_clear()
    long_source = "word " * (text._MEMO_MAX_SOURCE // 5 + 1)
    assert text.render_markdown(long_source).startswith("<p>word")
    assert text._render_memoised.cache_info().currsize == 0
