"""What organisers set up before registration opens: categories, questions (own and
built-in), discount and access codes, settings; and copying them to a new edition."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from ..accounts import permissions
from ..audit.services import record
from ..errors import ValidationFailed
from ..events.models import AttendanceMode, Event
from ..events.content_languages import default_language, event_languages, register_translatable
from ..events.services import register_copy_hook
from ..extensions import db
from ..money import exponent, with_code
from .models import (
    AccessCode, DiscountCode, DiscountKind, Order, PlaceKind, PriceKind, Question, QuestionKind, RefundPolicy, RegistrationCategory,
    RegistrationSettings,
)
from .common import settings_for
from .questions import BUILTIN_QUESTIONS

CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)

# The texts organisers can give in each of the event's languages (confapp/events/content_languages.py).
CATEGORY_TEXTS = ("name", "description")
QUESTION_TEXTS = ("label", "help_text", "options")
register_translatable(RegistrationCategory, CATEGORY_TEXTS)
register_translatable(Question, QUESTION_TEXTS)


def _require(actor, event) -> None:
    permissions.require(actor, permissions.Action.MANAGE_REGISTRATIONS, event)


@dataclass
class CategoryData:
    name: str
    price_kind: str = PriceKind.FREE
    description: str = ""
    price_minor: int = 0
    min_minor: int = 0
    suggested_minor: int = 0
    max_minor: int | None = None
    capacity: int | None = None
    sales_start: datetime | None = None
    sales_end: datetime | None = None
    visibility: str = "public"
    allows_waiver: bool = False
    requires_approval: bool = False
    is_active: bool = True
    position: int = 0
    # In person or online (PlaceKind); None keeps a category's kind (in person for a new one).
    attendance_mode: str | None = None


def _check_category(data: CategoryData, event: Event) -> None:
    errors = {}
    if data.attendance_mode is not None:
        if data.attendance_mode not in {k.value for k in PlaceKind}:
            errors["attendance_mode"] = gettext("Choose in person or online.")
        elif event.attendance_mode == AttendanceMode.IN_PERSON and data.attendance_mode == PlaceKind.ONLINE:
            errors["attendance_mode"] = gettext("An in-person event cannot have online places: make it hybrid on the Online page first.")
        elif event.attendance_mode == AttendanceMode.ONLINE and data.attendance_mode == PlaceKind.IN_PERSON:
            errors["attendance_mode"] = gettext("An online event cannot have in-person places: make it hybrid on the Online page first.")
    if not data.name.strip():
        errors["name"] = gettext("Give the category a name.")
    if data.price_kind == PriceKind.FIXED and data.price_minor <= 0:
        errors["price"] = gettext("Enter the fee, or choose Free.")
    if data.price_kind == PriceKind.PAY_WHAT_YOU_CAN:
        if data.max_minor is not None and data.max_minor < data.min_minor:
            errors["maximum"] = gettext("The maximum must be at least the minimum.")
        if data.suggested_minor and (data.suggested_minor < data.min_minor or (data.max_minor is not None and data.suggested_minor > data.max_minor)):
            errors["suggested"] = gettext("The suggested amount must lie between the minimum and the maximum.")
    if data.capacity is not None and data.capacity < 0:
        errors["capacity"] = gettext("Places cannot be negative.")
    if data.sales_start and data.sales_end and data.sales_end <= data.sales_start:
        errors["sales_end"] = gettext("Sales must end after they start.")
    if errors:
        raise ValidationFailed(errors)


def save_category(event: Event, data: CategoryData, *, actor, category: RegistrationCategory | None = None,
                  now: datetime | None = None) -> RegistrationCategory:
    """Create or update a category. Raises NotAllowed, ValidationFailed."""
    _require(actor, event)
    _check_category(data, event)
    if category is None:
        category = RegistrationCategory(event_id=event.id, currency=settings_for(event).currency)
        db.session.add(category)
    for f in fields(CategoryData):
        if f.name == "attendance_mode" and data.attendance_mode is None:
            continue
        setattr(category, f.name, PlaceKind(data.attendance_mode) if f.name == "attendance_mode" else getattr(data, f.name))
    category.name = data.name.strip()
    db.session.flush()
    record("registration.category_saved", actor=actor, event=event, target=category, now=now)
    return category


@dataclass
class QuestionData:
    label: str
    kind: str = QuestionKind.SHORT_TEXT
    help_text: str = ""
    options: list[str] = field(default_factory=list)
    required: bool = False
    is_personal: bool = True
    condition_question_id: int | None = None
    condition_value: str = ""
    position: int = 0
    is_active: bool = True


def save_question(event: Event, data: QuestionData, *, actor, question: Question | None = None,
                  now: datetime | None = None) -> Question:
    """Create or update a question. Choice kinds need options; a condition names an earlier
    question of this event (never itself) and a value. Raises NotAllowed, ValidationFailed."""
    _require(actor, event)
    errors = {}
    if not data.label.strip():
        errors["label"] = gettext("Write the question.")
    if data.kind in CHOICE_KINDS and len(data.options) < 2:
        errors["options"] = gettext("Give at least two options, one per line.")
    if data.condition_question_id:
        parent = db.session.get(Question, data.condition_question_id)
        if parent is None or parent.event_id != event.id or (question is not None and parent.id == question.id):
            errors["condition_question_id"] = gettext("Choose another question of this event.")
        elif not data.condition_value.strip():
            errors["condition_value"] = gettext("Say which answer shows this question.")
    if errors:
        raise ValidationFailed(errors)
    if question is None:
        question = Question(event_id=event.id)
        db.session.add(question)
    for f in fields(QuestionData):
        setattr(question, f.name, getattr(data, f.name))
    question.options = [o.strip() for o in data.options if o.strip()] if data.kind in CHOICE_KINDS else []
    question.condition_question_id = data.condition_question_id or None
    question.condition_value = data.condition_value.strip() if data.condition_question_id else ""
    db.session.flush()
    record("registration.question_saved", actor=actor, event=event, target=question, now=now)
    return question


def _builtin_texts(spec, lang: str) -> dict:
    """A built-in question's words in `lang` (the catalogue's; English where it has none)."""
    with force_locale(lang):
        def say(text):
            return gettext(text) if text else ""

        return {"label": say(spec.label), "help_text": say(spec.help_text), "options": [say(o) for o in spec.options]}


def set_builtin(event: Event, key: str, enabled: bool, *, actor, now: datetime | None = None) -> Question | None:
    """Switch a built-in question on (created once, then re-activated) or off. A new one is worded in
    the event's default language, with the interface's translations for its other languages."""
    _require(actor, event)
    spec = BUILTIN_QUESTIONS.get(key)
    if spec is None:
        raise ValidationFailed({"key": gettext("Unknown built-in question.")})
    question = db.session.scalar(select(Question).where(Question.event_id == event.id, Question.builtin_key == key))
    if question is None and enabled:
        last = db.session.scalar(select(func.max(Question.position)).where(Question.event_id == event.id)) or 0
        texts = {lang: _builtin_texts(spec, lang) for lang in event_languages(event)}
        stored = texts.pop(default_language(event))
        question = Question(event_id=event.id, kind=spec.kind, label=stored["label"], help_text=stored["help_text"],
                            options=stored["options"], builtin_key=key, is_personal=spec.is_personal, position=last + 1,
                            translations=texts)
        db.session.add(question)
    elif question is not None:
        question.is_active = enabled
    db.session.flush()
    record("registration.builtin_question", actor=actor, event=event, details={"key": key, "enabled": enabled}, now=now)
    return question


def create_discount_code(event: Event, *, code: str, kind: str, percent: int = 0, amount_minor: int = 0,
                         category_ids=(), usage_limit: int | None = None, valid_from=None, valid_until=None, actor,
                         now: datetime | None = None) -> DiscountCode:
    _require(actor, event)
    errors = _code_errors(event, DiscountCode, code)
    if kind == DiscountKind.PERCENT and not 0 < (percent or 0) <= 100:
        errors["percent"] = gettext("Enter a percentage from 1 to 100.")
    if kind == DiscountKind.FIXED and (amount_minor or 0) <= 0:
        errors["amount"] = gettext("Enter the amount off.")
    if valid_from and valid_until and valid_until <= valid_from:
        errors["valid_until"] = gettext("The code must end after it starts.")
    if errors:
        raise ValidationFailed(errors)
    found = DiscountCode(event_id=event.id, code=code.strip().upper(), kind=kind, percent=percent or 0,
                         amount_minor=amount_minor or 0, category_ids=list(category_ids), usage_limit=usage_limit,
                         valid_from=valid_from, valid_until=valid_until)
    db.session.add(found)
    db.session.flush()
    record("registration.discount_code_created", actor=actor, event=event, target=found, now=now)
    return found


def create_access_code(event: Event, *, code: str, category_ids=(), usage_limit: int | None = None, valid_until=None,
                       actor, now: datetime | None = None) -> AccessCode:
    _require(actor, event)
    errors = _code_errors(event, AccessCode, code)
    if errors:
        raise ValidationFailed(errors)
    found = AccessCode(event_id=event.id, code=code.strip().upper(), category_ids=list(category_ids),
                       usage_limit=usage_limit, valid_until=valid_until)
    db.session.add(found)
    db.session.flush()
    record("registration.access_code_created", actor=actor, event=event, target=found, now=now)
    return found


def _code_errors(event, model, code: str) -> dict:
    code = code.strip().upper()
    if not code or not code.replace("-", "").replace("_", "").isalnum():
        return {"code": gettext("Use letters, digits, - and _ only.")}
    if db.session.scalar(select(model.id).where(model.event_id == event.id, func.upper(model.code) == code)):
        return {"code": gettext("This code already exists for this event.")}
    return {}


def set_code_active(event: Event, code, active: bool, *, actor, now: datetime | None = None) -> None:
    _require(actor, event)
    code.is_active = active
    db.session.flush()
    record("registration.code_toggled", actor=actor, event=event, target=code, details={"active": active}, now=now)


SETTING_FIELDS = ("hold_minutes", "allow_multiple_per_email", "max_per_order", "currency", "refund_policy",
                  "refund_until", "waitlist_enabled", "offer_hours", "card_enabled", "at_door_enabled",
                  "invoice_enabled", "confirmation_note")


CATEGORY_AMOUNTS = ("price_minor", "min_minor", "suggested_minor", "max_minor")


def _change_currency(event: Event, old: str, new: str) -> None:
    """One currency per event: every category (and fixed discount) moves with the setting,
    keeping the amounts as typed (150.00 USD becomes 150 JPY). Refused once money has been
    asked for, or when an amount has more decimals than the new currency."""
    if old == new:
        return
    moving = [c for c in db.session.scalars(select(RegistrationCategory).where(RegistrationCategory.event_id == event.id))
              if c.currency != new]
    discounts = list(db.session.scalars(
        select(DiscountCode).where(DiscountCode.event_id == event.id, DiscountCode.kind == DiscountKind.FIXED)))
    if not moving and not discounts:
        return
    if db.session.scalar(select(func.count()).select_from(Order).where(Order.event_id == event.id, Order.total_minor > 0)):
        raise ValidationFailed({"currency": gettext("People have already registered and been asked to pay: "
                                                    "the currency can no longer change.")})
    amounts = {(c.id, name): _rescale(getattr(c, name), c.currency, new) for c in moving for name in CATEGORY_AMOUNTS
               if getattr(c, name) is not None}
    codes = {d.id: _rescale(d.amount_minor, old, new) for d in discounts}
    for c in moving:
        for name in CATEGORY_AMOUNTS:
            if (c.id, name) in amounts and amounts[(c.id, name)] is None:
                raise ValidationFailed({"currency": gettext(
                    "%(category)s costs %(amount)s, which %(currency)s cannot express: change its amounts first.",
                    category=c.name, amount=with_code(getattr(c, name), c.currency), currency=new)})
    if any(v is None for v in codes.values()):
        raise ValidationFailed({"currency": gettext("A discount code takes off an amount %(currency)s cannot express: change it first.",
                                                    currency=new)})
    for c in moving:
        for name in CATEGORY_AMOUNTS:
            if (c.id, name) in amounts:
                setattr(c, name, amounts[(c.id, name)])
        c.currency = new
    for d in discounts:
        d.amount_minor = codes[d.id]


def _rescale(amount_minor: int, old: str, new: str) -> int | None:
    """The same typed amount in another currency's minor unit; None if it does not fit."""
    shift = exponent(new) - exponent(old)
    if shift >= 0:
        return amount_minor * 10 ** shift
    return None if amount_minor % 10 ** -shift else amount_minor // 10 ** -shift


