"""The buyer's payment pages, receipts (HTML and PDF), the organiser's actions and who may use them."""
import subprocess
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from confapp.payments import services
from confapp.payments.links import receipt_token
from confapp.payments.models import Payment, PaymentStatus
from confapp.registration.models import PaymentState, RegistrationStatus
from confapp.accounts.models import Role
from tests.factories import grant, make_event, make_user
from tests.support.access import access_world, assert_access, everyone, organisers_only
from tests.support.payment_orders import enable_offline_methods, make_card_order, make_paid_category
from tests.support.tokens import forge


def test_pay_page_shows_what_is_due_and_posting_goes_to_stripe_checkout(client, db, checkout, now):
    event = make_event()
    order = make_card_order(event, make_paid_category(event, price_minor=4200), now=now)
    db.session.commit()
    token = receipt_token(order)
    url = f"/e/{event.slug}/orders/{token}/pay"
    page = client.get(url)
    assert page.status_code == 200
    assert b"$42.00" in page.data and order.code.encode() in page.data
    response = client.post(url)
    assert response.status_code == 303
    [call] = checkout.created
    assert response.headers["Location"] == checkout.sessions[call["id"]]["url"]
    assert call["params"]["success_url"].endswith(f"/e/{event.slug}/orders/{token}/payment/done")
    assert call["params"]["cancel_url"].endswith(f"/e/{event.slug}/orders/{token}/payment/cancelled")
    # A double click lands on the same Stripe page; nothing new is created.
    again = client.post(url)
    assert again.headers["Location"] == response.headers["Location"] and len(checkout.created) == 1


def test_pay_page_for_an_unknown_order_or_another_event_is_404(client, db, now):
    event, other = make_event(), make_event()
    order = make_card_order(event, now=now)
    db.session.commit()
    assert client.get(f"/e/{event.slug}/orders/NOPE1234/pay").status_code == 404
    assert client.get(f"/e/{other.slug}/orders/{receipt_token(order)}/pay").status_code == 404


def test_pay_page_after_payment_says_so(client, db, now):
    from confapp.registration.services import confirm_paid_order

    event = make_event()
    order = make_card_order(event, now=now)
    confirm_paid_order(order, amount_minor=order.total_minor, now=now)
    db.session.commit()
    token = receipt_token(order)
    page = client.get(f"/e/{event.slug}/orders/{token}/pay")
    assert b"already paid" in page.data
    assert client.post(f"/e/{event.slug}/orders/{token}/pay").status_code == 409
    done = client.get(f"/e/{event.slug}/orders/{token}/payment/done")
    assert b"registration is confirmed" in done.data


def test_success_page_before_the_webhook_says_being_confirmed(client, db, now):
    event = make_event()
    order = make_card_order(event, now=now)
    db.session.commit()
    page = client.get(f"/e/{event.slug}/orders/{receipt_token(order)}/payment/done")
    assert page.status_code == 200 and b"confirming it now" in page.data


def test_cancel_page_offers_to_pay_again_or_give_up(client, db, checkout, now):
    event = make_event()
    order = make_card_order(event, now=now)
    db.session.commit()
    token = receipt_token(order)
    client.post(f"/e/{event.slug}/orders/{token}/pay")
    cancel_url = checkout.created[0]["params"]["cancel_url"]
    assert cancel_url.endswith(f"/orders/{token}/payment/cancelled")
    page = client.get(cancel_url)
    assert b"Try paying again" in page.data and b"Cancel my registration" in page.data
    # Without the signed token (someone who only knows the order code) nobody can give the places up.
    assert b"Cancel my registration" not in client.get(f"/e/{event.slug}/orders/{order.code}/payment/cancelled").data
    assert client.post(f"/e/{event.slug}/orders/{order.code}/payment/abandon", data={"t": "forged"}).status_code == 404
    assert client.post(f"/e/{event.slug}/orders/{forge(token)}/payment/abandon").status_code == 404
    assert all(r.status == RegistrationStatus.AWAITING_PAYMENT for r in order.registrations)
    response = client.post(f"/e/{event.slug}/orders/{token}/payment/abandon")
    assert response.status_code == 200 and b"registration is cancelled" in response.data
    db.session.expire_all()
    assert all(r.status == RegistrationStatus.EXPIRED for r in order.registrations)
    [payment] = db.session.scalars(select(Payment).where(Payment.order_id == order.id)).all()
    assert payment.status == PaymentStatus.EXPIRED
    assert checkout.expired == [payment.stripe_checkout_session_id]


