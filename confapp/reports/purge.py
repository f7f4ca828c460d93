"""The personal-data purge: a registry every domain adds its purger to, and the purgers for
the tables that hold personal data.

A purger is `fn(event, now) -> int` (rows it changed). It blanks or deletes names, emails,
answers marked personal, IP addresses, waiver reasons, free-text comments and contact data
of the event, and keeps every row that a figure counts (registrations, orders, check-ins,
deliveries), so counts survive. `services.purge_event` freezes the figures first, runs every
purger, and records the purge in the audit log.

A person purger is `fn(registration, now) -> int`: the same, for one participant who asked
to be forgotten.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Callable

from sqlalchemy import String, cast, delete, literal, select, update

from ..checkin.models import BadgePrint, CheckIn, VolunteerLink
from ..events.models import Event
from ..online.models import SeriesRule, SeriesSubscription
from ..outreach.models import Delivery, Message, MessageAttachment, MessageKind, Unsubscribe
from ..payments.models import Payment, Refund
from ..program.models import Speaker
from ..program.photos import delete_photo
from ..extensions import db
from ..registration.models import Answer, Order, Question, Registration, RegistrationEvent, WaitlistEntry
from .models import Certificate, SurveyResponse

Purger = Callable[[Event, datetime], int]
PersonPurger = Callable[[Registration, datetime], int]

PURGERS: dict[str, Purger] = {}
PERSON_PURGERS: dict[str, PersonPurger] = {}


def register_purger(fn: Purger, name: str | None = None) -> Purger:
    """Add a domain's event purger (usable as a decorator); registering a name twice replaces it."""
    PURGERS[name or f"{fn.__module__}.{fn.__name__}"] = fn
    return fn


def register_person_purger(fn: PersonPurger, name: str | None = None) -> PersonPurger:
    PERSON_PURGERS[name or f"{fn.__module__}.{fn.__name__}"] = fn
    return fn


def run_purgers(event: Event, now: datetime) -> dict[str, int]:
    return {name: fn(event, now) or 0 for name, fn in sorted(PURGERS.items())}


def run_person_purgers(registration: Registration, now: datetime) -> dict[str, int]:
    return {name: fn(registration, now) or 0 for name, fn in sorted(PERSON_PURGERS.items())}


def _personal_questions(event_id: int):
    return select(Question.id).where(Question.event_id == event_id, Question.is_personal.is_(True))


def _count(result) -> int:
    return max(result.rowcount or 0, 0)


_BLANK_REGISTRATION = dict(first_name="", last_name="", email="", search_text="")
_BLANK_ORDER = dict(buyer_name="", buyer_email="", waiver_reason="", ip_address="", idempotency_key=None)


@register_purger
def purge_registrations(event: Event, now: datetime) -> int:
    """Attendees' names and emails, buyers' names, emails, IP addresses and waiver reasons,
    answers to personal questions, the waitlist's names and emails."""
    changed = _count(
        db.session.execute(
            update(Registration).where(Registration.event_id == event.id).values(**_BLANK_REGISTRATION, purged_at=now),
            execution_options={"synchronize_session": False},
        )
    )
    changed += _count(
        db.session.execute(
            update(Order).where(Order.event_id == event.id).values(**_BLANK_ORDER, purged_at=now),
            execution_options={"synchronize_session": False},
        )
    )
    changed += _count(
        db.session.execute(
            delete(Answer).where(
                Answer.registration_id.in_(select(Registration.id).where(Registration.event_id == event.id)),
                Answer.question_id.in_(_personal_questions(event.id)),
            ),
            execution_options={"synchronize_session": False},
        )
    )
    changed += _count(
        db.session.execute(
            update(WaitlistEntry).where(WaitlistEntry.event_id == event.id).values(name="", email="", offer_token=None),
            execution_options={"synchronize_session": False},
        )
    )
    # A registration's history keeps what happened and when; who did it stays as a user id only.
    changed += _count(
        db.session.execute(
            update(RegistrationEvent)
            .where(RegistrationEvent.order_id.in_(select(Order.id).where(Order.event_id == event.id)))
            .values(actor_label=""),
            execution_options={"synchronize_session": False},
        )
    )
    return changed


