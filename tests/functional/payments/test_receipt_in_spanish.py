"""The receipt in Spanish: the page and its PDF carry lang="es", Spanish words, Spanish money
(Babel's format_currency) and Spanish statuses and payment methods; the organiser's payment box
speaks Spanish too. English visitors keep English.

Needs the Spanish catalogue with these strings (/work/notes/es-reg.json, merged and compiled)."""
import re
from io import BytesIO

import pytest
from flask_babel import force_locale, gettext
from pypdf import PdfReader

from confapp.accounts.models import Role
from confapp.i18n import LANGUAGE_COOKIE
from confapp.payments.links import receipt_token
from confapp.payments.queries import receipt_for
from confapp.payments.receipts import receipt_html
from tests.conftest import login
from tests.factories import grant, make_user
from tests.functional.payments.test_pages import paid_order_with_refund


@pytest.fixture
def spanish(app):
    with app.app_context(), force_locale("es"):
        merged = gettext("Page %(page)s of %(pages)s", page=1, pages=1) != "Page 1 of 1"
    assert merged, "the Spanish catalogue is not compiled: run `make translations`"


def test_the_receipt_page_and_pdf_in_spanish(spanish, app, client, db, now):
    event, order = paid_order_with_refund(db, now)
    url = f"/e/{event.slug}/orders/{order.code}/receipt/{receipt_token(order)}"
    client.set_cookie(LANGUAGE_COOKIE, "es")
    html = client.get(url).get_data(as_text=True)
    assert '<html lang="es"' in html
    for spanish in ("Recibo", "Número de recibo", "Facturado a", "Confirmada", "Factura / transferencia bancaria",
                    "Reembolso", "Pagado", "60,00\xa0US$", "Amara Okafor", "Community member"):
        assert spanish in html, spanish
    for english in (">Receipt<", ">Confirmed<", "Invoice / bank transfer", "$60.00"):
        assert english not in html, english
    # The order's date as Spanish writes a long date ("21 de noviembre de 2026"), through Babel.
    assert re.search(r"<dd>\d{1,2} de [a-z]+ de \d{4}</dd>", html)

    pdf = client.get(url + ".pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages)
    for spanish in ("Recibo", "Confirmada", "Pagado neto", "Página 1 de 1"):
        assert spanish in text, spanish
    assert "Net paid" not in text and "Page 1 of 1" not in text

    # The PDF's HTML names its language: Spanish inside a Spanish request, English otherwise.
    with app.test_request_context(), force_locale("es"):
        assert '<html lang="es">' in receipt_html(receipt_for(order, event))
    with app.test_request_context(), force_locale("en"):
        english = receipt_html(receipt_for(order, event))
        assert '<html lang="en">' in english and "Page " in english and ">Receipt<" in english


def test_the_organisers_payment_box_in_spanish(spanish, client, db, now):
    event, order = paid_order_with_refund(db, now)
    login(client, _organiser(db, event))
    client.set_cookie(LANGUAGE_COOKIE, "es")
    page = client.get(f"/manage/{event.slug}/orders/{order.code}/payments").get_data(as_text=True)
    assert '<html lang="es"' in page
    for spanish in ("Pedido", "Reembolsos", "Motivo", "Recibo (PDF)", "Reembolsado en parte", "Completado"):
        assert spanish in page, spanish
    for english in (">Refunds<", ">Reason<", "Receipt (PDF)", "Partially refunded", ">Succeeded"):
        assert english not in page, english


def _organiser(db, event):
    user = make_user()
    grant(event, user, Role.ORGANISER)
    db.session.commit()
    return user
