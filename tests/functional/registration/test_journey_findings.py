"""Findings from driving every registration journey as a new user would (issue 11), over HTTP."""
import re

from sqlalchemy import select

from confapp.registration.models import WaitlistEntry, WaitlistStatus
from tests.factories import make_category, make_event, make_registration


def _session(client):
    return client.application.extensions["sqlalchemy"].session


def test_a_full_category_offers_its_own_waitlist_while_the_event_has_room(client, db, organiser, mail, now):
    from confapp.registration import services

    event = make_event(organiser=organiser, capacity=100, slug="cat-full")
    workshop = make_category(event, name="Workshop day", capacity=1)
    make_category(event, name="Main conference")
    taken = make_registration(event, workshop)
    db.session.commit()
    page = client.get(f"/e/{event.slug}/register").get_data(as_text=True)
    assert "This event is full" not in page
    assert "Sold out" in page and "Join the waitlist for Workshop day" in page
    response = client.post(f"/e/{event.slug}/waitlist", data={"waitlist-name": "Wen Wait", "waitlist-email": "wen@example.org",
                                                              "waitlist-category_id": str(workshop.id)})
    assert response.status_code == 200 and "You are on the waitlist" in response.get_data(as_text=True)
    entry = db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.email == "wen@example.org"))
    assert entry.category_id == workshop.id and entry.status == WaitlistStatus.WAITING
    # A place in another category does not help; a place in the workshop is offered to Wen.
    other = make_registration(event, db.session.get(type(workshop), workshop.id + 1))
    services.cancel_registration(other, actor=organiser, now=now)
    db.session.commit()
    assert entry.status == WaitlistStatus.WAITING
    services.cancel_registration(taken, actor=organiser, now=now)
    db.session.commit()
    assert entry.status == WaitlistStatus.OFFERED
    assert any("place is free" in m.subject for m in mail.wait_for(1) if "wen@example.org" in m.envelope_to)


def test_a_waitlist_entry_cannot_name_another_events_category(db, organiser, now):
    import pytest

    from confapp.errors import ValidationFailed
    from confapp.registration.waitlist import join_waitlist

    event = make_event(organiser=organiser, capacity=1, slug="cat-own")
    make_category(event)
    elsewhere = make_category(make_event(organiser=organiser, slug="cat-else"))
    with pytest.raises(ValidationFailed):
        join_waitlist(event, name="Ed", email="ed@example.org", category_id=elsewhere.id, now=now)