@register_purger
def purge_feedback_and_certificates(event: Event, now: datetime) -> int:
    """Free-text comments, the link from a named response to its author, names on certificates."""
    changed = _count(
        db.session.execute(
            update(SurveyResponse).where(SurveyResponse.event_id == event.id).values(comment="", registration_id=None),
            execution_options={"synchronize_session": False},
        )
    )
    changed += _count(
        db.session.execute(
            update(Certificate).where(Certificate.event_id == event.id).values(holder_name=""),
            execution_options={"synchronize_session": False},
        )
    )
    return changed


@register_purger
def purge_checkin_labels(event: Event, now: datetime) -> int:
    """Check-ins stay (they are the attendance); the names of who scanned and of volunteer links
    go. Staff accounts keep their user id on each row."""
    changed = _count(
        db.session.execute(
            update(CheckIn).where(CheckIn.event_id == event.id).values(actor_label="", reverted_by_label=""),
            execution_options={"synchronize_session": False},
        )
    )
    changed += _count(
        db.session.execute(
            update(BadgePrint).where(BadgePrint.event_id == event.id).values(actor_label=""),
            execution_options={"synchronize_session": False},
        )
    )
    changed += _count(
        db.session.execute(
            update(VolunteerLink).where(VolunteerLink.event_id == event.id).values(name="Volunteer link"),
            execution_options={"synchronize_session": False},
        )
    )
    return changed


@register_purger
def purge_payment_labels(event: Event, now: datetime) -> int:
    """Payments keep amounts and states (the finance figures); who recorded them goes by name
    (user ids stay), and so do refund reasons, which organisers type freely and may name people.
    Payments store no billing names or card details: Stripe holds those."""
    changed = _count(
        db.session.execute(
            update(Payment).where(Payment.event_id == event.id).values(recorded_by_label="", checkout_url=""),
            execution_options={"synchronize_session": False},
        )
    )
    changed += _count(
        db.session.execute(
            update(Refund).where(Refund.payment_id.in_(select(Payment.id).where(Payment.event_id == event.id)))
            .values(actor_label="", reason=""),
            execution_options={"synchronize_session": False},
        )
    )
    return changed


@register_purger
def purge_outreach(event: Event, now: datetime) -> int:
    """Recipients' addresses and names (replaced by a per-row placeholder, since an address is
    unique per message), server replies that quote them, transactional mail as rendered for one
    person (text, HTML, subject, attachments), and this event's unsubscribes. Announcements keep
    their template text; delivery states stay, so sent/failed counts survive."""
    messages = select(Message.id).where(Message.event_id == event.id)
    transactional = messages.where(Message.kind == MessageKind.TRANSACTIONAL)
    changed = _count(
        db.session.execute(
            update(Delivery)
            .where(Delivery.message_id.in_(messages))
            .values(address=literal("purged-") + cast(Delivery.id, String), name="", smtp_reply="", claim_token=None),
            execution_options={"synchronize_session": False},
        )
    )
    changed += _count(
        db.session.execute(
            update(Message).where(Message.id.in_(transactional))
            .values(subject="(removed with the personal data)", rendered_text="", rendered_html=""),
            execution_options={"synchronize_session": False},
        )
    )
    changed += _count(
        db.session.execute(
            delete(MessageAttachment).where(MessageAttachment.message_id.in_(transactional)),
            execution_options={"synchronize_session": False},
        )
    )
    changed += _count(
        db.session.execute(delete(Unsubscribe).where(Unsubscribe.event_id == event.id),
                           execution_options={"synchronize_session": False})
    )
    return changed


@register_purger
def purge_speaker_contacts(event: Event, now: datetime) -> int:
    """Speakers' private contact address and their photo (the stored bytes too) go, and their
    self-service links stop working; the name, affiliation and biography stay because the
    published programme shows them."""
    speakers = db.session.scalars(select(Speaker).where(Speaker.event_id == event.id)).all()
    for speaker in speakers:
        speaker.email = ""
        speaker.link_nonce = secrets.token_hex(8)
        delete_photo(speaker.photo_filename)
        speaker.photo_filename = None
    db.session.flush()
    return len(speakers)


