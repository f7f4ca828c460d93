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


def _offer(db, organiser, now, slug):
    from confapp.registration import services
    from confapp.registration.waitlist import join_waitlist

    event = make_event(organiser=organiser, capacity=1, slug=slug)
    category = make_category(event, name="Community member")
    taken = make_registration(event, category)
    entry = join_waitlist(event, name="Jo Anne Claim", email="jo.claim@example.org", now=now)
    services.cancel_registration(taken, actor=organiser, now=now)
    db.session.commit()
    assert entry.status == WaitlistStatus.OFFERED
    return event, category, entry


def test_claiming_an_offer_asks_for_one_place_and_knows_the_name(client, db, organiser, now):
    event, category, entry = _offer(db, organiser, now, "claim-prefill")
    page = client.get(f"/e/{event.slug}/register?offer={entry.offer_token}").get_data(as_text=True)
    assert "A place is held for you" in page
    assert "Registering a group?" not in page and "Your offer holds one place" in page
    details = client.post(f"/e/{event.slug}/register", data={"step": "choose", f"quantity_{category.id}": "1",
                                                             "offer": entry.offer_token}).get_data(as_text=True)
    assert 'name="attendees-0-first_name" value="Jo"' in details
    assert 'name="attendees-0-last_name" value="Anne Claim"' in details
    assert 'name="attendees-0-email" value="jo.claim@example.org"' in details


def test_categories_page_says_when_the_event_caps_a_categorys_free_places(client, db, organiser, login_as):
    event = make_event(organiser=organiser, capacity=3, slug="capped")
    big = make_category(event, name="General", capacity=1000)
    make_registration(event, big)
    db.session.commit()
    login_as(organiser)
    page = client.get(f"/manage/{event.slug}/registration/categories").get_data(as_text=True)
    assert "1000 (2 free: the event has only 2 places left in all)" in page


def test_error_summary_names_the_question_and_the_waiver_reason_is_marked_required(client, db, event, questions):
    needs, which, org = questions
    paid = make_category(event, name="Regular", price_kind="fixed", price_minor=5000, allows_waiver=True)
    db.session.commit()
    data = {"step": "details", f"quantity_{paid.id}": "1", "form_token": "summary-1", "attendees-0-first_name": "Cathy",
            "attendees-0-email": "cathy@example.org"}
    page = client.post(f"/e/{event.slug}/register", data=data).get_data(as_text=True)
    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert f'<a href="#attendees_0_q_{needs.id}">Do you need interpretation? Answer this question.</a>' in summary
    textarea = re.search(r'<textarea id="waiver_reason"[^>]*>', page).group(0)
    assert " required" in textarea and 'aria-required="true"' in textarea
    assert re.search(r'<label for="waiver_reason">[^<]*<span class="required">\(required\)</span>', page)


def _paid_event(db, organiser, slug, *, invoice=True, **category):
    from confapp.registration.models import RegistrationSettings

    event = make_event(organiser=organiser, capacity=50, slug=slug, contact_email="team@example.org")
    db.session.add(RegistrationSettings(event_id=event.id, card_enabled=True, invoice_enabled=invoice, at_door_enabled=False))
    fields = dict(name="Regular", price_kind="fixed", price_minor=5000)
    fields.update(category)
    paid = make_category(event, **fields)
    db.session.commit()
    return event, paid


def _with_stripe_key(app):
    from confapp.payments.gateway import StripeGateway, set_gateway

    set_gateway(app, StripeGateway("sk_test_only_configured"))


def test_card_is_not_offered_without_a_stripe_key(client, app, db, organiser):
    from confapp.payments.gateway import set_gateway

    event, paid = _paid_event(db, organiser, "no-key")
    data = {"step": "choose", f"quantity_{paid.id}": "1"}
    page = client.post(f"/e/{event.slug}/register", data=data).get_data(as_text=True)
    assert 'value="card"' not in page and 'name="payment_method" value="invoice"' in page
    _with_stripe_key(app)
    try:
        page = client.post(f"/e/{event.slug}/register", data=data).get_data(as_text=True)
        assert 'id="payment_method-card" name="payment_method" value="card" checked' in page
    finally:
        set_gateway(app, None)


