"""Money is an integer amount of the currency's minor unit plus its ISO 4217 code.

How many decimals a currency has (its exponent: 2 for USD, 0 for JPY, 3 for KWD) is decided here
and only here, from Babel's copy of the Unicode CLDR currency data (`get_currency_precision`),
which follows ISO 4217. Display, form parsing, validation messages and exports all go through
these functions; Stripe's own idea of a currency's smallest unit is applied at the Stripe
boundary (`payments/gateway.py`).
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision
from flask_babel import gettext

# The currencies an organiser can choose for an event (all of them supported by Stripe).
CURRENCIES = (
    ("USD", "US dollar"), ("CAD", "Canadian dollar"), ("EUR", "Euro"), ("GBP", "Pound sterling"),
    ("CHF", "Swiss franc"), ("AUD", "Australian dollar"), ("JPY", "Japanese yen"), ("KRW", "South Korean won"),
    ("CLP", "Chilean peso"), ("COP", "Colombian peso"), ("MXN", "Mexican peso"), ("BRL", "Brazilian real"),
    ("ZAR", "South African rand"), ("KES", "Kenyan shilling"), ("UGX", "Ugandan shilling"),
    ("XOF", "West African CFA franc"), ("INR", "Indian rupee"), ("VND", "Vietnamese dong"),
    ("KWD", "Kuwaiti dinar"), ("BHD", "Bahraini dinar"), ("JOD", "Jordanian dinar"), ("TND", "Tunisian dinar"),
)
# A symbol only where it cannot be mistaken; anything else shows its code ("KWD 1.500").
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "JPY": "¥", "KRW": "₩"}
_NOISE = re.compile(r"CA\$|[\s,$€£¥₩]", re.IGNORECASE)


def exponent(currency: str) -> int:
    """Decimal places of the currency's minor unit (ISO 4217 via CLDR): USD 2, JPY 0, KWD 3."""
    return get_currency_precision((currency or "USD").upper())


def to_major(amount_minor: int, currency: str) -> Decimal:
    return Decimal(int(amount_minor)).scaleb(-exponent(currency))


def plain(amount_minor: int | None, currency: str, *, grouping: bool = False) -> str:
    """The amount as a bare number with the currency's decimals: '12.50', '1000', '1.500'
    (for form fields, CSV cells and history notes); `grouping` adds thousands separators."""
    if amount_minor is None:
        return ""
    places = exponent(currency)
    value = to_major(amount_minor, currency)
    return f"{value:,.{places}f}" if grouping else f"{value:.{places}f}"


def format_money(amount_minor: int | None, currency: str = "USD") -> str:
    """'$1,250.00', '¥1,000', 'KWD 1.500', 'CHF 12.00' in English; in another interface language,
    that locale's own way through Babel's format_currency ('1250,00 US$' in Spanish)."""
    if amount_minor is None:
        return ""
    code = (currency or "USD").upper()
    locale = _display_locale()
    if locale is not None:
        return format_currency(to_major(amount_minor, code), code, locale=locale, currency_digits=True)
    return f"{_SYMBOLS.get(code, code + ' ')}{plain(amount_minor, code, grouping=True)}"


def _display_locale():
    """The active locale when it is not English (English keeps the unambiguous symbols above)."""
    from flask import has_app_context
    from flask_babel import get_locale

    if not has_app_context():
        return None
    locale = get_locale()
    return locale if locale is not None and locale.language != "en" else None


def with_code(amount_minor: int, currency: str) -> str:
    """'12.50 USD', '1000 JPY': for sentences and history notes."""
    return f"{plain(amount_minor, currency)} {(currency or '').upper()}"


def example(currency: str) -> str:
    """'25 or 25.50' / '1000' / '25 or 25.500': how an amount in this currency is typed."""
    places = exponent(currency)
    return "1000" if places == 0 else gettext("%(whole)s or %(decimal)s", whole="25", decimal=f"25.{'5'.ljust(places, '0')}")


# The largest amount anyone types (a fee, a payment, a refund): 100,000.00 USD, 10,000,000 JPY. One
# order's total of MAX_PLACES_PER_ORDER such fees still fits the database's integer columns.
MAX_AMOUNT_MINOR = 10_000_000


def parse_money(text: str | None, currency: str) -> int | None:
    """Typed text -> minor units: '25', '25.5', '$1,000.00' (USD) -> 2500, 2550, 100000;
    '1,000' / '¥1000' (JPY) -> 1000; '1.5' (KWD) -> 1500. Empty -> None.
    Raises ValueError with a message for the person typing: not a number, or more decimals
    than the currency has ('JPY has no decimal places'), or more than MAX_AMOUNT_MINOR."""
    code = (currency or "").upper()
    text = _NOISE.sub("", text or "").upper()
    text = text.removeprefix(code).removesuffix(code) if code else text
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(gettext("Enter an amount like %(example)s.", example=example(currency))) from error
    if not value.is_finite():
        raise ValueError(gettext("Enter an amount like %(example)s.", example=example(currency)))
    if abs(value) > to_major(MAX_AMOUNT_MINOR, currency):
        raise ValueError(gettext("Enter an amount of at most %(amount)s.", amount=plain(MAX_AMOUNT_MINOR, currency, grouping=True)))
    places = exponent(currency)
    if value != value.quantize(Decimal(1).scaleb(-places)):
        if places == 0:
            raise ValueError(gettext("%(code)s has no decimal places: enter a whole amount like %(example)s.", code=code,
                                         example=example(currency)))
        raise ValueError(gettext("Use at most %(places)s decimal places for %(code)s.", places=places, code=code))
    return int(value.scaleb(places))
