"""Paying for a registration on a phone, in real Chromium: the registration form up to the
redirect to Stripe Checkout (routed to a local stub: no external site is loaded), the return
pages, and the receipt once the signed webhook has confirmed the payment. axe-core on each page."""
from __future__ import annotations

import json
import re
import urllib.request

import pytest

from tests.support.browser import assert_accessible, screenshot
from tests.support.localstripe import FakeCheckoutSessionsApi, event_payload, signature_header
from tests.support.payments import install_gateway, localstripe, paid_intent, session_object  # noqa: F401

STUB = "<!doctype html><html lang='en'><head><title>Stripe Checkout (test stub)</title></head>" \
       "<body><main><h1>Stripe Checkout stub</h1></main></body></html>"


@pytest.fixture
def paid_event(live_app, live_server, localstripe):
    from confapp.extensions import db
    from confapp.payments.gateway import set_gateway
    from tests.factories import make_event
    from tests.support.payment_orders import make_paid_category

    gateway = install_gateway(live_app, localstripe)
    with live_app.app_context():
        event = make_event(title="Paid Convening", slug="paid-convening-browser", contact_email="team@example.org")
        make_paid_category(event, price_minor=4500, name="General")
        db.session.commit()
        slug = event.slug
        db.session.remove()
    yield slug, gateway
    set_gateway(live_app, None)


def test_paid_registration_on_a_phone_goes_to_stripe_checkout(phone_page, live_server, live_app, paid_event,
                                                              screenshots_dir):
    from confapp.extensions import db
    from confapp.payments.links import receipt_url
    from confapp.registration.links import order_code_from_token
    from confapp.registration.models import Order

    slug, gateway = paid_event
    page = phone_page
    stripe_requests: list[str] = []

    def stub_checkout(route):
        stripe_requests.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body=STUB)

    page.route(re.compile(r"^https://checkout\.stripe\.com/.*"), stub_checkout)

    page.goto(f"/e/{slug}/register")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Last name").fill("Haddad")
    page.get_by_label("Email (required)").fill("nadia@example.org")
    page.get_by_role("button", name="Review").click()
    page.get_by_role("button", name="Continue to payment").click()

    page.wait_for_url(re.compile(rf"/e/{slug}/orders/[^/]+/pay$"))
    assert page.get_by_role("heading", name="Pay for your registration").is_visible()
    assert page.get_by_text("$45.00").first.is_visible()
    assert_accessible(page, "pay page")
    screenshot(page, screenshots_dir / "payments-pay-phone.png")
    # The pay page's address carries the buyer's signed order token, not the order code.
    with live_app.app_context():
        code = order_code_from_token(page.url.rstrip("/").split("/")[-2])

    page.get_by_role("button", name="Pay $45.00 by card").click()
    page.wait_for_url(re.compile(r"^https://checkout\.stripe\.com/c/pay/cs_test_"))
    checkout: FakeCheckoutSessionsApi = gateway.checkout_sessions
    [created] = checkout.created
    session = checkout.sessions[created["id"]]
    assert page.url == session["url"] and stripe_requests == [session["url"]]
    assert created["params"]["metadata"]["order_code"] == code
    assert created["params"]["line_items"][0]["price_data"]["unit_amount"] == 4500

    # Back from Stripe without paying: pay again or give up.
    page.goto(created["params"]["cancel_url"])
    assert page.get_by_role("button", name=re.compile("Try paying again")).is_visible()
    assert_accessible(page, "payment cancelled page")

    # Paid: Stripe redirects to the success page, the signed webhook arrives (in either order).
    page.goto(created["params"]["success_url"])
    assert page.get_by_text("confirming it now").is_visible()
    assert_accessible(page, "payment received page")
    intent = paid_intent(gateway, 4500, metadata={"order_code": code})
    completed = checkout.complete(session["id"], intent.id)
    payload = event_payload("checkout.session.completed", session_object(completed, payment_status="paid"))
    request = urllib.request.Request(f"{live_server.url}/payments/stripe/webhook", data=payload.encode(), method="POST",
                                     headers={"Stripe-Signature": signature_header(payload),
                                              "Content-Type": "application/json"})
    answer = json.loads(urllib.request.urlopen(request, timeout=20).read())
    assert answer["outcome"] == "applied"
    page.reload()
    assert page.get_by_role("heading", name="Your registration is confirmed").is_visible()
    assert_accessible(page, "payment confirmed page")

    with live_app.test_request_context():
        order = db.session.query(Order).filter_by(code=code).one()
        link = receipt_url(order, order.event)
        db.session.remove()
    page.goto(link)
    assert page.get_by_role("heading", name="Receipt").is_visible()
    assert page.get_by_role("cell", name="Nadia Haddad").is_visible()
    assert_accessible(page, "receipt page")
    screenshot(page, screenshots_dir / "payments-receipt-phone.png")


