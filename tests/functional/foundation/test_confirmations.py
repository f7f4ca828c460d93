"""Actions that hide or remove something people rely on ask first (app.js reads data-confirm)."""
from __future__ import annotations

import re

from tests.factories import make_event, make_user


def _form_for(html: str, action_path: str) -> str:
    match = re.search(r'<form[^>]*action="[^"]*' + re.escape(action_path) + r'"[^>]*>', html)
    assert match, f"no form posting to {action_path}"
    return match.group(0)


def test_returning_a_published_event_to_draft_asks_first_and_says_what_it_hides(client, db, login_as):
    organiser = make_user()
    event = make_event(organiser=organiser)
    login_as(organiser)
    html = client.get(f"/manage/{event.slug}/").get_data(as_text=True)
    unpublish = _form_for(html, f"/manage/{event.slug}/unpublish")
    assert 'data-confirm="Return this event to draft?' in unpublish
    assert "registration are hidden" in unpublish
    assert "data-confirm" in _form_for(html, f"/manage/{event.slug}/archive")
