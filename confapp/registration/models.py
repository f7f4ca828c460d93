"""Registration: categories (ticket types), orders (one buyer), registrations (one attendee
each, with a ticket), questions and answers, codes, and the waitlist.

An Order is what one person submits and pays for; it holds one Registration per attendee
(group registration). Capacity counts Registrations. Money is integer minor units + currency.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from . import labels
from ..types import StrEnumType, UTCDateTime, utcnow


class PriceKind(enum.StrEnum):
    FREE = "free"
    FIXED = "fixed"
    PAY_WHAT_YOU_CAN = "pay_what_you_can"


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    HIDDEN = "hidden"  # shown only with an access code

    @property
    def label(self) -> str:
        return str(labels.VISIBILITY_LABELS[self.value])


class RegistrationStatus(enum.StrEnum):
    # Holds a place while the buyer pays; released when hold_expires_at passes.
    AWAITING_PAYMENT = "awaiting_payment"
    # Holds a place until an organiser approves or rejects (approval categories, waiver requests).
    PENDING_APPROVAL = "pending_approval"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    # A hold that ran out before payment; the place went back to the pool.
    EXPIRED = "expired"
    REJECTED = "rejected"

    @property
    def label(self) -> str:  # in the interface's language; the order history keeps english_label
        return str(labels.REGISTRATION_STATUS_LABELS[self.value])

    @property
    def english_label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# Statuses that occupy a place (capacity); AWAITING_PAYMENT only while its hold is unexpired.
ACTIVE_STATUSES = (RegistrationStatus.AWAITING_PAYMENT, RegistrationStatus.PENDING_APPROVAL, RegistrationStatus.CONFIRMED)


class PaymentState(enum.StrEnum):
    NOT_REQUIRED = "not_required"  # free, or fully discounted
    UNPAID = "unpaid"
    PAID = "paid"
    WAIVED = "waived"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"

    @property
    def label(self) -> str:
        return str(labels.PAYMENT_STATE_LABELS[self.value])


class PaymentMethod(enum.StrEnum):
    NONE = "none"
    CARD = "card"
    AT_DOOR = "at_door"
    INVOICE = "invoice"

    @property
    def label(self) -> str:
        return str(labels.PAYMENT_METHOD_LABELS[self.value])


class RefundPolicy(enum.StrEnum):
    FULL = "full"  # full refund of what was paid, any time before the event
    NONE = "none"
    UNTIL_DATE = "until_date"  # full refund until refund_until, nothing after

    @property
    def label(self) -> str:
        return str(labels.REFUND_POLICY_LABELS[self.value])


class PlaceKind(enum.StrEnum):
    """Where a category's places are (confapp/online): at the venue, counted in the event's
    capacity, or online, limited only by the category's own capacity."""

    IN_PERSON = "in_person"
    ONLINE = "online"


class RegistrationSettings(db.Model):
    """Per-event registration rules. An event without a row uses the defaults (see `settings_for`)."""

    __tablename__ = "registration_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    # How long a card registration holds its places while the buyer pays.
    hold_minutes: Mapped[int] = mapped_column(Integer, default=30)
    allow_multiple_per_email: Mapped[bool] = mapped_column(default=False)
    max_per_order: Mapped[int] = mapped_column(Integer, default=10)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    refund_policy: Mapped[RefundPolicy] = mapped_column(StrEnumType(RefundPolicy), default=RefundPolicy.FULL)
    refund_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    # How long a waitlist offer (and an approved registration's payment link) stays open.
    offer_hours: Mapped[int] = mapped_column(Integer, default=48)
    card_enabled: Mapped[bool] = mapped_column(default=True)
    at_door_enabled: Mapped[bool] = mapped_column(default=False)
    invoice_enabled: Mapped[bool] = mapped_column(default=False)
    confirmation_note: Mapped[str] = mapped_column(Text, default="")