def test_organiser_refunds_part_of_a_payment_from_the_payment_panel(page, live_app, screenshots_dir):
    from confapp.extensions import db
    from confapp.payments import services
    from tests.conftest import TEST_PASSWORD
    from tests.factories import make_event, make_user
    from confapp.types import utcnow
    from tests.support.payment_orders import enable_offline_methods, make_card_order, make_paid_category

    now = utcnow()
    with live_app.app_context():
        organiser = make_user(email="treasurer@example.org", name="Rosa Treasurer")
        event = make_event(organiser=organiser, title="Invoice Convening", slug="invoice-convening-browser")
        enable_offline_methods(event)
        order = make_card_order(event, make_paid_category(event, price_minor=8000, name="Organisation"), now=now,
                                payment_method="invoice", first_name="Lin", last_name="Chen", send_email=False)
        services.mark_paid_offline(order, method="invoice", actor=organiser, now=now, note="INV-88")
        db.session.commit()
        url = f"/manage/{event.slug}/orders/{order.code}/payments"
        db.session.remove()

    page.goto("/account/login")
    page.get_by_label("Email").fill("treasurer@example.org")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/manage/**")
    page.goto(url)
    assert page.get_by_role("heading", name="Payment").is_visible()
    assert_accessible(page, "organiser payment panel")

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_label("Amount to refund").fill("90")
    page.get_by_label("Reason (kept in the order history)").fill("Partial refund")
    page.get_by_role("button", name="Refund", exact=True).click()
    assert page.get_by_text("At most 80.00 USD can be refunded.").first.is_visible()
    assert_accessible(page, "refund form with an error")

    page.get_by_label("Amount to refund").fill("30")
    page.get_by_label("Reason (kept in the order history)").fill("Partial refund")
    page.get_by_role("button", name="Refund", exact=True).click()
    assert page.get_by_text("Refund of $30.00 recorded.").is_visible()
    assert page.get_by_role("cell", name="Partial refund").is_visible()
    assert_accessible(page, "payment panel after a refund")
    screenshot(page, screenshots_dir / "payments-organiser-panel.png")

    page.get_by_role("navigation", name="Event management").get_by_role("link", name="Payments").click()
    assert page.get_by_role("heading", name="Payments", exact=True).is_visible()
    assert page.get_by_text("$50.00").first.is_visible()  # net: $80 received, $30 refunded
    assert_accessible(page, "event payments page")


def test_localstripe_posts_a_signed_payment_failed_webhook_that_we_apply(live_server, live_app, localstripe):
    """No browser: localstripe itself signs and POSTs payment_intent.payment_failed to the live
    server's webhook endpoint, as Stripe would."""
    import time
    import urllib.parse

    import stripe

    from confapp.extensions import db
    from confapp.payments import services
    from confapp.payments.gateway import set_gateway
    from confapp.payments.models import Payment
    from confapp.registration.models import Order, RegistrationStatus
    from confapp.types import utcnow
    from tests.factories import make_event
    from tests.support.localstripe import WEBHOOK_SECRET
    from tests.support.payment_orders import make_card_order

    def register_webhook(events):
        data = urllib.parse.urlencode([("url", f"{live_server.url}/payments/stripe/webhook"), ("secret", WEBHOOK_SECRET)]
                                      + [("events[]", e) for e in events]).encode()
        urllib.request.urlopen(urllib.request.Request(f"{localstripe.url}/_config/webhooks/confapp-live", data=data),
                               timeout=10).read()

    gateway = install_gateway(live_app, localstripe)
    register_webhook(["payment_intent.payment_failed"])
    try:
        with live_app.app_context():
            order = make_card_order(make_event(slug="declined-card-live"), now=utcnow(), send_email=False)
            payment = services.start_checkout(order, now=utcnow(), success_url="https://example.org/ok",
                                              cancel_url="https://example.org/no")
            payment_id, order_id = payment.id, order.id
            db.session.remove()
        intent = gateway.client.v1.payment_intents.create(params={
            "amount": 5000, "currency": "usd", "payment_method": "pm_card_chargeCustomerFail",
            "metadata": {"order_code": order.code, "payment_id": str(payment_id)}})
        with pytest.raises(stripe.CardError):
            gateway.client.v1.payment_intents.confirm(intent.id)
        deadline = time.monotonic() + 15
        failure = ""
        while time.monotonic() < deadline and not failure:
            time.sleep(0.3)
            with live_app.app_context():
                failure = db.session.get(Payment, payment_id).failure_message
                db.session.remove()
        assert failure, "localstripe's webhook never reached the app"
        with live_app.app_context():
            payment = db.session.get(Payment, payment_id)
            assert payment.stripe_payment_intent_id == intent.id and payment.status.value == "open"
            order = db.session.get(Order, order_id)
            assert all(r.status == RegistrationStatus.AWAITING_PAYMENT for r in order.registrations)
            db.session.remove()
    finally:
        register_webhook(["none.disabled"])
        set_gateway(live_app, None)