@register_person_purger
def purge_one_registration(registration: Registration, now: datetime) -> int:
    email = registration.email.strip().lower()
    for field, value in _BLANK_REGISTRATION.items():
        setattr(registration, field, value)
    registration.purged_at = now
    changed = 1 + _count(
        db.session.execute(
            delete(Answer).where(
                Answer.registration_id == registration.id,
                Answer.question_id.in_(_personal_questions(registration.event_id)),
            ),
            execution_options={"synchronize_session": False},
        )
    )
    order = registration.order
    # The buyer's details go with the buyer, or when every attendee of the order has been forgotten.
    is_buyer = bool(email) and order.buyer_email.strip().lower() == email
    if is_buyer or all(r.purged_at is not None for r in order.registrations):
        for field, value in _BLANK_ORDER.items():
            setattr(order, field, value)
        order.purged_at = now
        changed += 1
    changed += _count(
        db.session.execute(
            update(SurveyResponse).where(SurveyResponse.registration_id == registration.id).values(comment="", registration_id=None),
            execution_options={"synchronize_session": False},
        )
    )
    changed += _count(
        db.session.execute(
            update(Certificate).where(Certificate.registration_id == registration.id).values(holder_name=""),
            execution_options={"synchronize_session": False},
        )
    )
    return changed


@register_person_purger
def purge_one_recipient(registration: Registration, now: datetime) -> int:
    """The forgotten person's address and name on every delivery made to them, and transactional
    mail rendered for them."""
    mine = select(Delivery.message_id).where(Delivery.registration_id == registration.id)
    changed = _count(
        db.session.execute(
            update(Message).where(Message.id.in_(mine), Message.kind == MessageKind.TRANSACTIONAL)
            .values(subject="(removed with the personal data)", rendered_text="", rendered_html=""),
            execution_options={"synchronize_session": False},
        )
    )
    changed += _count(
        db.session.execute(
            delete(MessageAttachment).where(MessageAttachment.message_id.in_(
                select(Message.id).where(Message.id.in_(mine), Message.kind == MessageKind.TRANSACTIONAL))),
            execution_options={"synchronize_session": False},
        )
    )
    return changed + _count(
        db.session.execute(
            update(Delivery).where(Delivery.registration_id == registration.id)
            .values(address=literal("purged-") + cast(Delivery.id, String), name="", smtp_reply="", claim_token=None),
            execution_options={"synchronize_session": False},
        )
    )


def _series_rule_ids(event: Event):
    return select(SeriesRule.id).where(SeriesRule.series_id == event.series_id)


@register_purger
def purge_series_subscriptions(event: Event, now: datetime) -> int:
    """A webcast series' registrations for every edition (names and addresses) go with the
    purge of its last edition: once no edition of the series ends after this one."""
    if event.series_id is None:
        return 0
    later = db.session.scalar(select(Event.id).where(Event.series_id == event.series_id, Event.ends_at > event.ends_at).limit(1))
    if later is not None:
        return 0
    return _count(db.session.execute(delete(SeriesSubscription).where(SeriesSubscription.rule_id.in_(_series_rule_ids(event))),
                                     execution_options={"synchronize_session": False}))


def forget_series_subscription(registration: Registration, now: datetime) -> int:
    """Someone forgotten on one edition is no longer registered for the series' later editions.
    Registered under a name that sorts before purge_one_registration, which blanks the address."""
    event = db.session.get(Event, registration.event_id)
    if event is None or event.series_id is None or not registration.email:
        return 0
    return _count(db.session.execute(delete(SeriesSubscription).where(
        SeriesSubscription.rule_id.in_(_series_rule_ids(event)),
        SeriesSubscription.email == registration.email.strip().lower()), execution_options={"synchronize_session": False}))


register_person_purger(forget_series_subscription, "confapp.reports.purge.forget_series_subscription")