def save_settings(event: Event, values: dict, *, actor, now: datetime | None = None) -> RegistrationSettings:
    """Store the event's registration settings; a new currency carries the categories with it
    (_change_currency). Raises NotAllowed, ValidationFailed."""
    _require(actor, event)
    if values.get("refund_policy") == RefundPolicy.UNTIL_DATE and not values.get("refund_until"):
        raise ValidationFailed({"refund_until": gettext("Give the last day for refunds.")})
    settings = db.session.scalar(select(RegistrationSettings).where(RegistrationSettings.event_id == event.id))
    if settings is None:
        settings = RegistrationSettings(event_id=event.id)
        db.session.add(settings)
    if values.get("currency"):
        _change_currency(event, settings.currency or "USD", values["currency"])
    for name in SETTING_FIELDS:
        if name in values:
            setattr(settings, name, values[name])
    db.session.flush()
    record("registration.settings_saved", actor=actor, event=event, details={"fields": sorted(values)}, now=now)
    return settings


def shift_sales_windows(event: Event, shift: timedelta) -> int:
    """Move every category's sales window of `event` by `shift`, as its dates moved (an early-bird
    price that ended a month before the event still does); returns how many categories had a
    window. The caller holds the event's row lock (program.moving.move_event) and flushes."""
    if not shift:
        return 0
    moved = 0
    for category in db.session.scalars(select(RegistrationCategory).where(RegistrationCategory.event_id == event.id)):
        if category.sales_start is None and category.sales_end is None:
            continue
        category.sales_start = category.sales_start + shift if category.sales_start else None
        category.sales_end = category.sales_end + shift if category.sales_end else None
        moved += 1
    return moved