class RegistrationCategory(db.Model):
    """A kind of registration (General, Student, Community member, Speaker) with its price rule."""

    __tablename__ = "registration_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    price_kind: Mapped[PriceKind] = mapped_column(StrEnumType(PriceKind), default=PriceKind.FREE)
    price_minor: Mapped[int] = mapped_column(Integer, default=0)  # FIXED
    min_minor: Mapped[int] = mapped_column(Integer, default=0)  # PAY_WHAT_YOU_CAN
    suggested_minor: Mapped[int] = mapped_column(Integer, default=0)
    max_minor: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    capacity: Mapped[int | None] = mapped_column(Integer)
    sales_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sales_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    visibility: Mapped[Visibility] = mapped_column(StrEnumType(Visibility), default=Visibility.PUBLIC)
    allows_waiver: Mapped[bool] = mapped_column(default=False)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    translations: Mapped[dict] = mapped_column(JSON, default=dict)  # {"es": {"name": ..., "description": ...}}
    attendance_mode: Mapped[PlaceKind] = mapped_column(StrEnumType(PlaceKind), default=PlaceKind.IN_PERSON)

    event: Mapped["Event"] = relationship()

    @property
    def is_online(self) -> bool:
        return self.attendance_mode == PlaceKind.ONLINE


class Order(db.Model):
    """One submission by one buyer, for one or more attendees; payments attach here."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # public reference shown to the buyer
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_email: Mapped[str] = mapped_column(String(254), index=True)
    # Set from the form's one-time token: a double click or retried POST finds the same order.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    subtotal_minor: Mapped[int] = mapped_column(Integer, default=0)
    discount_minor: Mapped[int] = mapped_column(Integer, default=0)
    total_minor: Mapped[int] = mapped_column(Integer, default=0)
    paid_minor: Mapped[int] = mapped_column(Integer, default=0)
    refunded_minor: Mapped[int] = mapped_column(Integer, default=0)
    payment_state: Mapped[PaymentState] = mapped_column(StrEnumType(PaymentState), default=PaymentState.NOT_REQUIRED)
    payment_method: Mapped[PaymentMethod] = mapped_column(StrEnumType(PaymentMethod), default=PaymentMethod.NONE)
    discount_code_id: Mapped[int | None] = mapped_column(ForeignKey("discount_codes.id", ondelete="SET NULL"))
    access_code_id: Mapped[int | None] = mapped_column(ForeignKey("access_codes.id", ondelete="SET NULL"))
    waiver_requested: Mapped[bool] = mapped_column(default=False)
    waiver_reason: Mapped[str] = mapped_column(Text, default="")  # personal data: purged
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    ip_address: Mapped[str] = mapped_column(String(45), default="")  # personal data: purged
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The interface language the order was placed in (confapp.i18n): its emails speak it. None: English.
    language: Mapped[str | None] = mapped_column(String(8))

    event: Mapped["Event"] = relationship()
    registrations: Mapped[list["Registration"]] = relationship(back_populates="order", order_by="Registration.id")


class Registration(db.Model):
    """One attendee's place at the event, with the ticket code they show at the door."""

    __tablename__ = "registrations"
    __table_args__ = (
        Index("ix_registrations_event_status", "event_id", "status"),
        Index("ix_registrations_event_email", "event_id", "email"),
        Index("ix_registrations_event_category", "event_id", "category_id"),
        # The organiser's list: newest first, paged.
        Index("ix_registrations_event_created", "event_id", "created_at"),
        # The CSV export walks an event's registrations in id order (keyset batches).
        Index("ix_registrations_event_id", "event_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("registration_categories.id", ondelete="RESTRICT"))
    status: Mapped[RegistrationStatus] = mapped_column(StrEnumType(RegistrationStatus))
    # Unguessable, shown as a QR code; separate from the primary key.
    ticket_code: Mapped[str] = mapped_column(String(32), unique=True)
    first_name: Mapped[str] = mapped_column(String(120))  # personal data: purged
    last_name: Mapped[str] = mapped_column(String(120), default="")  # personal data: purged
    email: Mapped[str] = mapped_column(String(254), default="")  # personal data: purged
    # Lower-cased name + email for fast desk search; purged with the rest.
    search_text: Mapped[str] = mapped_column(String(600), default="")
    price_minor: Mapped[int] = mapped_column(Integer, default=0)
    is_walk_in: Mapped[bool] = mapped_column(default=False)
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The language this attendee chose on their ticket page (confapp.i18n); None: the order's,
    # the one the booking was made in. Their emails, the desk and the reports use `spoken_language`.
    language: Mapped[str | None] = mapped_column(String(8))

    order: Mapped[Order] = relationship(back_populates="registrations")
    category: Mapped[RegistrationCategory] = relationship()
    event: Mapped["Event"] = relationship()
    answers: Mapped[list["Answer"]] = relationship(back_populates="registration", cascade="all, delete-orphan")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def spoken_language(self) -> str:
        from ..i18n import DEFAULT_LANGUAGE

        return self.language or self.order.language or DEFAULT_LANGUAGE


class QuestionKind(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    CHECKBOX = "checkbox"
    COUNTRY = "country"
    EMAIL = "email"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return str(labels.QUESTION_KIND_LABELS[self.value])


class Question(db.Model):
    """An organiser-built registration question, or a switched-on built-in (builtin_key)."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("event_id", "builtin_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[QuestionKind] = mapped_column(StrEnumType(QuestionKind))
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(default=False)
    options: Mapped[list] = mapped_column(JSON, default=list)  # choices for the choice kinds
    # organisation, city, region, country, pronouns, accessibility, dietary, interpretation,
    # consent_attendee_list, consent_photos: reports and the desk rely on these keys.
    builtin_key: Mapped[str | None] = mapped_column(String(40))
    is_personal: Mapped[bool] = mapped_column(default=True)
    # Shown only when another question's answer matches (conditional questions).
    condition_question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))
    condition_value: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    # {"es": {"label": ..., "help_text": ..., "options": [one label per option, in order]}}: answers
    # keep storing the default language's option text, whatever language the form was shown in.
    translations: Mapped[dict] = mapped_column(JSON, default=dict)


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("registration_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    # Text for every kind; multiple choice joins options with a newline; checkbox "yes"/"".
    value: Mapped[str] = mapped_column(Text, default="")

    registration: Mapped[Registration] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class DiscountKind(enum.StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


class DiscountCode(db.Model):
    __tablename__ = "discount_codes"
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[DiscountKind] = mapped_column(StrEnumType(DiscountKind))
    percent: Mapped[int] = mapped_column(Integer, default=0)
    amount_minor: Mapped[int] = mapped_column(Integer, default=0)
    # Empty list = all categories.
    category_ids: Mapped[list] = mapped_column(JSON, default=list)
    usage_limit: Mapped[int | None] = mapped_column(Integer)
    times_used: Mapped[int] = mapped_column(Integer, default=0)
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_active: Mapped[bool] = mapped_column(default=True)


class AccessCode(db.Model):
    """Unlocks hidden categories (speakers, scholarship holders)."""

    __tablename__ = "access_codes"
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    category_ids: Mapped[list] = mapped_column(JSON, default=list)
    usage_limit: Mapped[int | None] = mapped_column(Integer)
    times_used: Mapped[int] = mapped_column(Integer, default=0)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_active: Mapped[bool] = mapped_column(default=True)


class WaitlistStatus(enum.StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    CLAIMED = "claimed"
    EXPIRED = "expired"  # offer not taken in time: passed to the next person
    REMOVED = "removed"

    @property
    def label(self) -> str:
        return str(labels.WAITLIST_STATUS_LABELS[self.value])


class WaitlistEntry(db.Model):
    __tablename__ = "waitlist_entries"
    __table_args__ = (Index("ix_waitlist_event_status_position", "event_id", "status", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("registration_categories.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))  # personal data: purged
    email: Mapped[str] = mapped_column(String(254))  # personal data: purged
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[WaitlistStatus] = mapped_column(StrEnumType(WaitlistStatus), default=WaitlistStatus.WAITING)
    offer_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    # The language the person joined in: their offer email speaks it. None: English.
    language: Mapped[str | None] = mapped_column(String(8))

    category: Mapped[RegistrationCategory | None] = relationship()


class RegistrationEvent(db.Model):
    """The history shown on a registration's detail page: what happened to it, when, by whom.
    `note` never holds personal data (the message to the attendee is sent, not stored here)."""

    __tablename__ = "registration_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(String(300), default="")
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

