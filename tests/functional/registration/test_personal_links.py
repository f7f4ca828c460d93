"""Personal links (issue 11): each secret link opens only its owner's pages. The buyer's order
token shows the order and its attendees; an attendee's ticket link shows that attendee and
nothing that leads to the others; the order code printed in every email opens nothing; the
`self_service_link` merge field is each recipient's own ticket; personal and staff pages are
never cached (`Cache-Control: private, no-store`)."""
import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest

from confapp.extensions import db as database
from confapp.outreach import services as outreach
from confapp.outreach.services import MessageDraft
from confapp.payments import services as payments
from confapp.registration.links import order_token, ticket_token
from confapp.registration.models import RegistrationStatus
from tests.factories import make_category, make_event, make_registration, make_user
from tests.support.payment_orders import enable_offline_methods, make_card_order, make_paid_category

LINK = re.compile(r'href="([^"]+)"')


def reachable(client, start: str, slug: str, *, limit: int = 40) -> dict[str, str]:
    """Every page of the event reached by following links (GET only) from `start`: url -> text."""
    seen: dict[str, str] = {}
    queue = [urlsplit(start)._replace(scheme="", netloc="").geturl()]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        text = response.get_data(as_text=True) if response.mimetype.startswith(("text/", "application/json")) else ""
        seen[url] = unescape(text)
        for href in LINK.findall(text):
            href = urlsplit(unescape(href))._replace(scheme="", netloc="", fragment="").geturl()
            if href.startswith(f"/e/{slug}/") and href not in seen:
                queue.append(href)
    return seen


def secrets_of(registration) -> list[str]:
    """What must never reach anyone but this attendee (or, for the order token, the buyer)."""
    return [registration.first_name, registration.last_name, registration.email, ticket_token(registration)]


@pytest.fixture
def organiser(db):
    return make_user()


def group_order(organiser, *, paid: bool):
    """Amara Okafor buys two places, for herself and a guest with their own email address: paid by
    invoice, or by card and still awaiting payment."""
    event = make_event(organiser=organiser, slug=f"links-{'paid' if paid else 'unpaid'}")
    enable_offline_methods(event)
    category = make_paid_category(event, price_minor=3000, name="Community member")
    order = make_card_order(event, category, quantity=2, payment_method="invoice" if paid else "card",
                            first_name="Amara", last_name="Okafor", email="amara@example.org", send_email=False)
    if paid:
        payments.mark_paid_offline(order, method="invoice", actor=organiser, now=order.created_at, note="INV-9")
    database.session.commit()
    buyer, guest = order.registrations
    return event, order, buyer, guest


@pytest.mark.parametrize("paid", [True, False], ids=["paid", "awaiting-payment"])
def test_an_attendees_ticket_link_leads_to_no_one_else(client, db, organiser, paid):
    event, order, buyer, guest = group_order(organiser, paid=paid)
    pages = reachable(client, f"/e/{event.slug}/ticket/{ticket_token(guest)}", event.slug)
    assert guest.full_name in pages[f"/e/{event.slug}/ticket/{ticket_token(guest)}"]
    for url, text in pages.items():
        for secret in secrets_of(buyer) + [order_token(order), "Okafor"]:
            assert secret not in text and secret not in url, (url, secret)
        assert f"/e/{event.slug}/orders/" not in url, url


def test_the_buyer_sees_the_order_and_every_attendee_and_their_own_receipt(client, db, organiser):
    event, order, buyer, guest = group_order(organiser, paid=True)
    own = client.get(f"/e/{event.slug}/ticket/{ticket_token(buyer)}").get_data(as_text=True)
    assert "Download your receipt" in own and order_token(order) in own and guest.last_name not in own
    order_page = unescape(client.get(f"/e/{event.slug}/orders/{order_token(order)}").get_data(as_text=True))
    assert buyer.full_name in order_page and guest.full_name in order_page
    assert ticket_token(buyer) in order_page and ticket_token(guest) in order_page


def test_an_awaiting_payment_guest_is_told_who_pays_and_the_buyer_can_pay(client, db, organiser):
    event, order, buyer, guest = group_order(organiser, paid=False)
    page = client.get(f"/e/{event.slug}/ticket/{ticket_token(guest)}").get_data(as_text=True)
    assert "The person who booked this place pays for it" in page and "Pay now" not in page
    own = client.get(f"/e/{event.slug}/ticket/{ticket_token(buyer)}").get_data(as_text=True)
    assert f'/e/{event.slug}/orders/{order_token(order)}/pay">Pay now</a>' in own