@register_copy_hook
def copy_registration_setup(source: Event, target: Event, shift: timedelta) -> None:
    """A new edition starts with the previous one's categories, questions (conditions
    re-pointed to the copies) and settings; sales windows move with the dates. Codes,
    registrations and the waitlist are not copied."""
    def moved(moment):
        return moment + shift if moment else None

    for c in db.session.scalars(select(RegistrationCategory).where(RegistrationCategory.event_id == source.id)):
        db.session.add(RegistrationCategory(
            event_id=target.id, name=c.name, description=c.description, price_kind=c.price_kind, price_minor=c.price_minor,
            min_minor=c.min_minor, suggested_minor=c.suggested_minor, max_minor=c.max_minor, currency=c.currency,
            capacity=c.capacity, sales_start=moved(c.sales_start), sales_end=moved(c.sales_end), visibility=c.visibility,
            allows_waiver=c.allows_waiver, requires_approval=c.requires_approval, is_active=c.is_active, position=c.position,
            translations=c.translations or {}))
    copies: dict[int, Question] = {}
    originals = list(db.session.scalars(select(Question).where(Question.event_id == source.id).order_by(Question.id)))
    for q in originals:
        copies[q.id] = Question(event_id=target.id, kind=q.kind, label=q.label, help_text=q.help_text, required=q.required,
                                options=list(q.options or []), builtin_key=q.builtin_key, is_personal=q.is_personal,
                                condition_value=q.condition_value, position=q.position, is_active=q.is_active,
                                translations=q.translations or {})
        db.session.add(copies[q.id])
    db.session.flush()
    for q in originals:
        if q.condition_question_id in copies:
            copies[q.id].condition_question_id = copies[q.condition_question_id].id
    settings = db.session.scalar(select(RegistrationSettings).where(RegistrationSettings.event_id == source.id))
    if settings is not None:
        db.session.add(RegistrationSettings(event_id=target.id, **{n: getattr(settings, n) for n in SETTING_FIELDS
                                                                   if n != "refund_until"},
                                            refund_until=moved(settings.refund_until)))
    db.session.flush()
