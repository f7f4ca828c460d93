"""A yen event end to end through the pages (organiser price entry, the public form, the order,
paying by invoice, receipt, CSV, refund) and a Kuwaiti dinar price with three decimals."""
import csv
import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from confapp.payments.models import Refund
from confapp.registration.models import Order, RegistrationCategory
from tests.factories import make_category

SETTINGS = {"hold_minutes": "30", "max_per_order": "5", "refund_policy": "full", "offer_hours": "48",
            "invoice_enabled": "y", "waitlist_enabled": "y"}


def _set_currency(client, event, currency):
    response = client.post(f"/manage/{event.slug}/registration/settings", data={**SETTINGS, "currency": currency})
    assert response.status_code == 302


def _new_category(client, event, **data):
    return client.post(f"/manage/{event.slug}/registration/categories/new",
                       data={"visibility": "public", "is_active": "y", **data})


def test_yen_event_from_price_entry_to_receipt_csv_and_refund(client, db, organiser, event, login_as, mail):
    login_as(organiser)
    _set_currency(client, event, "JPY")

    refused = _new_category(client, event, name="General", price_kind="fixed", price="1000.50")
    assert refused.status_code == 422
    assert "JPY has no decimal places: enter a whole amount like 1000." in refused.get_data(as_text=True)
    assert _new_category(client, event, name="General", price_kind="fixed", price="¥1,000").status_code == 302
    category = db.session.scalar(select(RegistrationCategory).where(RegistrationCategory.event_id == event.id))
    assert (category.price_minor, category.currency) == (1000, "JPY")
    edit = client.get(f"/manage/{event.slug}/registration/categories/{category.id}").get_data(as_text=True)
    assert 'value="1000"' in edit and "Fee (JPY)" in edit
    assert "¥1,000" in client.get(f"/manage/{event.slug}/registration/categories").get_data(as_text=True)

    public = client.get(f"/e/{event.slug}/register").get_data(as_text=True)
    assert "¥1,000" in public and "10.00" not in public
    review = client.post(f"/e/{event.slug}/register", data={
        "step": "details", f"quantity_{category.id}": "2", "form_token": "tok-yen", "payment_method": "invoice",
        "attendees-0-first_name": "Aiko", "attendees-0-email": "aiko@example.org",
        "attendees-1-first_name": "Ren", "attendees-1-email": "ren@example.org"})
    page = review.get_data(as_text=True)
    assert review.status_code == 200 and "¥2,000" in page, page
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    done = client.post(f"/e/{event.slug}/register", data={**carried, "step": "confirm"})
    assert done.status_code == 302
    order = db.session.scalar(select(Order).where(Order.event_id == event.id))
    assert (order.total_minor, order.currency) == (2000, "JPY")
    assert "¥2,000" in client.get(done.headers["Location"]).get_data(as_text=True)

    base = f"/manage/{event.slug}/orders/{order.code}"
    part = client.post(f"{base}/mark-paid", data={"method": "invoice", "amount": "999.5"})
    assert part.status_code == 422 and "JPY has no decimal places" in part.get_data(as_text=True)
    paid = client.post(f"{base}/mark-paid", data={"method": "invoice", "amount": "2,000"}, follow_redirects=True)
    assert "Payment of ¥2,000 recorded." in paid.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, order.id).paid_minor == 2000

    receipt = client.get(f"{base}/receipt").get_data(as_text=True)
    assert "¥2,000" in receipt and "20.00" not in receipt
    pdf = PdfReader(io.BytesIO(client.get(f"{base}/receipt.pdf").data))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "2,000" in text and "20.00" not in text

    rows = list(csv.DictReader(io.StringIO(client.get(f"/manage/{event.slug}/registrations/export.csv").get_data(as_text=True))))
    assert [(r["Price"], r["Currency"]) for r in rows] == [("1000", "JPY"), ("1000", "JPY")]

    refunded = client.post(f"{base}/refund", data={"amount": "500", "reason": "One could not come"}, follow_redirects=True)
    assert "Refund of ¥500 recorded." in refunded.get_data(as_text=True)
    assert db.session.scalar(select(Refund.amount_minor).where(Refund.order_id == order.id)) == 500
    notice = next(m for m in mail.wait_for(3) if "refund" in m.subject.lower())
    assert "¥500" in notice.text and "5.00" not in notice.text


def test_yen_pay_what_you_can_amounts_are_whole_yen(client, db, event):
    category = make_category(event, name="Community member", price_kind="pay_what_you_can", currency="JPY",
                             min_minor=500, suggested_minor=2500, max_minor=10000)
    db.session.commit()
    page = client.post(f"/e/{event.slug}/register", data={"step": "choose", f"quantity_{category.id}": "1"})
    assert 'value="2500"' in client.get(f"/e/{event.slug}/register").get_data(as_text=True)
    assert page.status_code == 200
    refused = client.post(f"/e/{event.slug}/register", data={"step": "choose", f"quantity_{category.id}": "1",
                                                             f"amount_{category.id}": "2500.5"})
    assert refused.status_code == 422 and "JPY has no decimal places" in refused.get_data(as_text=True)
    too_little = client.post(f"/e/{event.slug}/register", data={"step": "choose", f"quantity_{category.id}": "1",
                                                                f"amount_{category.id}": "300"})
    assert "Pay at least 500 JPY." in too_little.get_data(as_text=True)


def test_dinar_prices_take_three_decimals(client, db, organiser, event, login_as):
    login_as(organiser)
    _set_currency(client, event, "KWD")
    refused = _new_category(client, event, name="General", price_kind="fixed", price="12.3456")
    assert refused.status_code == 422 and "Use at most 3 decimal places for KWD." in refused.get_data(as_text=True)
    assert _new_category(client, event, name="General", price_kind="fixed", price="12.345").status_code == 302
    category = db.session.scalar(select(RegistrationCategory).where(RegistrationCategory.event_id == event.id))
    assert (category.price_minor, category.currency) == (12345, "KWD")
    assert "KWD 12.345" in client.get(f"/e/{event.slug}/register").get_data(as_text=True)
    assert 'value="12.345"' in client.get(f"/manage/{event.slug}/registration/categories/{category.id}").get_data(as_text=True)


def test_dollar_prices_still_take_cents(client, db, organiser, event, login_as):
    login_as(organiser)
    assert _new_category(client, event, name="General", price_kind="fixed", price="150.5").status_code == 302
    category = db.session.scalar(select(RegistrationCategory).where(RegistrationCategory.event_id == event.id))
    assert (category.price_minor, category.currency) == (15050, "USD")
    assert "$150.50" in client.get(f"/e/{event.slug}/register").get_data(as_text=True)
    assert 'value="150.50"' in client.get(f"/manage/{event.slug}/registration/categories/{category.id}").get_data(as_text=True)
