"""The organiser's buttons on a message, a person's mail log and the reminder rules: each says what
happened, and a refusal shows the service's own words (a field message, not a generic one)."""
import io
from html import unescape

from sqlalchemy import select

from confapp.extensions import db as database
from confapp.outreach import reminders, services
from confapp.outreach.models import Delivery, Message, MessageStatus, ReminderRule
from confapp.outreach.services import MessageDraft
from confapp.types import utcnow
from tests.support.outreach import add_registration


def _post(client, url, data=None) -> str:
    return unescape(client.post(url, data=data or {}, follow_redirects=True).get_data(as_text=True))


def _draft(people, subject="Welcome") -> Message:
    message = services.create_message(people.event, MessageDraft(subject, "See you soon.", {"status": ["confirmed"]}),
                                      actor=people.organiser, now=utcnow())
    database.session.commit()
    return message


def test_schedule_unschedule_and_send_say_what_happened_or_why_not(organiser, people, mail):
    message = _draft(people)
    url = f"/manage/{people.event.slug}/emails/{message.id}"
    assert "Enter the date and time as YYYY-MM-DD HH:MM." in _post(organiser, url + "/schedule", {"when": "soon"})
    assert "Choose a time in the future." in _post(organiser, url + "/schedule", {"when": "2020-01-01 09:00"})
    assert "Scheduled." in _post(organiser, url + "/schedule", {"when": "2030-01-01 09:00"})
    assert database.session.get(Message, message.id).status == MessageStatus.SCHEDULED
    assert "Back to draft: it will not be sent until you send or schedule it again." in _post(organiser, url + "/unschedule")
    assert "Only a scheduled message can be put back to draft." in _post(organiser, url + "/unschedule")
    assert f"A test was sent to {people.organiser.email}." in _post(organiser, url + "/test")
    assert "Sending. This page shows the progress." in _post(organiser, url + "/send")
    assert len(mail.wait_for(6)) == 6  # the test and the five confirmed people
    assert "This message is already being sent or was sent." in _post(organiser, url + "/send")


def test_sending_to_newcomers_counts_them_or_says_nobody_is_new(organiser, people, mail):
    message = _draft(people)
    url = f"/manage/{people.event.slug}/emails/{message.id}"
    _post(organiser, url + "/send")
    mail.wait_for(5)
    assert "Nobody new: all 5 already have this email." in _post(organiser, url + "/newcomers")
    add_registration(people.event, "lee@example.org", "Lee", "Lin", category=people.general)
    database.session.commit()
    page = _post(organiser, url + "/newcomers")
    assert "Sending to the people who joined since." in page
    assert "1 new recipient; 5 already had it and were skipped." in page


def test_resending_one_delivery_returns_to_the_persons_mail_log(organiser, people, mail):
    message = _draft(people)
    _post(organiser, f"/manage/{people.event.slug}/emails/{message.id}/send")
    mail.wait_for(5)
    delivery = database.session.scalar(select(Delivery).where(Delivery.address == "ana@example.org"))
    response = organiser.post(f"/manage/{people.event.slug}/emails/deliveries/{delivery.id}/resend")
    assert response.headers["Location"] == f"/manage/{people.event.slug}/emails/people?address=ana@example.org"
    assert "Sent again." in unescape(organiser.get(response.headers["Location"]).get_data(as_text=True))


def test_a_new_message_whose_attachment_is_refused_is_not_saved(organiser, people):
    response = organiser.post(f"/manage/{people.event.slug}/emails/new", data={
        "subject": "Programme", "body": "Attached.", "match": "all", "action": "save",
        "attachment": (io.BytesIO(b""), "programme.pdf", "application/pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    page = unescape(response.get_data(as_text=True))
    assert "The file is empty." in page and "<h1>Write an email</h1>" in page
    assert database.session.scalar(select(Message.id)) is None


REMINDER = {"name": "Two days before", "offset_days": "-2", "anchor": "start", "at_time": "09:00",
            "subject": "See you", "body": "Doors open at 9.", "match": "all", "cond-0-choice": "status:confirmed"}


def test_a_refused_reminder_shows_the_message_on_the_form(organiser, people):
    response = organiser.post(f"/manage/{people.event.slug}/emails/reminders", data=dict(REMINDER, at_time="9am"))
    assert response.status_code == 200
    assert "Use a 24-hour time such as 09:00." in unescape(response.get_data(as_text=True))
    assert database.session.scalar(select(ReminderRule.id)) is None
    page = _post(organiser, f"/manage/{people.event.slug}/emails/reminders", REMINDER)
    assert "Reminder saved. It is sent once, when its time comes." in page


def test_deleting_a_reminder_unless_it_was_already_sent(organiser, people):
    data = reminders.ReminderData("Day before", "start", -1, "09:00", "Tomorrow", "See you.", {"all": True})
    kept = reminders.create_rule(people.event, data, actor=people.organiser, now=utcnow())
    fired = reminders.create_rule(people.event, data, actor=people.organiser, now=utcnow())
    fired.fired_at = utcnow()
    database.session.commit()
    base = f"/manage/{people.event.slug}/emails/reminders"
    assert "This reminder was already sent; it stays in the history." in _post(organiser, f"{base}/{fired.id}/delete")
    assert "Reminder deleted." in _post(organiser, f"{base}/{kept.id}/delete")
    assert database.session.scalars(select(ReminderRule.id)).all() == [fired.id]
