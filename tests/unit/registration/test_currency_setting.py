"""One currency per event: changing the setting carries the categories and fixed discounts
with it, as typed, until someone has been asked to pay."""
import pytest

from confapp.errors import ValidationFailed
from confapp.registration import catalogue
from confapp.registration.catalogue import CategoryData
from tests.factories import make_registration


def _settings(event, organiser, currency):
    return catalogue.save_settings(event, {"currency": currency}, actor=organiser)


def test_new_currency_moves_categories_and_discounts_keeping_the_typed_amounts(db, event, organiser):
    fixed = catalogue.save_category(event, CategoryData(name="General", price_kind="fixed", price_minor=15000), actor=organiser)
    pwyc = catalogue.save_category(event, CategoryData(name="Community", price_kind="pay_what_you_can", min_minor=0,
                                                       suggested_minor=2500, max_minor=None), actor=organiser)
    code = catalogue.create_discount_code(event, code="ALLY", kind="fixed", amount_minor=500, actor=organiser)
    assert fixed.currency == "USD"

    _settings(event, organiser, "JPY")
    assert (fixed.currency, fixed.price_minor) == ("JPY", 150)
    assert (pwyc.currency, pwyc.min_minor, pwyc.suggested_minor, pwyc.max_minor) == ("JPY", 0, 25, None)
    assert code.amount_minor == 5

    _settings(event, organiser, "KWD")
    assert (fixed.currency, fixed.price_minor, code.amount_minor) == ("KWD", 150000, 5000)


def test_amounts_the_new_currency_cannot_express_are_refused_and_nothing_changes(db, event, organiser):
    fixed = catalogue.save_category(event, CategoryData(name="General", price_kind="fixed", price_minor=15050), actor=organiser)
    with pytest.raises(ValidationFailed) as error:
        _settings(event, organiser, "JPY")
    assert error.value.errors["currency"] == "General costs 150.50 USD, which JPY cannot express: change its amounts first."
    assert (fixed.currency, fixed.price_minor) == ("USD", 15050)


def test_currency_is_fixed_once_someone_was_asked_to_pay(db, event, organiser):
    category = catalogue.save_category(event, CategoryData(name="General", price_kind="fixed", price_minor=15000),
                                       actor=organiser)
    make_registration(event, category)
    with pytest.raises(ValidationFailed) as error:
        _settings(event, organiser, "EUR")
    assert "the currency can no longer change" in error.value.errors["currency"]
    assert category.currency == "USD"
    _settings(event, organiser, "USD")  # saving the same currency again is fine
