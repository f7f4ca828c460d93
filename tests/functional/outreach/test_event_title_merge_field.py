"""`{{ event_title }}` in an announcement or a reminder is the event's title in the reader's
language (issue 13), as the subject lines of the automatic emails already are."""
from __future__ import annotations

from confapp.i18n import in_language
from confapp.outreach import merge


def test_the_event_title_merge_field_follows_the_readers_language(app, db, people):
    event = people.event
    event.languages = ["en", "es"]
    event.translations = {"es": {"title": "Encuentro de personas conocidas"}}
    db.session.commit()
    with app.app_context():
        with in_language("es"):
            assert merge.event_context(event)["event_title"] == "Encuentro de personas conocidas"
        with in_language("en"):
            assert merge.event_context(event)["event_title"] == "Known People Convening"
        event.languages = ["en"]  # Spanish dropped: its stale title is not used
        with in_language("es"):
            assert merge.event_context(event)["event_title"] == "Known People Convening"