def test_an_order_code_alone_opens_no_page_of_the_order(client, db, organiser):
    event, order, buyer, guest = group_order(organiser, paid=False)
    base = f"/e/{event.slug}/orders/{order.code}"
    for url in (base, f"{base}/pay", f"{base}/payment/done", f"{base}/payment/cancelled"):
        response = client.get(url)
        text = response.get_data(as_text=True)
        assert response.status_code == 404, url
        assert buyer.last_name not in text and guest.first_name not in text and order_token(order) not in text
    assert client.post(f"{base}/pay").status_code == 404
    assert client.post(f"{base}/payment/abandon", data={"t": order.code}).status_code == 404
    database.session.expire_all()
    assert {r.status for r in order.registrations} == {RegistrationStatus.AWAITING_PAYMENT}


def test_confirmation_emails_give_the_receipt_only_to_the_buyer(client, db, organiser, mail):
    event, order, buyer, guest = group_order(organiser, paid=True)  # paid: both tickets are emailed
    mail.wait_for(2)
    [to_guest], [to_buyer] = mail.to(guest.email), mail.to(buyer.email)
    assert order_token(order) in to_buyer.text and "Receipt:" in to_buyer.text
    assert ticket_token(guest) in to_guest.text
    for secret in secrets_of(buyer) + [order_token(order)]:
        assert secret not in to_guest.text and secret not in to_guest.html, secret
    for link in re.findall(r"https?://\S+", to_guest.text):
        for url, text in reachable(client, link, event.slug).items():
            assert buyer.last_name not in text and order_token(order) not in url, url


def test_self_service_link_merge_field_is_each_recipients_own_ticket(client, db, organiser, login_as, mail):
    event = make_event(organiser=organiser, slug="links-merge")
    buyer = make_registration(event, make_category(event, name="General"), quantity=2, first_name="Amara",
                              last_name="Okafor", email="amara@example.org", send_email=False)
    guest = buyer.order.registrations[1]
    message = outreach.create_message(
        event, MessageDraft("Your place", "Change your answers here: {{ self_service_link }}", {"status": ["confirmed"]}),
        actor=organiser, now=buyer.created_at)
    database.session.commit()
    login_as(organiser)
    assert client.post(f"/manage/{event.slug}/emails/{message.id}/send").status_code in (200, 302, 303)
    mail.wait_for(2)
    links = {}
    for person in (buyer, guest):
        [received] = mail.to(person.email)
        [links[person.id]] = re.findall(rf"https?://\S+/e/{event.slug}/\S+", received.text)
    assert links[buyer.id] != links[guest.id]
    for person, other in ((buyer, guest), (guest, buyer)):
        start = urlsplit(links[person.id]).path
        assert start == f"/e/{event.slug}/ticket/{ticket_token(person)}"
        pages = reachable(client.application.test_client(), start, event.slug)
        assert person.full_name in pages[start]
        for url, text in pages.items():
            assert other.full_name not in text and ticket_token(other) not in text, (person.full_name, url)


def test_personal_and_staff_pages_are_private_and_never_stored(client, db, organiser, login_as, now):
    from confapp.checkin import lists

    event, order, buyer, guest = group_order(organiser, paid=True)
    checkin_list = lists.main_list(event, actor=organiser, now=now)
    _, desk_token = lists.create_volunteer_link(checkin_list, name="Door 1", valid_from=now - timedelta(hours=1),
                                                valid_until=now + timedelta(days=30), actor=organiser, now=now)
    database.session.commit()
    slug, token = event.slug, order_token(order)
    personal = [
        f"/e/{slug}/ticket/{ticket_token(guest)}",
        f"/e/{slug}/ticket/{ticket_token(guest)}/event.ics",
        f"/e/{slug}/orders/{token}",
        f"/e/{slug}/orders/{token}/pay",
        f"/e/{slug}/orders/{token}/payment/done",
        f"/e/{slug}/orders/{token}/payment/cancelled",
        f"/e/{slug}/orders/{order.code}/receipt/{token}",
        f"/checkin/v/{desk_token}",
    ]
    staff = [
        f"/manage/{slug}/registrations",
        f"/manage/{slug}/registrations/{guest.id}",
        f"/manage/{slug}/registrations/export.csv",
        f"/manage/{slug}/payments",
        f"/manage/{slug}/checkin/",
        f"/manage/{slug}/checkin/desk/{checkin_list.id}",
    ]
    for url in personal:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers.get("Cache-Control") == "private, no-store", url
    login_as(organiser)
    for url in staff:
        response = client.get(url)
        assert response.status_code == 200, url
        # The export chose no-store itself (nothing kept anywhere): the hook leaves that alone.
        expected = "no-store" if url.endswith(".csv") else "private, no-store"
        assert response.headers.get("Cache-Control") == expected, url
    public = client.get(f"/e/{slug}/")
    assert public.status_code == 200 and "no-store" not in public.headers.get("Cache-Control", "")
