"""The event's calendar file (the ticket page's event.ics, the confirmation's and the change
notice's attachment) keeps one UID and carries a SEQUENCE that grows with each change of the
event's time, so calendar apps take a new file as an update of the entry they hold. Moved
through the Details form, the service organisers use; the files parsed back with `icalendar`."""
from __future__ import annotations

from datetime import datetime, timezone

from icalendar import Calendar

from confapp.registration.links import ticket_token
from tests.factories import make_category, make_event, make_registration, make_user

FORM = {"title": "Human Rights Cities Summit", "timezone": "America/New_York", "series_id": "0"}


def _vevent(data: bytes):
    (vevent,) = Calendar.from_ical(data).walk("VEVENT")
    return vevent


def _setup(db, mail):
    organiser = make_user()
    event = make_event(organiser=organiser, title="Human Rights Cities Summit")
    rosa = make_registration(event, make_category(event), first_name="Rosa", email="rosa@example.org", send_email=False)
    db.session.commit()
    mail.clear()
    return organiser, event, f"/e/{event.slug}/ticket/{ticket_token(rosa)}/event.ics"


def _move(client, event, day: int, *, tell: bool = True):
    data = FORM | {"starts_at": f"2026-12-{day}T09:00", "ends_at": f"2026-12-{day}T17:00"}
    response = client.post(f"/manage/{event.slug}/edit", data=data | ({"notify_registered": "y"} if tell else {}))
    assert response.status_code == 302


def test_moving_the_event_keeps_the_uid_and_raises_the_sequence(client, db, mail, login_as):
    organiser, event, url = _setup(db, mail)
    login_as(organiser)
    before = _vevent(client.get(url).data)
    assert int(before["SEQUENCE"]) == 0 and before.decoded("DTSTAMP") and before.decoded("LAST-MODIFIED")
    _move(client, event, 12)
    after = _vevent(client.get(url).data)
    assert str(after["UID"]) == str(before["UID"]) == f"event-{event.id}@confapp"
    assert int(after["SEQUENCE"]) == 1
    # 9:00 in New York on 12 December 2026 (EST) is 14:00 UTC.
    assert after.decoded("DTSTART") == datetime(2026, 12, 12, 14, 0, tzinfo=timezone.utc)
    # The change notice's calendar file is that same update.
    (notice,) = mail.wait_for(1)
    (ics,) = [data for name, kind, data in notice.attachments() if name == "event.ics"]
    attached = _vevent(ics)
    assert str(attached["UID"]) == str(before["UID"]) and int(attached["SEQUENCE"]) == 1
    assert attached.decoded("DTSTART") == after.decoded("DTSTART")


def test_each_move_raises_it_again_and_other_edits_leave_it(client, db, mail, login_as):
    organiser, event, url = _setup(db, mail)
    login_as(organiser)
    _move(client, event, 12)
    _move(client, event, 12)  # saved again unchanged: not a change of time
    assert int(_vevent(client.get(url).data)["SEQUENCE"]) == 1
    _move(client, event, 13, tell=False)  # nobody mailed, but calendars that hold it must still update
    assert int(_vevent(client.get(url).data)["SEQUENCE"]) == 2
    _move(client, event, 14)
    vevent = _vevent(client.get(url).data)
    assert int(vevent["SEQUENCE"]) == 3
    assert vevent.decoded("DTSTART") == datetime(2026, 12, 14, 14, 0, tzinfo=timezone.utc)
    notices = mail.wait_for(2)
    assert sorted(int(_vevent(d)["SEQUENCE"]) for m in notices for n, _k, d in m.attachments() if n == "event.ics") == [1, 3]


def test_the_sequence_is_one_query(client, db, mail, login_as):
    from confapp.events.queries import event_sequence
    from tests.support.queries import count_queries

    organiser, event, _url = _setup(db, mail)
    login_as(organiser)
    _move(client, event, 12)
    _move(client, event, 13)
    db.session.expire_all()
    event = db.session.merge(event)
    event.id  # loaded outside the count
    with count_queries(db.engine) as counter:
        assert event_sequence(event) == 2
    assert counter.count == 1, counter.statements
