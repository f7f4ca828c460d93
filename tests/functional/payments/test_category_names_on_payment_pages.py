"""The buyer's payment pages, Stripe's checkout page and the receipt name the event and its
categories in the buyer's language (issue 13): the Spanish names the organiser wrote."""
from __future__ import annotations

from html import unescape

from confapp.i18n import LANGUAGE_COOKIE
from confapp.payments.links import receipt_token
from tests.factories import make_event
from tests.functional.payments.test_pages import paid_order_with_refund
from tests.support.payment_orders import make_card_order, make_paid_category


def _bilingual(db, event, category):
    event.languages = ["en", "es"]
    event.translations = {"es": {"title": "Encuentro de recibos"}}
    category.translations = {"es": {"name": "Miembro de la comunidad"}}
    db.session.commit()


def test_the_pay_page_and_stripes_page_in_spanish(client, db, checkout, now):
    event = make_event(title="Receipts Convening")
    category = make_paid_category(event, price_minor=4200, name="Community member")
    order = make_card_order(event, category, now=now, language="es")
    _bilingual(db, event, category)
    url = f"/e/{event.slug}/orders/{receipt_token(order)}/pay"
    client.set_cookie(LANGUAGE_COOKIE, "es")
    page = unescape(client.get(url).get_data(as_text=True))
    assert "<dd>Encuentro de recibos</dd>" in page and "Receipts Convening" not in page
    assert client.post(url).status_code == 303
    [call] = checkout.created
    product = call["params"]["line_items"][0]["price_data"]["product_data"]
    assert product["description"] == "Miembro de la comunidad"
    assert product["name"].startswith("Encuentro de recibos")


def test_the_receipt_lists_the_spanish_category_name(client, db, now):
    event, order = paid_order_with_refund(db, now)
    _bilingual(db, event, order.registrations[0].category)
    url = f"/e/{event.slug}/orders/{order.code}/receipt/{receipt_token(order)}"
    client.set_cookie(LANGUAGE_COOKIE, "es")
    html = unescape(client.get(url).get_data(as_text=True))
    assert "Miembro de la comunidad" in html and "Encuentro de recibos" in html
    assert "Community member" not in html and "Receipts Convening" not in html
    client.set_cookie(LANGUAGE_COOKIE, "en")
    english = unescape(client.get(url).get_data(as_text=True))
    assert "Community member" in english and "Miembro" not in english


def test_a_refund_reason_the_code_wrote_is_shown_in_spanish_and_an_organisers_own_as_typed(client, db, now):
    from confapp.accounts.models import Role
    from confapp.payments import services
    from tests.conftest import login
    from tests.factories import grant, make_user

    event, order = paid_order_with_refund(db, now)  # refunded once with the organiser's "Goodwill"
    services.refund_order(order, 500, actor=None, reason="Cancelled by the attendee", now=now)
    organiser = make_user()
    grant(event, organiser, Role.ORGANISER)
    db.session.commit()
    login(client, organiser)
    client.set_cookie(LANGUAGE_COOKIE, "es")
    page = unescape(client.get(f"/manage/{event.slug}/orders/{order.code}/payments").get_data(as_text=True))
    assert "<td>Cancelada por la persona inscrita</td>" in page and "Cancelled by the attendee" not in page
    assert "<td>Goodwill</td>" in page