def test_nothing_to_pay_offers_no_payment_method(client, app, db, organiser):
    from confapp.payments.gateway import set_gateway

    event, pwyc = _paid_event(db, organiser, "zero-pwyc", price_kind="pay_what_you_can", price_minor=0, min_minor=0,
                              suggested_minor=2000)
    _with_stripe_key(app)
    try:
        page = client.post(f"/e/{event.slug}/register", data={"step": "choose", f"quantity_{pwyc.id}": "1",
                                                              f"amount_{pwyc.id}": "0"}).get_data(as_text=True)
    finally:
        set_gateway(app, None)
    assert "How will you pay?" not in page and 'value="card"' not in page


def test_card_unavailable_order_page_offers_the_other_ways_and_they_confirm(client, db, organiser, mail):
    from confapp.registration.links import order_token
    from confapp.registration.models import PaymentMethod, RegistrationStatus

    event, paid = _paid_event(db, organiser, "other-way")
    reg = make_registration(event, paid, payment_method="card")
    db.session.commit()
    assert reg.status == RegistrationStatus.AWAITING_PAYMENT
    url = f"/e/{event.slug}/orders/{order_token(reg.order)}"
    page = client.get(url).get_data(as_text=True)
    assert "Card payment is not available" in page and "Pay by invoice or bank transfer" in page
    response = client.post(url + "/pay-another-way", data={"payment_method": "invoice"})
    assert response.status_code == 302
    assert reg.status == RegistrationStatus.CONFIRMED and reg.order.payment_method == PaymentMethod.INVOICE
    assert "You are registered" in client.get(url).get_data(as_text=True)
    # A method the event does not offer is refused.
    other = make_registration(event, paid, payment_method="card")
    db.session.commit()
    client.post(f"/e/{event.slug}/orders/{order_token(other.order)}/pay-another-way", data={"payment_method": "at_door"})
    assert other.status == RegistrationStatus.AWAITING_PAYMENT
    # The order code alone (printed in every email) changes nothing.
    assert client.post(f"/e/{event.slug}/orders/{other.order.code}/pay-another-way",
                       data={"payment_method": "invoice"}).status_code == 404
    assert other.status == RegistrationStatus.AWAITING_PAYMENT


def test_card_only_event_without_card_says_whom_to_contact(client, db, organiser):
    from confapp.registration.links import order_token

    event, paid = _paid_event(db, organiser, "card-only", invoice=False)
    reg = make_registration(event, paid, payment_method="card")
    db.session.commit()
    page = client.get(f"/e/{event.slug}/orders/{order_token(reg.order)}").get_data(as_text=True)
    assert "contact the organisers at" in page and "mailto:team@example.org" in page
    assert "/pay\"" not in page


def test_confirmation_text_part_keeps_its_line_breaks(client, db, organiser, mail):
    event = make_event(organiser=organiser, capacity=50, slug="text-mail", venue_name="Hynes Convention Center",
                       venue_address="900 Boylston St", venue_city="Boston")
    category = make_category(event, name="Community member")
    db.session.commit()
    data = {"step": "confirm", f"quantity_{category.id}": "1", "form_token": "text-mail-1",
            "attendees-0-first_name": "Tex", "attendees-0-last_name": "Plain", "attendees-0-email": "tex@example.org"}
    assert client.post(f"/e/{event.slug}/register", data=data).status_code == 302
    received = [m for m in mail.wait_for(1) if "tex@example.org" in m.envelope_to][0]
    text = received.text.replace("\r\n", "\n")
    assert "Where: Hynes Convention Center, 900 Boylston St, Boston\nCategory: Community member\nOrder: " in text
    assert "BostonCategory" not in text


def test_no_plain_text_email_template_runs_a_line_into_the_next():
    """With trim_blocks, a block tag ending a line of text swallows that line's break."""
    from pathlib import Path

    offenders = []
    for path in sorted((Path(__file__).parents[3] / "templates").rglob("*.txt")):
        lines = path.read_text().rstrip("\n").split("\n")
        for number, line in enumerate(lines[:-1], 1):
            if line.rstrip().endswith("%}") and re.sub(r"\{%.*?%\}", "", line).strip():
                offenders.append(f"{path}:{number}: {line[:80]}")
    assert offenders == []
