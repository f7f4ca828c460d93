"""Registration emails through the real SMTP server (aiosmtpd)."""
import io

from icalendar import Calendar
from PIL import Image

from confapp.registration import services, waitlist
from confapp.registration.links import order_token, ticket_code_from_token
from tests.factories import make_category, make_event, make_registration


def test_confirmation_has_qr_code_calendar_and_self_service_link(event, now, mail, commit):
    reg = make_registration(event, make_category(event, name="General"), now=now, email="maria@example.org", first_name="Maria")
    commit()
    [message] = mail.wait_for(1)
    assert message.envelope_to == ["maria@example.org"] and event.title in message.subject
    attachments = {name: (ctype, data) for name, ctype, data in message.attachments()}
    png = next(data for name, (ctype, data) in attachments.items() if ctype == "image/png")
    assert Image.open(io.BytesIO(png)).size[0] >= 200
    calendar = Calendar.from_ical(attachments["event.ics"][1])
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == event.title and vevent.decoded("dtstart") == event.starts_at
    assert reg.ticket_code in message.text and "data:image/png;base64," in message.html
    link = next(line for line in message.text.splitlines() if "/ticket/" in line).strip()
    assert ticket_code_from_token(link.rsplit("/", 1)[1]) == reg.ticket_code


def test_group_buyer_gets_a_summary_and_each_attendee_a_ticket(event, now, mail, commit):
    make_registration(event, make_category(event), now=now, quantity=3, buyer_email="office@bu.example.edu", buyer_name="BU Office")
    commit()
    messages = mail.wait_for(4)
    assert len(mail.to("office@bu.example.edu")) == 1
    assert sum(1 for m in messages if m.attachments()) == 3


def test_waitlist_offer_and_cancellation_emails_arrive(db, organiser, now, mail, commit):
    event = make_event(organiser=organiser, capacity=1)
    reg = make_registration(event, make_category(event), now=now, email="leaving@example.org")
    waitlist.join_waitlist(event, name="Jo", email="jo@example.org", now=now)
    commit()
    mail.wait_for(2)
    mail.clear()
    services.cancel_registration(reg, actor=organiser, now=now)
    commit()
    mail.wait_for(2)
    [cancelled] = mail.to("leaving@example.org")
    assert "cancelled" in cancelled.subject
    [offer] = mail.to("jo@example.org")
    assert "place is free" in offer.subject and "/waitlist/" in offer.text


def test_rejection_carries_the_organisers_message(event, now, mail, commit, organiser):
    order = make_registration(event, make_category(event, requires_approval=True), now=now, email="p@example.org").order
    commit()
    mail.wait_for(1)
    mail.clear()
    services.reject_order(order, actor=organiser, now=now, message="We are at capacity for speakers.")
    commit()
    [message] = mail.wait_for(1)
    assert "We are at capacity for speakers." in message.text


def test_nothing_is_sent_when_the_transaction_rolls_back(event, now, mail, db):
    make_registration(event, make_category(event), now=now)
    db.session.rollback()
    assert mail.messages == []


def test_approving_a_paid_registration_emails_the_payment_link(event, now, mail, commit, organiser):
    category = make_category(event, price_kind="fixed", price_minor=8000, requires_approval=True)
    order = make_registration(event, category, now=now, email="approved@example.org").order
    commit()
    [pending] = mail.wait_for(1)
    assert "received your registration" in pending.subject
    mail.clear()
    services.approve_order(order, actor=organiser, now=now, message="Glad to have you.")
    commit()
    [message] = mail.wait_for(1)
    assert f"/e/{event.slug}/orders/{order_token(order)}/pay" in message.text and "Glad to have you." in message.text


def test_an_offer_no_longer_offered_when_its_mail_is_rendered_sends_nothing(db, organiser, now):
    """The offer's mail is rendered by a job after the commit; if the entry was claimed, withdrawn
    or expired in between (a consumer that was down), no offer of a place goes out."""
    from confapp.registration.emails import render_outbox_mail
    from confapp.registration.models import WaitlistStatus
    from confapp.registration.outbox import MailKind, RegistrationMail

    event = make_event(organiser=organiser, capacity=1)
    reg = make_registration(event, make_category(event), now=now, email="leaving@example.org")
    entry = waitlist.join_waitlist(event, name="Jo", email="jo@example.org", now=now)
    services.cancel_registration(reg, actor=organiser, now=now)  # the freed place is offered to Jo
    assert entry.status == WaitlistStatus.OFFERED
    row = RegistrationMail(kind=MailKind.WAITLIST_OFFER, event_id=event.id, waitlist_entry_id=entry.id, params={})
    assert len(render_outbox_mail(row)) == 1
    for status in (WaitlistStatus.CLAIMED, WaitlistStatus.EXPIRED):
        entry.status = status
        assert render_outbox_mail(row) == []