def paid_order_with_refund(db, now, *, price_minor=3000, quantity=2):
    event = make_event(title="Receipts Convening")
    enable_offline_methods(event)
    order = make_card_order(event, make_paid_category(event, price_minor=price_minor, name="Community member"),
                            now=now, quantity=quantity, payment_method="invoice", first_name="Amara", last_name="Okafor")
    treasurer = make_user()
    grant(event, treasurer, Role.ORGANISER)  # recording a payment needs the role (the service checks)
    services.mark_paid_offline(order, method="invoice", actor=treasurer, now=now, note="INV-2026-7")
    services.refund_order(order, 1000, actor=None, reason="Goodwill", now=now)
    db.session.commit()
    return event, order


def test_receipt_page_and_pdf_list_lines_payments_and_refunds(client, db, now, artifacts_dir):
    event, order = paid_order_with_refund(db, now)
    token = receipt_token(order)
    page = client.get(f"/e/{event.slug}/orders/{order.code}/receipt/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("Amara Okafor", "Community member", "$60.00", "Invoice / bank transfer", "−$10.00", "$50.00"):
        assert text in html

    pdf = client.get(f"/e/{event.slug}/orders/{order.code}/receipt/{token}.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages)
    for expected in (order.code, "Amara Okafor", "Community member", "$60.00", "$10.00", "Net paid", "$50.00"):
        assert expected in text
    path = artifacts_dir / "payments-receipt.pdf"
    path.write_bytes(pdf.data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(path), str(artifacts_dir / "payments-receipt")],
                   check=True)
    assert (artifacts_dir / "payments-receipt.png").stat().st_size > 5000


def test_receipt_needs_the_signed_token_and_money_received(client, db, now):
    event, order = paid_order_with_refund(db, now)
    assert client.get(f"/e/{event.slug}/orders/{order.code}/receipt/forged").status_code == 404
    unpaid = make_card_order(event, now=now)
    db.session.commit()
    assert client.get(f"/e/{event.slug}/orders/{unpaid.code}/receipt/{receipt_token(unpaid)}").status_code == 404


def test_organiser_refunds_part_then_is_stopped_at_the_limit(client, db, login_as, now, mail):
    organiser = make_user()
    event, order = paid_order_with_refund(db, now)
    from confapp.accounts.models import Role
    from tests.factories import grant

    grant(event, organiser, Role.ORGANISER)
    db.session.commit()
    login_as(organiser)
    panel = client.get(f"/manage/{event.slug}/orders/{order.code}/payments")
    assert panel.status_code == 200 and b"Refund (up to $50.00)" in panel.data
    base = f"/manage/{event.slug}/orders/{order.code}"
    ok = client.post(f"{base}/refund", data={"amount": "20.50", "reason": "Partial", "next": f"{base}/payments"})
    assert ok.status_code == 303 and ok.headers["Location"].endswith(f"{base}/payments")
    db.session.expire_all()
    assert order.refunded_minor == 3050
    too_much = client.post(f"{base}/refund", data={"amount": "30", "reason": "Too much"})
    assert too_much.status_code == 422 and b"At most 29.50 USD can be refunded" in too_much.data
    db.session.expire_all()
    assert order.refunded_minor == 3050
    full = client.post(f"{base}/refund", data={"full": "y", "reason": "All of it", "next": "https://evil.example/"})
    assert full.status_code == 303 and full.headers["Location"].endswith(f"{base}/payments")
    db.session.expire_all()
    assert order.refunded_minor == 6000 and order.payment_state == PaymentState.REFUNDED
    assert any("Refund" in m.subject for m in mail.wait_for(2))


def test_organiser_marks_an_invoice_paid(client, db, login_as, now):
    organiser = make_user()
    event = make_event(organiser=organiser)
    enable_offline_methods(event)
    order = make_card_order(event, make_paid_category(event, price_minor=2500), now=now, payment_method="invoice")
    db.session.commit()
    login_as(organiser)
    base = f"/manage/{event.slug}/orders/{order.code}"
    bad = client.post(f"{base}/mark-paid", data={"method": "invoice", "amount": "26"})
    assert bad.status_code == 422 and b"At most 25.00" in bad.data
    ok = client.post(f"{base}/mark-paid", data={"method": "invoice", "note": "INV-1"})
    assert ok.status_code == 303
    db.session.expire_all()
    assert order.payment_state == PaymentState.PAID and order.paid_minor == 2500
    receipt = client.get(f"{base}/receipt")
    assert receipt.status_code == 200 and b"$25.00" in receipt.data
    assert client.get(f"{base}/receipt.pdf").data.startswith(b"%PDF")


def test_payment_routes_access_table(client, db, now, gateway):
    world = access_world()
    event = world.event
    enable_offline_methods(event)
    order = make_card_order(event, make_paid_category(event, price_minor=2500), now=now, payment_method="invoice")
    services.mark_paid_offline(order, amount_minor=1000, method="invoice", actor=world.users["organiser"], now=now)
    slug, base = event.slug, f"/manage/{event.slug}/orders/{order.code}"
    token = receipt_token(order)
    assert_access(client, db, world, [
        ("GET", f"{base}/payments", organisers_only(200)),
        ("POST", f"{base}/refund", organisers_only(303), {"amount": "1", "reason": "Test"}),
        ("POST", f"{base}/mark-paid", organisers_only(303), {"method": "invoice", "amount": "1"}),
        ("GET", f"{base}/receipt", organisers_only(200)),
        ("GET", f"{base}/receipt.pdf", organisers_only(200)),
        ("GET", f"/e/{slug}/orders/{order.code}/receipt/{token}", everyone(200)),
        ("GET", f"/e/{slug}/orders/{order.code}/receipt/{token}x", everyone(404)),
        ("GET", f"/e/{slug}/orders/{token}/payment/done", everyone(200)),
        ("GET", f"/e/{slug}/orders/{order.code}/payment/done", everyone(404)),
        ("POST", "/payments/stripe/webhook", everyone(400), {"not": "signed"}),
    ])


def test_receipt_and_payment_panel_take_the_same_queries_for_one_or_many_attendees(client, db, login_as, now):
    from confapp.accounts.models import Role
    from tests.factories import grant
    from tests.support.queries import count_queries

    organiser = make_user()
    counts = []
    for quantity in (1, 6):
        event, order = paid_order_with_refund(db, now, quantity=quantity)
        grant(event, organiser, Role.ORGANISER)
        db.session.commit()
        login_as(organiser)
        token = receipt_token(order)
        pages = [f"/e/{event.slug}/orders/{order.code}/receipt/{token}",
                 f"/manage/{event.slug}/orders/{order.code}/payments"]
        db.session.expire_all()
        row = []
        for url in pages:
            with count_queries(db.engine) as counter:
                assert client.get(url).status_code == 200
            row.append(counter.count)
        counts.append(row)
    assert counts[0] == counts[1], counts


def test_without_a_stripe_key_the_pay_page_says_so_and_nothing_is_created(client, db, app, now):
    from confapp.payments.gateway import StripeGateway, set_gateway

    event = make_event()
    order = make_card_order(event, now=now)
    db.session.commit()
    set_gateway(app, StripeGateway("", api_base="http://127.0.0.1:9"))
    try:
        page = client.get(f"/e/{event.slug}/orders/{receipt_token(order)}/pay")
        assert b"Card payments are not available yet" in page.data and b"by card</button>" not in page.data
        assert client.post(f"/e/{event.slug}/orders/{receipt_token(order)}/pay").status_code == 409
        assert db.session.scalar(select(Payment.id).where(Payment.order_id == order.id)) is None
    finally:
        set_gateway(app, None)


def test_receipt_adds_up_for_money_confirmed_without_a_payment_row(client, db, now):
    from confapp.registration.services import confirm_paid_order

    event = make_event()
    order = make_card_order(event, make_paid_category(event, price_minor=2200), now=now)
    confirm_paid_order(order, amount_minor=2200, now=now)
    db.session.commit()
    html = client.get(f"/e/{event.slug}/orders/{order.code}/receipt/{receipt_token(order)}").get_data(as_text=True)
    assert "Card (Stripe)" in html and html.count("$22.00") >= 3


def test_event_payments_page_totals_attention_and_a_fixed_query_count(client, db, login_as, now):
    from confapp.payments.models import Refund, RefundStatus
    from tests.support.queries import count_queries

    organiser = make_user()
    event = make_event(organiser=organiser)
    enable_offline_methods(event)
    category = make_paid_category(event, price_minor=2000)

    def add_paid(n):
        for _ in range(n):
            order = make_card_order(event, category, now=now, payment_method="invoice")
            services.mark_paid_offline(order, method="invoice", actor=organiser, now=now)

    add_paid(2)
    first = db.session.scalars(select(Payment).where(Payment.event_id == event.id)).first()
    services.refund_order(first.order, 500, actor=organiser, reason="Goodwill", now=now)
    db.session.add(Refund(payment_id=first.id, order_id=first.order_id, amount_minor=100, currency="USD",
                          status=RefundStatus.FAILED, reason="Card closed", failure_message="Card closed"))
    db.session.commit()
    login_as(organiser)
    url = f"/manage/{event.slug}/payments"
    page = client.get(url).get_data(as_text=True)
    assert "Invoice / bank transfer" in page and "$40.00" in page and "$5.00" in page and "$35.00" in page
    assert "Refunds that need attention" in page and "Card closed" in page
    db.session.expire_all()
    with count_queries(db.engine) as few:
        client.get(url)
    add_paid(5)
    db.session.commit()
    db.session.expire_all()
    with count_queries(db.engine) as many:
        assert "$140.00" in client.get(url).get_data(as_text=True)
    assert few.count == many.count, many.statements


def test_event_payments_page_access(client, db, now):
    world = access_world()
    assert_access(client, db, world, [("GET", f"/manage/{world.event.slug}/payments", organisers_only(200))])


def test_a_refund_notice_speaks_the_language_the_order_was_placed_in(client, db, login_as, now, mail):
    """Booked in Spanish; the organiser refunds from an English page: the buyer reads Spanish."""
    organiser = make_user()
    event = make_event(title="Receipts Convening")
    enable_offline_methods(event)
    order = make_card_order(event, make_paid_category(event, price_minor=3000, name="Community member"),
                            now=now, payment_method="invoice", first_name="Amara", last_name="Okafor")
    order.language = "es"
    grant(event, organiser, Role.ORGANISER)
    services.mark_paid_offline(order, method="invoice", actor=organiser, now=now, note="INV-2026-8")
    db.session.commit()
    login_as(organiser)
    mail.clear()
    base = f"/manage/{event.slug}/orders/{order.code}"
    assert client.post(f"{base}/refund", data={"amount": "10", "reason": "Partial"},
                       headers={"Accept-Language": "en"}).status_code == 303
    [notice] = [m for m in mail.wait_for(1) if "Reembolso" in m.subject or "Refund" in m.subject]
    assert notice.subject == "Reembolso de su inscripción en Receipts Convening"
    assert notice.text.startswith("Hola, Amara Okafor:") and "le ha reembolsado 10,00\xa0US$" in notice.text
    assert '<html lang="es">' in notice.html
