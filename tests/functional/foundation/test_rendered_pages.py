"""Shared pages (event page, event list, agenda) are rendered once per address and content tag
for visitors without a session (confapp.http_cache.RenderedPages), and rendered anew whenever
what they show changes, when a visitor has a session, or at another address."""
from __future__ import annotations

import pytest
from flask import template_rendered

from confapp.http_cache import RenderedPages
from tests.factories import make_event, make_user
from tests.functional.foundation.test_public_page_validators import edit


@pytest.fixture
def renders(app):
    rendered: list[str] = []

    def count(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(count, app)
    yield rendered
    template_rendered.disconnect(count, app)


@pytest.fixture
def event(db):
    event = make_event(title="Global Justice Goes Local", organisers=("PHRGE",))
    db.session.commit()
    return event


def page_renders(renders) -> int:
    return renders.count("events/public_page.html")


def test_the_same_page_for_the_same_content_is_rendered_once(app, event, renders):
    first = app.test_client().get(f"/e/{event.slug}/")
    second = app.test_client().get(f"/e/{event.slug}/")
    assert first.status_code == second.status_code == 200
    assert second.data == first.data and page_renders(renders) == 1
    assert second.headers["ETag"] == first.headers["ETag"]


def test_a_change_renders_the_page_again_at_once(app, event, renders):
    app.test_client().get(f"/e/{event.slug}/")
    edit(event, title="Human Rights at Home")
    page = app.test_client().get(f"/e/{event.slug}/").get_data(as_text=True)
    assert "Human Rights at Home" in page and "Global Justice Goes Local" not in page
    assert page_renders(renders) == 2


def test_another_address_or_language_is_its_own_page(app, event, renders):
    app.test_client().get(f"/e/{event.slug}/")
    app.test_client().get(f"/e/{event.slug}/?from=newsletter")
    app.test_client().get(f"/e/{event.slug}/", headers={"Accept-Language": "es"})
    assert page_renders(renders) == 3


def test_a_signed_in_visitor_is_always_rendered_for(app, client, event, renders, login_as):
    app.test_client().get(f"/e/{event.slug}/")
    login_as(make_user())
    client.get(f"/e/{event.slug}/")
    client.get(f"/e/{event.slug}/")
    assert page_renders(renders) == 3


def test_the_cache_keeps_the_most_recent_pages_within_its_size():
    pages = RenderedPages(size=20, largest=10)
    pages.put(("a",), "1" * 10)
    pages.put(("b",), "2" * 10)
    pages.get(("a",))
    pages.put(("c",), "3" * 10)  # 30 characters held: the least recently used goes
    pages.put(("d",), "x" * 11)  # larger than one page may be: never kept
    assert pages.get(("a",)) == "1" * 10 and pages.get(("c",)) == "3" * 10
    assert pages.get(("b",)) is None and pages.get(("d",)) is None
    pages.put(("a",), "1")  # replacing a page counts its new size only
    pages.put(("e",), "5" * 9)
    assert pages.get(("c",)) == "3" * 10 and pages.get(("e",)) == "5" * 9
