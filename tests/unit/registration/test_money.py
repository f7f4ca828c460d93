"""Money in each currency's own minor unit: JPY has none, KWD three, USD two (ISO 4217 via
Babel's CLDR data), for display, typed amounts and Stripe's units."""
import pytest

from confapp import money
from confapp.payments.gateway import from_stripe_amount, to_stripe_amount
from confapp.registration.forms import parse_money as parse_registration_amount
from confapp.templating import format_money


def test_exponent_comes_from_iso_4217():
    assert [money.exponent(c) for c in ("USD", "eur", "JPY", "KRW", "VND", "CLP", "KWD", "BHD", "TND")] == \
        [2, 2, 0, 0, 0, 0, 3, 3, 3]


def test_usd_and_other_two_decimal_currencies_show_as_before():
    assert format_money(123456, "USD") == "$1,234.56"
    assert format_money(1250, "EUR") == "€12.50"
    assert format_money(1250, "GBP") == "£12.50"
    assert format_money(1250, "CAD") == "CA$12.50"
    assert format_money(1200, "CHF") == "CHF 12.00"
    assert format_money(0, "USD") == "$0.00"
    assert format_money(None, "USD") == ""


def test_yen_has_no_decimals_and_dinar_has_three():
    assert format_money(1000, "JPY") == "¥1,000"
    assert format_money(150000, "JPY") == "¥150,000"
    assert format_money(1500, "KWD") == "KWD 1.500"
    assert money.plain(1000, "JPY") == "1000" and money.plain(12345, "KWD") == "12.345"
    assert money.with_code(2550, "USD") == "25.50 USD"


@pytest.mark.parametrize(("text", "currency", "minor"), [
    ("25", "USD", 2500), ("25.5", "USD", 2550), ("$1,000.00", "USD", 100000), ("", "USD", None),
    ("1000", "JPY", 1000), ("1,000", "JPY", 1000), ("¥1000", "JPY", 1000), ("1000 JPY", "JPY", 1000),
    ("1.5", "KWD", 1500), ("12.345", "KWD", 12345), ("3", "KWD", 3000),
])
def test_typed_amounts_become_minor_units_of_their_currency(text, currency, minor):
    assert money.parse_money(text, currency) == minor


@pytest.mark.parametrize(("text", "currency", "message"), [
    ("1000.5", "JPY", "JPY has no decimal places: enter a whole amount like 1000."),
    ("12.3456", "KWD", "Use at most 3 decimal places for KWD."),
    ("12.345", "USD", "Use at most 2 decimal places for USD."),
    ("lots", "USD", "Enter an amount like 25 or 25.50."),
    ("lots", "KWD", "Enter an amount like 25 or 25.500."),
])
def test_too_many_decimals_or_not_a_number_is_refused_with_a_clear_message(text, currency, message):
    with pytest.raises(ValueError) as error:
        money.parse_money(text, currency)
    assert str(error.value) == message


def test_registration_amounts_cannot_be_negative():
    with pytest.raises(ValueError, match="Enter an amount like 1000"):
        parse_registration_amount("-5", "JPY")
    assert parse_registration_amount("0", "JPY") == 0


def test_stripe_units_match_ours_except_where_stripe_keeps_two_decimals():
    # Stripe's zero- and three-decimal lists agree with ISO 4217 for these.
    assert to_stripe_amount(1000, "JPY") == 1000 and from_stripe_amount(1000, "JPY") == 1000
    assert to_stripe_amount(1500, "KWD") == 1500 and from_stripe_amount(1500, "KWD") == 1500
    assert to_stripe_amount(2550, "USD") == 2550
    # ISK has no minor unit in ISO 4217, but Stripe wants 5 ISK sent as 500.
    assert to_stripe_amount(5, "ISK") == 500 and from_stripe_amount(500, "ISK") == 5


def test_amounts_are_shown_the_way_the_interface_language_writes_them(app):
    """English keeps its unambiguous symbols; Spanish (any other locale) gets Babel's CLDR format,
    the currency's own decimals kept."""
    from flask_babel import force_locale

    from confapp.money import format_money

    with app.test_request_context():
        assert format_money(125000, "USD") == "$1,250.00"
        with force_locale("es"):
            assert format_money(125000, "USD") == "1.250,00\xa0US$"
            assert format_money(1000, "JPY") == "1.000\xa0JPY"
            assert format_money(1500, "KWD") == "1,500\xa0KWD"
            assert format_money(1050, "EUR") == "10,50\xa0€"
