"""Prices, codes and refund amounts: pure rules over already-loaded rows."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from ..events.content_languages import tr
from ..money import with_code
from .models import (
    AccessCode, DiscountCode, DiscountKind, Order, PriceKind, RefundPolicy, RegistrationCategory, RegistrationSettings,
)


def base_price(category: RegistrationCategory, amount_minor: int | None) -> tuple[int, str | None]:
    """(price, error) for one attendee in `category`; `amount_minor` is the pay-what-you-can choice."""
    if category.price_kind == PriceKind.FREE:
        return 0, None
    if category.price_kind == PriceKind.FIXED:
        return category.price_minor, None
    if amount_minor is None:
        amount_minor = category.suggested_minor or category.min_minor
    if amount_minor < category.min_minor:
        return amount_minor, gettext("Pay at least %(amount)s.", amount=with_code(category.min_minor, category.currency))
    if category.max_minor is not None and amount_minor > category.max_minor:
        return amount_minor, gettext("Pay at most %(amount)s.", amount=with_code(category.max_minor, category.currency))
    return amount_minor, None


def discount_applies(code: DiscountCode, category_id: int) -> bool:
    return not code.category_ids or category_id in code.category_ids


def discount_for(code: DiscountCode | None, category_id: int, price_minor: int) -> int:
    """The discount on one attendee's price: never more than the price."""
    if code is None or price_minor <= 0 or not discount_applies(code, category_id):
        return 0
    if code.kind == DiscountKind.PERCENT:
        return min(price_minor, price_minor * code.percent // 100)
    return min(price_minor, code.amount_minor)


def discount_code_problem(code: DiscountCode | None, *, now: datetime) -> str | None:
    if code is None or not code.is_active:
        return gettext("That discount code is not valid for this event.")
    if code.valid_from and now < code.valid_from:
        return gettext("That discount code is not valid yet.")
    if code.valid_until and now >= code.valid_until:
        return gettext("That discount code has expired.")
    if code.usage_limit is not None and code.times_used >= code.usage_limit:
        return gettext("That discount code has been used up.")
    return None


def access_code_problem(code: AccessCode | None, *, now: datetime) -> str | None:
    if code is None or not code.is_active:
        return gettext("That access code is not valid for this event.")
    if code.valid_until and now >= code.valid_until:
        return gettext("That access code has expired.")
    if code.usage_limit is not None and code.times_used >= code.usage_limit:
        return gettext("That access code has been used up.")
    return None


def access_unlocks(code: AccessCode | None, category_id: int) -> bool:
    return code is not None and (not code.category_ids or category_id in code.category_ids)


def sales_problem(category: RegistrationCategory, *, now: datetime) -> str | None:
    if not category.is_active:
        return gettext("%(category)s is not available.", category=tr(category, "name"))
    if category.sales_start and now < category.sales_start:
        return gettext("%(category)s is not on sale yet.", category=tr(category, "name"))
    if category.sales_end and now >= category.sales_end:
        return gettext("%(category)s is no longer on sale.", category=tr(category, "name"))
    return None


def refundable_by_policy(order: Order, settings: RegistrationSettings, *, now: datetime) -> int:
    """What the attendee may get back by cancelling: the policy, capped at paid minus refunded."""
    remaining = max(order.paid_minor - order.refunded_minor, 0)
    if settings.refund_policy == RefundPolicy.NONE:
        return 0
    if settings.refund_policy == RefundPolicy.UNTIL_DATE:
        if settings.refund_until is None or now >= settings.refund_until:
            return 0
    return remaining
