"""Through the organiser's pages: a merge template that would hang a worker is refused at once with
a clear message, in the composer and in the preview of a message saved before the limits."""
import time
from html import unescape

from sqlalchemy import select

from confapp.extensions import db as database
from confapp.outreach import services
from confapp.outreach.models import Message
from confapp.outreach.services import MessageDraft
from confapp.types import utcnow


def test_the_composer_refuses_a_huge_power_promptly(organiser, people):
    started = time.monotonic()
    response = organiser.post(f"/manage/{people.event.slug}/emails/new", data={
        "subject": "Numbers", "body": "Hello {{ first_name }}, {{ 9**9**9 }}", "match": "all", "action": "save"})
    assert time.monotonic() - started < 3
    assert response.status_code == 200
    page = unescape(response.get_data(as_text=True))
    assert "This message cannot be filled in: it would build a text, list or number far too large" in page
    assert database.session.scalar(select(Message.id)) is None


def test_the_preview_of_an_older_message_that_cannot_be_filled_in_says_why(organiser, people):
    message = services.create_message(people.event, MessageDraft("Hello", "Fine.", {"status": ["confirmed"]}),
                                      actor=people.organiser, now=utcnow())
    message.body = "{{ 'x' * 10**10 }}"  # saved before the composer checked for this
    database.session.commit()
    started = time.monotonic()
    response = organiser.get(f"/manage/{people.event.slug}/emails/{message.id}/preview")
    assert time.monotonic() - started < 3
    assert response.status_code == 200
    page = unescape(response.get_data(as_text=True))
    assert "This email cannot be shown" in page and "far too large for a message" in page
    assert "Edit the email" in page
