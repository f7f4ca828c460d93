"""Registration asks whether card payments can start through the check payments registers with
it (registration may not import payments): the answer is payments' own, and a run without the
check registered is a programming error rather than a silent "no card payments"."""
import pytest

from confapp.payments.gateway import StripeGateway, set_gateway
from confapp.registration import common


def test_registration_asks_payments_whether_a_card_payment_can_start(app):
    with app.test_request_context():
        set_gateway(app, StripeGateway(""))
        try:
            assert common.card_payments_available() is False
            set_gateway(app, StripeGateway("sk_test_only_configured"))
            assert common.card_payments_available() is True
        finally:
            set_gateway(app, None)


def test_without_the_check_registered_asking_is_an_error(app, monkeypatch):
    monkeypatch.setattr(common, "_card_payments_check", None)
    with app.test_request_context(), pytest.raises(RuntimeError, match="card payments check"):
        common.card_payments_available()


def test_the_check_is_registered_explicitly_not_through_app_extensions(app):
    assert not any("card_payments" in key for key in app.extensions)
    common.register_card_payments_check(lambda: True)
    try:
        with app.test_request_context():
            assert common.card_payments_available() is True
    finally:
        from confapp.payments.checkout import card_payments_available

        common.register_card_payments_check(card_payments_available)
