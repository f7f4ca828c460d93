"""Join details in the reminder emails (issue 15), over the real SMTP test server: an online
attendee's reminder carries their personal join link, the dial-in numbers and access code once
the reveal time has passed at send time, and before it only when the link will appear on the
ticket page; an in-person attendee's reminder has none of it unless the organiser allows the
stream, and never the meeting URL itself."""
from __future__ import annotations

from datetime import timedelta

from confapp.online.access import join_token
from tests.factories import make_registration
from tests.support.clock import TEST_NOW

from .conftest import ACCESS_CODE, MEETING_URL

SECRETS = (MEETING_URL, MEETING_URL.split("?")[0], ACCESS_CODE, "q8ZsecretX")


def send_reminder(db, hybrid, mail, count: int):
    """A "day of the start" reminder to everyone, fired and delivered now (the app's clock)."""
    from confapp.outreach import reminders

    rule = reminders.create_rule(hybrid.event, reminders.ReminderData(
        "On the day", "start", 0, "", "Today: {{ event_title }}", "Hello {{ first_name }}, see you soon.",
        {"all": True}), actor=hybrid.organiser, now=TEST_NOW)
    db.session.commit()
    fired = reminders.fire_due_rules(now=hybrid.event.starts_at)
    assert [m.reminder_rule_id for m in fired] == [rule.id]
    db.session.commit()
    return {m.envelope_to[0]: m for m in mail.wait_for(count)}


def _body(received) -> str:
    return received.text + received.html


def test_an_online_attendees_reminder_has_their_join_link_after_the_reveal(db, hybrid, mail):
    mail.clear()
    online = make_registration(hybrid.event, hybrid.online, email="online@example.org", send_email=False)
    in_person = make_registration(hybrid.event, hybrid.in_person, email="hall@example.org", send_email=False)
    got = send_reminder(db, hybrid, mail, 2)
    mine = got["online@example.org"]
    link = f"/j/{join_token(online, hybrid.soon.id, generation=0)}"
    assert link in mine.text and link in mine.html
    assert ACCESS_CODE in mine.text and "+1 646 555 0100 (New York)" in mine.text and "Captions are on." in mine.text
    # The session two days away is not revealed yet: when, and where, it will appear.
    assert f"/j/{join_token(online, hybrid.later.id, generation=0)}" not in _body(mine)
    assert "Your join link will appear on your ticket page at" in mine.text
    # Never the meeting address itself: only the personal link, which counts the attendance.
    assert MEETING_URL not in _body(mine) and MEETING_URL.split("?")[0] not in _body(mine)
    # The in-person attendee's reminder: the same message, nothing of the join details.
    theirs = got["hall@example.org"]
    assert "Hello" in theirs.text and "Join online" not in _body(theirs) and "/j/" not in _body(theirs)
    for secret in SECRETS:
        assert secret not in theirs.message.as_string()
    assert join_token(in_person, hybrid.soon.id, generation=0) not in theirs.message.as_string()


def test_before_the_reveal_time_the_reminder_says_when_the_link_appears(db, hybrid, mail, clock_at):
    mail.clear()
    online = make_registration(hybrid.event, hybrid.online, email="early@example.org", send_email=False)
    clock_at(TEST_NOW - timedelta(hours=1))
    mine = send_reminder(db, hybrid, mail, 1)["early@example.org"]
    assert "/j/" not in _body(mine)
    for secret in SECRETS:
        assert secret not in mine.message.as_string()
    assert mine.text.count("Your join link will appear on your ticket page at") == 2
    assert join_token(online, hybrid.soon.id, generation=0) not in mine.message.as_string()


def test_in_person_attendees_get_the_link_when_the_organiser_allows_the_stream(db, hybrid, mail):
    mail.clear()
    hybrid.details.in_person_may_join = True
    db.session.commit()
    in_person = make_registration(hybrid.event, hybrid.in_person, email="hall2@example.org", send_email=False)
    mine = send_reminder(db, hybrid, mail, 1)["hall2@example.org"]
    assert f"/j/{join_token(in_person, hybrid.soon.id, generation=0)}" in mine.text and ACCESS_CODE in mine.text


def test_a_revoked_attendee_gets_the_new_link_and_an_unconfirmed_one_none(db, hybrid, mail, now):
    from confapp.online import services

    mail.clear()
    revoked = make_registration(hybrid.event, hybrid.online, email="revoked@example.org", send_email=False)
    services.revoke_join_links(revoked, actor=hybrid.organiser, now=now)
    make_registration(hybrid.event, hybrid.online, email="pending@example.org", send_email=False, status="pending_approval")
    db.session.commit()
    got = send_reminder(db, hybrid, mail, 1)  # the segment "everyone" is the confirmed
    mine = got["revoked@example.org"].text
    assert f"/j/{join_token(revoked, hybrid.soon.id, generation=1)}" in mine
    assert f"/j/{join_token(revoked, hybrid.soon.id, generation=0)}" not in mine
    for received in mail.messages:
        if "pending@example.org" in received.envelope_to:
            assert ACCESS_CODE not in received.message.as_string()
