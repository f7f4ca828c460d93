"""The public registration steps through the Flask test client."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from confapp.registration.models import Order, Registration, RegistrationStatus
from tests.factories import make_category, make_event, make_registration
from tests.support.clock import TEST_NOW


def _details(event, category, **extra):
    data = {"step": "details", f"quantity_{category.id}": "1", "form_token": "tok-" + str(category.id),
            "attendees-0-first_name": "Cathy", "attendees-0-last_name": "Albisa", "attendees-0-email": "cathy@example.org"}
    data.update(extra)
    return data


def test_register_page_lists_public_categories(client, db, event, free):
    make_category(event, name="Speaker", visibility="hidden")
    db.session.commit()
    page = client.get(f"/e/{event.slug}/register").get_data(as_text=True)
    assert "Community member" in page and "Speaker" not in page


def test_event_page_register_button_links_to_the_flow(client, event, free):
    page = client.get(f"/e/{event.slug}/").get_data(as_text=True)
    assert f'href="/e/{event.slug}/register"' in page


def test_choose_step_shows_one_block_per_attendee(client, event, free, questions):
    response = client.post(f"/e/{event.slug}/register", data={"step": "choose", f"quantity_{free.id}": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Person 1" in page and "Person 2" in page and "attendees-1-email" in page
    assert 'name="form_token"' in page


def test_invalid_details_rerender_with_messages_and_what_was_typed(client, event, free, questions):
    needs, which, org = questions
    data = _details(event, free, **{"attendees-0-email": "not-an-email", f"attendees-0-q_{needs.id}": "Yes",
                                     f"attendees-0-q_{org.id}": "Columbia University"})
    response = client.post(f"/e/{event.slug}/register", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter an email address like" in page and "Answer this question." in page
    assert 'value="Columbia University"' in page and 'value="not-an-email"' in page and 'value="Cathy"' in page


def test_full_free_flow_with_conditional_question(client, event, free, questions, mail):
    needs, which, org = questions
    answers = {f"attendees-0-q_{needs.id}": "Yes", f"attendees-0-q_{which.id}": "Spanish", f"attendees-0-q_{org.id}": "CUNY"}
    review = client.post(f"/e/{event.slug}/register", data=_details(event, free, **answers))
    page = review.get_data(as_text=True)
    assert review.status_code == 200 and "Review your registration" in page and "Spanish" in page
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    done = client.post(f"/e/{event.slug}/register", data={**carried, "step": "confirm"})
    assert done.status_code == 302 and "/orders/" in done.headers["Location"]
    order_page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "You are registered" in order_page
    reg = client.application.extensions["sqlalchemy"].session.scalar(select(Registration).where(Registration.email == "cathy@example.org"))
    assert reg.status == RegistrationStatus.CONFIRMED
    assert {a.value for a in reg.answers} == {"Yes", "Spanish", "CUNY"}


def test_confirming_twice_creates_one_order(client, db, event, free):
    data = {**_details(event, free), "step": "confirm", "form_token": "double-click"}
    first = client.post(f"/e/{event.slug}/register", data=data)
    second = client.post(f"/e/{event.slug}/register", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Order).where(Order.event_id == event.id)) == 1


def test_honeypot_is_refused_and_creates_nothing(client, db, event, free):
    response = client.post(f"/e/{event.slug}/register", data={**_details(event, free), "step": "confirm", "website": "http://spam"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Order).where(Order.event_id == event.id)) == 0


def test_card_order_without_payments_module_shows_the_payment_step(client, event):
    paid = make_category(event, price_kind="fixed", price_minor=15000)
    client.application.extensions["sqlalchemy"].session.commit()
    response = client.post(f"/e/{event.slug}/register", data={**_details(event, paid), "step": "confirm", "payment_method": "card"})
    if "payments.checkout_start" in client.application.view_functions:
        assert response.status_code == 302 and response.headers["Location"].endswith("/pay")
    else:
        assert "payment step is coming" in response.get_data(as_text=True)


def test_full_event_offers_the_waitlist_and_joining_works(client, db, organiser, mail):
    event = make_event(organiser=organiser, capacity=1, slug="tiny")
    category = make_category(event)
    make_registration(event, category)
    db.session.commit()
    page = client.get(f"/e/{event.slug}/register").get_data(as_text=True)
    assert "This event is full" in page and "Join the waitlist" in page
    response = client.post(f"/e/{event.slug}/waitlist", data={"waitlist-name": "Jo", "waitlist-email": "jo@example.org",
                                                              "waitlist-category_id": "0"})
    assert response.status_code == 200 and "You are on the waitlist" in response.get_data(as_text=True)


def test_sold_out_between_steps_sends_back_with_a_message(client, db, organiser):
    event = make_event(organiser=organiser, capacity=1, slug="race")
    category = make_category(event)
    data = {**_details(event, category), "step": "confirm"}
    make_registration(event, category)
    db.session.commit()
    response = client.post(f"/e/{event.slug}/register", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/e/{event.slug}/register")


def test_self_service_page_updates_answers_and_cancels(client, db, event, free, questions):
    from confapp.registration.links import ticket_token

    needs, which, org = questions
    reg = make_registration(event, free, answers={needs.id: "No", org.id: "Boston University"})
    db.session.commit()
    url = f"/e/{event.slug}/ticket/{ticket_token(reg)}"
    page = client.get(url).get_data(as_text=True)
    assert reg.ticket_code in page and "data:image/svg+xml" in page
    bad = client.post(url, data={"first_name": "", f"q_{needs.id}": "No"})
    assert bad.status_code == 422 and "Enter a first name." in bad.get_data(as_text=True)
    ok = client.post(url, data={"first_name": "Risa", "last_name": "Kaufman", f"q_{needs.id}": "No", f"q_{org.id}": "Northeastern"})
    assert ok.status_code == 302
    assert reg.first_name == "Risa"
    assert client.get(url + "/event.ics").headers["Content-Type"].startswith("text/calendar")
    client.post(url + "/cancel", data={"confirm": "y"})
    assert reg.status == RegistrationStatus.CANCELLED


def test_a_forged_ticket_link_is_not_found(client, event):
    assert client.get(f"/e/{event.slug}/ticket/forged-token").status_code == 404
    assert client.get(f"/e/{event.slug}/orders/forged-token").status_code == 404


def test_registration_posts_are_rate_limited(client, app, event, free):
    from confapp.extensions import limiter

    limiter.enabled = True
    limiter.reset()
    app.config["REGISTRATION_RATE_LIMIT"] = "3 per minute"
    try:
        data = {"step": "choose", f"quantity_{free.id}": "1"}
        assert [client.post(f"/e/{event.slug}/register", data=data).status_code for _ in range(3)] == [200, 200, 200]
        assert client.post(f"/e/{event.slug}/register", data=data).status_code == 429
        assert client.get(f"/e/{event.slug}/register").status_code == 200  # reading stays possible
    finally:
        app.config.pop("REGISTRATION_RATE_LIMIT")
        limiter.reset()
        limiter.enabled = False


def test_only_the_confirm_step_opens_a_write_transaction_on_sqlite(client, event, free, monkeypatch):
    """The confirm step too reads beside the writers, and turns writing once, at place_order's
    decision point; after its commit it reads again (test_confirm_write_lock.py shows the SQL)."""
    from flask import g

    from confapp.registration import views_public
    from confapp.sqlite import _read_only_request, begin_writing

    turned = []

    def recording_begin_writing():
        turned.append(bool(g.get("sqlite_read_only")))
        begin_writing()
        turned.append(bool(g.get("sqlite_read_only")))

    monkeypatch.setattr(views_public, "begin_writing", recording_begin_writing)
    for step, writes in (("choose", False), ("details", False), ("edit", False), ("confirm", True)):
        turned.clear()
        with client:
            response = client.post(f"/e/{event.slug}/register", data={**_details(event, free), "step": step, "form_token": f"ro-{step}"})
            assert response.status_code == (302 if writes else 200)
            assert _read_only_request() and g.get("sqlite_read_only")
        assert turned == ([True, False] if writes else []), (step, turned)


def test_waitlist_offer_link_leads_through_the_flow_to_a_confirmed_place(client, db, organiser, mail):
    import re as _re

    from confapp.registration import services
    from confapp.registration.models import WaitlistStatus
    from confapp.registration.waitlist import join_waitlist
    from confapp.types import utcnow

    event = make_event(organiser=organiser, capacity=1, slug="claim-me")
    category = make_category(event)
    taken = make_registration(event, category, now=utcnow())
    entry = join_waitlist(event, name="Jo Claim", email="jo.claim@example.org", now=utcnow())
    services.cancel_registration(taken, actor=organiser, now=utcnow())
    db.session.commit()
    assert entry.status == WaitlistStatus.OFFERED
    offer_mail = [m for m in mail.wait_for(3) if "place is free" in m.subject][0]
    link = _re.search(r"http\S+/waitlist/\S+", offer_mail.text).group(0)
    response = client.get(link.split("127.0.0.1:5000", 1)[-1])
    assert response.status_code == 302 and "offer=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A place is held for you" in page and "This event is full" not in page
    data = {"step": "confirm", f"quantity_{category.id}": "1", "form_token": "claim-1", "offer": entry.offer_token,
            "attendees-0-first_name": "Jo", "attendees-0-last_name": "Claim", "attendees-0-email": "jo.claim@example.org"}
    assert client.post(f"/e/{event.slug}/register", data=data).status_code == 302
    assert entry.status == WaitlistStatus.CLAIMED
    # The offer is used up: the link now explains that.
    assert client.get(f"/e/{event.slug}/waitlist/{entry.offer_token}").status_code == 410


def _group_details(event, category, **extra):
    data = {"step": "details", f"quantity_{category.id}": "2", "form_token": "group-" + str(category.id),
            "buyer_separate": "y", "buyer_name": "Pat Organiser", "buyer_email": "pat@example.org",
            "attendees-0-first_name": "Ana", "attendees-0-last_name": "One", "attendees-0-email": "ana@example.org",
            "attendees-1-first_name": "Ben", "attendees-1-last_name": "Two", "attendees-1-email": "ben@example.org"}
    data.update(extra)
    return data


def test_non_attending_buyer_registers_two_people_and_gets_the_summary(client, db, event, free, mail):
    details = client.post(f"/e/{event.slug}/register", data={"step": "choose", f"quantity_{free.id}": "2"}).get_data(as_text=True)
    assert 'name="buyer_separate"' in details and '<label for="buyer_name">Your name' in details
    review = client.post(f"/e/{event.slug}/register", data=_group_details(event, free))
    page = review.get_data(as_text=True)
    assert review.status_code == 200 and "Registered by" in page and "Pat Organiser" in page and "pat@example.org" in page
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    assert carried["buyer_separate"] == "y" and carried["buyer_email"] == "pat@example.org"
    done = client.post(f"/e/{event.slug}/register", data={**carried, "step": "confirm"})
    assert done.status_code == 302 and "/orders/" in done.headers["Location"]
    order = db.session.scalar(select(Order).where(Order.event_id == event.id))
    assert (order.buyer_name, order.buyer_email) == ("Pat Organiser", "pat@example.org")
    assert sorted((r.first_name, r.last_name, r.email, r.status) for r in order.registrations) == [
        ("Ana", "One", "ana@example.org", RegistrationStatus.CONFIRMED),
        ("Ben", "Two", "ben@example.org", RegistrationStatus.CONFIRMED)]
    mail.wait_for(3)
    [summary] = mail.to("pat@example.org")
    assert "Your order for" in summary.subject
    assert len(mail.to("ana@example.org")) == 1 and len(mail.to("ben@example.org")) == 1


def test_buyer_fields_are_required_and_checked_only_when_ticked(client, db, event, free):
    response = client.post(f"/e/{event.slug}/register", data=_group_details(event, free, buyer_email="pat@not an email"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="buyer_email-error"' in page and "Enter an email address like" in page
    assert 'value="pat@not an email"' in page and 'value="Pat Organiser"' in page and 'value="Ben"' in page
    assert 'name="buyer_separate" value="y" checked' in page
    missing = client.post(f"/e/{event.slug}/register", data=_group_details(event, free, buyer_name="", buyer_email=""))
    assert missing.status_code == 422 and "Enter your name." in missing.get_data(as_text=True)
    # Unticked: whatever is in the buyer fields is ignored and person 1 is the buyer.
    data = {**_group_details(event, free, buyer_email="junk"), "step": "confirm"}
    del data["buyer_separate"]
    assert client.post(f"/e/{event.slug}/register", data=data).status_code == 302
    order = db.session.scalar(select(Order).where(Order.event_id == event.id))
    assert (order.buyer_name, order.buyer_email) == ("Ana One", "ana@example.org")


def _waitlist_entries(db, event):
    from confapp.registration.models import WaitlistEntry

    db.session.expire_all()
    return db.session.scalars(select(WaitlistEntry).where(WaitlistEntry.event_id == event.id)).all()


def _join_waitlist(client, event, email="late@example.org"):
    return client.post(f"/e/{event.slug}/waitlist", data={"waitlist-name": "Lee Late", "waitlist-email": email,
                                                          "waitlist-category_id": "0"})


@pytest.mark.parametrize("window", [
    {"registration_closes_at": TEST_NOW - timedelta(hours=1)},
    {"registration_opens_at": TEST_NOW + timedelta(days=1)},
], ids=["after_closing", "before_opening"])
def test_the_waitlist_form_refuses_while_registration_is_not_open(client, db, organiser, mail, window):
    # A full event's page left open: its waitlist box still posts after the window has shut (or
    # before it opens), and the service both the form and the partner API call refuses it.
    event = make_event(organiser=organiser, capacity=1, slug="shut")
    make_registration(event, make_category(event))
    for name, value in window.items():
        setattr(event, name, value)
    db.session.commit()
    response = _join_waitlist(client, event)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/e/{event.slug}/register")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You have not been added to the waitlist: it is open only while registration is." in page
    assert _waitlist_entries(db, event) == []


def test_a_double_click_on_join_the_waitlist_makes_one_entry(client, db, organiser, mail):
    event = make_event(organiser=organiser, capacity=1, slug="twice")
    make_registration(event, make_category(event))
    db.session.commit()
    first, second = _join_waitlist(client, event), _join_waitlist(client, event)
    assert first.status_code == second.status_code == 200
    assert "You are on the waitlist" in second.get_data(as_text=True)
    entries = _waitlist_entries(db, event)
    assert [(e.email, e.position) for e in entries] == [("late@example.org", 1)]
