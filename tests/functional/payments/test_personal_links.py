"""The buyer's payment journey runs on the buyer's signed order token (issue 11): from the
registration form to the pay page, Stripe's return addresses and back to the order, and none
of it opens with the order code printed in every email."""
from html import unescape
from urllib.parse import urlsplit

from sqlalchemy import select

from confapp.registration.links import order_token
from confapp.registration.models import Order
from tests.factories import make_event
from tests.support.payment_orders import make_paid_category


def _group_order_form(category) -> dict:
    return {"step": "confirm", f"quantity_{category.id}": "2", "form_token": f"group-{category.id}", "payment_method": "card",
            "attendees-0-first_name": "Amara", "attendees-0-last_name": "Okafor", "attendees-0-email": "amara@example.org",
            "attendees-1-first_name": "Tomas", "attendees-1-last_name": "Reyes", "attendees-1-email": "tomas@example.org"}


def test_a_group_card_order_pays_and_returns_on_the_buyers_token(client, db, checkout):
    event = make_event(slug="token-journey")
    category = make_paid_category(event, price_minor=2500)
    db.session.commit()
    placed = client.post(f"/e/{event.slug}/register", data=_group_order_form(category))
    order = db.session.scalar(select(Order).where(Order.event_id == event.id))
    token = order_token(order)
    assert placed.status_code == 302 and urlsplit(placed.headers["Location"]).path == f"/e/{event.slug}/orders/{token}/pay"

    pay = client.get(placed.headers["Location"])
    assert pay.status_code == 200 and b"$50.00" in pay.data
    assert f'action="/e/{event.slug}/orders/{token}/pay"' in pay.get_data(as_text=True)
    assert client.post(f"/e/{event.slug}/orders/{token}/pay").status_code == 303
    [call] = checkout.created
    success, cancel = (urlsplit(call["params"][key]).path for key in ("success_url", "cancel_url"))
    assert success == f"/e/{event.slug}/orders/{token}/payment/done"
    assert cancel == f"/e/{event.slug}/orders/{token}/payment/cancelled"

    done = unescape(client.get(success).get_data(as_text=True))
    assert "confirming it now" in done and f"/e/{event.slug}/orders/{token}" in done
    cancelled = unescape(client.get(cancel).get_data(as_text=True))
    assert "Try paying again" in cancelled and "Cancel my registration" in cancelled
    # The buyer's order page lists every attendee of the group.
    order_page = unescape(client.get(f"/e/{event.slug}/orders/{token}").get_data(as_text=True))
    assert "Amara Okafor" in order_page and "Tomas Reyes" in order_page


def test_the_payment_pages_by_order_code_alone_are_not_found_and_start_nothing(client, db, checkout):
    event = make_event(slug="code-alone")
    category = make_paid_category(event, price_minor=2500)
    db.session.commit()
    client.post(f"/e/{event.slug}/register", data=_group_order_form(category))
    order = db.session.scalar(select(Order).where(Order.event_id == event.id))
    base = f"/e/{event.slug}/orders/{order.code}"
    for method, url in (("GET", f"{base}/pay"), ("POST", f"{base}/pay"), ("GET", f"{base}/payment/done"),
                        ("GET", f"{base}/payment/cancelled"), ("POST", f"{base}/payment/abandon")):
        response = client.open(url, method=method)
        text = response.get_data(as_text=True)
        assert response.status_code == 404, (method, url)
        assert "Okafor" not in text and "Reyes" not in text and order_token(order) not in text
    assert checkout.created == []
