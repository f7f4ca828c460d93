"""Registration rules: placing an order, paying, holds, approval, cancellation, answers.

Every function takes the actor and the clock, flushes and never commits; the caller
(view, job, webhook, CLI) commits once. Mail goes out after the commit.
This module places orders and is the domain's public face: the other rules live in
common.py (settings, questions, codes, history), quoting.py (validation and prices),
holds.py (payment arrived, holds expired, refund policy), changes.py (approval,
cancellation, answers), capacity.py and waitlist.py, and are re-exported here so callers
import them from `confapp.registration.services`.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..audit.services import record_now
from ..errors import SoldOut, ValidationFailed
from ..events.models import Event
from ..extensions import db
from ..transactions import decision_point
from ..webhooks import outbox
from . import emails, pricing
from .capacity import (  # noqa: F401
    lock_emails, lock_event, lock_event_for_order, occupying_clause, places_left, reserve_places, writes_are_serialised,
)
from .changes import (  # noqa: F401
    approve_order, cancel_order, cancel_registration, pay_another_way, reject_order, send_confirmation, set_language,
    update_answers,
)
from .common import (  # noqa: F401
    CODE_ALPHABET, active_questions, history, is_manager, new_code, new_ticket_code, order_history, settings_for,
    violates,
)
from .holds import confirm_paid_order, expire_order, expired_holds, refundable_amount  # noqa: F401
from .written import ORDER_ROWS_WRITTEN
from .models import (
    AccessCode, Answer, DiscountCode, Order, PaymentMethod, PaymentState, Registration, RegistrationStatus, WaitlistEntry,
    WaitlistStatus,
)
from .questions import normalise_email
from .quoting import (  # noqa: F401  (re-exported: callers import them from here)
    AttendeeData, CategoryChoice, Choices, OrderRequest, Quote, QuoteLine, check_choices, quote_order,
)

__all__ = [
    "AttendeeData", "CategoryChoice", "OrderRequest", "Quote", "SoldOut", "active_questions", "approve_order",
    "cancel_order", "cancel_registration", "confirm_paid_order", "expire_order", "place_order", "places_left",
    "quote_order", "refundable_amount", "reject_order", "reserve_places", "send_confirmation", "set_language", "settings_for",
    "update_answers",
]


# --- placing an order ------------------------------------------------------------------------------

def find_order_by_key(key: str | None) -> Order | None:
    if not key:
        return None
    return db.session.scalar(select(Order).where(Order.idempotency_key == key))


def _refuse_emails_taken(emails_: list[str], taken: set[str]) -> None:
    """One registration per email: `taken` are those of `emails_` an occupying registration of
    the event has (read under the lock with the places taken, capacity.occupancy)."""
    if taken:
        raise ValidationFailed({
            f"attendees-{i}-email": gettext("This email address already has a registration for this event. "
                                            "Use the link in your confirmation email to see or change it.")
            for i, email in enumerate(emails_) if email in taken
        })


def _locked_again(model, row_id: int):
    return db.session.scalars(select(model).where(model.id == row_id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def _recheck_under_lock(quote: Quote, *, now: datetime) -> None:
    """What the quote read before the lock and concurrent orders use up: the discount and access
    codes' uses and the waitlist offer. Re-read (row-locked on PostgreSQL) and decided again;
    their `times_used` is then counted up from the value read here. Raises ValidationFailed."""
    errors: dict[str, str] = {}
    if quote.discount_code is not None:
        problem = pricing.discount_code_problem(_locked_again(DiscountCode, quote.discount_code.id), now=now)
        if problem:
            errors["discount_code"] = problem
    if quote.access_code is not None:
        problem = pricing.access_code_problem(_locked_again(AccessCode, quote.access_code.id), now=now)
        if problem:
            errors["access_code"] = problem
    if quote.waitlist_entry is not None:
        entry = _locked_again(WaitlistEntry, quote.waitlist_entry.id)
        if entry.status != WaitlistStatus.OFFERED or (entry.offer_expires_at and entry.offer_expires_at <= now):
            errors["waitlist"] = gettext("This waitlist offer has expired or was already used.")
    if errors:
        raise ValidationFailed(errors)


# Draws of an order code before giving up: a duplicate is about one in 10**12 per order.
ORDER_CODE_ATTEMPTS = 5


_ORDER_INSERT = insert(Order.__table__).returning(Order.__table__.c.id)
_REGISTRATION_INSERT = insert(Registration.__table__).returning(Registration.__table__.c.id, sort_by_parameter_order=True)
_ANSWER_INSERT = insert(Answer.__table__).returning(Answer.__table__.c.id, sort_by_parameter_order=True)


def _insert_order_row(values: dict) -> int:
    """INSERT INTO orders ... RETURNING id with Core (issue 16: the ORM's unit of work was the
    largest cost of writing an order). On embedded SQLite a refused statement is undone alone and
    the transaction goes on (its default ABORT conflict resolution): no savepoint needed. On
    PostgreSQL a refused statement aborts the transaction unless it ran in a savepoint."""
    if writes_are_serialised():
        return db.session.connection().execute(_ORDER_INSERT, values).scalar_one()
    with db.session.begin_nested():
        # The savepoint's own connection: SAVEPOINT is sent when it is first asked for.
        return db.session.connection().execute(_ORDER_INSERT, values).scalar_one()


def _insert_with_a_free_code(values: dict) -> tuple[int | None, Order | None]:
    """Insert the order's row `values`: (its id, None). When its code is taken (the unique
    constraint says so, no look-up first), draw another. When its idempotency key is taken, a
    twin of this submission committed before our decision (the constraint says so, no look-up
    first): (None, the twin's order), and nothing is inserted. Any other integrity error propagates."""
    for attempt in range(ORDER_CODE_ATTEMPTS):
        try:
            return _insert_order_row(values), None
        except IntegrityError as error:
            if values["idempotency_key"] and violates(error, "uq_orders_idempotency_key", "orders.idempotency_key"):
                twin = find_order_by_key(values["idempotency_key"])
                if twin is not None:
                    return None, twin
                raise
            if attempt == ORDER_CODE_ATTEMPTS - 1 or not violates(error, "uq_orders_code", "orders.code"):
                raise
            values["code"] = new_code()
    return None, None


def _written(model, values: dict, **relations):
    """An ORM object for a row just inserted with Core: persistent in the session as if loaded
    (no INSERT at the flush, no SELECT to read it), its relations set as loaded."""
    obj = model(**values)
    make_transient_to_detached(obj)
    for name, value in relations.items():
        set_committed_value(obj, name, value)
    return obj


def _write_order(event: Event, order_values: dict, lines: list[tuple]) -> tuple[Order, bool]:
    """The order's rows in one statement per table, with Core (issue 16: the ORM flush of an order
    cost more than the decision before it): the order (or, when a twin committed first, nothing:
    (the twin's order, True) is returned), its registrations and their answers, and the desk's search
    terms. `lines`: (registration's values without ids, category, {question id: value}) per
    attendee. The rows are added to the session as loaded objects once every insert has passed,
    so that what follows (the answer, the emails' queue, the webhooks, the walk-in's check-in)
    uses them as usual."""
    order_id, twin = _insert_with_a_free_code(order_values)
    if twin is not None:
        return twin, True
    connection = db.session.connection()
    rows = [{**values, "order_id": order_id} for values, _, _ in lines]
    registration_ids = connection.execute(_REGISTRATION_INSERT, rows).scalars().all()
    answer_rows = [{"registration_id": rid, "question_id": qid, "value": value}
                   for rid, (_, _, answers) in zip(registration_ids, lines) for qid, value in answers.items()]
    answer_ids = connection.execute(_ANSWER_INSERT, answer_rows).scalars().all() if answer_rows else []
    order = _written(Order, {"id": order_id, **order_values}, event=event)
    registrations, answer_id = [], iter(answer_ids)
    for rid, row, (_, category, _) in zip(registration_ids, rows, lines):
        registration = _written(Registration, {"id": rid, **row}, order=order, category=category, event=event)
        answers = [_written(Answer, {"id": next(answer_id), **values}, registration=registration)
                   for values in answer_rows if values["registration_id"] == rid]
        set_committed_value(registration, "answers", answers)
        registrations.append(registration)
    set_committed_value(order, "registrations", registrations)
    db.session.add(order)  # and, by cascade, its registrations and their answers
    for written in ORDER_ROWS_WRITTEN:  # the desk's search terms (checkin.search registers itself)
        written(connection, registrations)
    return order, False


@dataclass(frozen=True)
class Placed:
    """What place_or_find_order answers: the order, and whether a twin of this submission (the
    same idempotency key) placed it first."""

    order: Order
    twin: bool


def place_order(event: Event, order_request: OrderRequest, *, actor=None, now: datetime, key_is_new: bool = False,
                also_history: tuple[str, ...] = ()) -> Order:
    """place_or_find_order's order: the new one, or its twin's (the rules and errors are there)."""
    return place_or_find_order(event, order_request, actor=actor, now=now, key_is_new=key_is_new,
                               also_history=also_history).order


def place_or_find_order(event: Event, order_request: OrderRequest, *, actor=None, now: datetime,
                        key_is_new: bool = False, also_history: tuple[str, ...] = ()) -> Placed:
    """Create an order and one registration per attendee, holding places under the capacity lock.

    Rules: registration window, categories on sale (hidden ones need an access code), codes
    valid, answers valid, one active registration per email unless the event allows more,
    capacity of the event and each category. Free, waived-pending, at-door and invoice orders
    are CONFIRMED (or PENDING_APPROVAL when a category requires approval or a waiver is asked);
    card orders with money due are AWAITING_PAYMENT with a hold. The same idempotency key
    returns the same order. Raises ValidationFailed, SoldOut.

    The quote is read first; the decision (the twin, codes' uses, the offer, one per email,
    capacity) and the inserts follow the decision point (transactions.decision_point), where
    the boundary of a request may take embedded SQLite's write lock: lock, re-check, write.
    A twin committed meanwhile is found without a look-up on the way: by the unique idempotency
    key when the order is inserted, or, when the twin's order made a re-check refuse this one
    (its code's use, its offer, its email, its place), by the key looked up on that refusal.

    `key_is_new`: the caller has just looked for what this key answered (the API, its
    Idempotency-Key's row, written with the order) and found nothing; the order is not looked up
    again before the quote. `also_history`: kinds of history entries the caller records on the new
    order after "placed" (the API's "paid_elsewhere"), written with it in one statement; not
    written when a twin's order is the answer.

    Returns the order and whether it is a twin's (then nothing was written here): a caller that
    does more with a new order (a walk-in checks its attendee in) does not do that twice.
    """
    existing = None if key_is_new else find_order_by_key(order_request.idempotency_key)
    if existing is not None:
        return Placed(existing, twin=True)
    # Quoted before any lock (on embedded SQLite in a read transaction, beside the writers): what
    # other orders change (places, codes' uses, the offer, the emails taken) is decided below.
    try:
        quote = quote_order(event, order_request, actor=actor, now=now)
    except ValidationFailed:
        # A twin of this submission, committed after our look-up, used the offer or the code.
        existing = find_order_by_key(order_request.idempotency_key)
        if existing is not None:
            return Placed(existing, twin=True)
        raise
    settings = settings_for(event)
    decision_point()
    # On embedded SQLite the write lock is the lock: the event's capacity is read with the places
    # taken, not in a row of its own (one statement fewer under the lock).
    serialised = writes_are_serialised()
    event_locked = lock_event_for_order(event, idempotency_key=order_request.idempotency_key, reread=not serialised)
    # A concurrent twin of this submission may have committed while we waited for the lock: it
    # is not looked up here. Its order refuses ours in the re-checks (then it is the answer) or,
    # when they pass, its key refuses our order's insert (_insert_with_a_free_code).
    try:
        _recheck_under_lock(quote, now=now)
        emails_ = [] if settings.allow_multiple_per_email else [l.attendee.email for l in quote.lines]
        if emails_ and not event_locked:
            lock_emails(event, emails_)
        # already_locked: the event row is locked above, or nothing in the event is limited. The
        # emails taken are read with the places taken, and refused before the capacity is decided.
        reserve_places(event, Counter(l.category.id for l in quote.lines), now=now, already_locked=True,
                       exclude_offer_id=quote.waitlist_entry.id if quote.waitlist_entry else None,
                       event_read=serialised and event_locked, emails=emails_,
                       on_counted=lambda taken: _refuse_emails_taken(emails_, taken.emails_taken))
    except (ValidationFailed, SoldOut):
        existing = find_order_by_key(order_request.idempotency_key)
        if existing is not None:
            return Placed(existing, twin=True)
        raise

    if quote.needs_approval:
        status, payment_state = RegistrationStatus.PENDING_APPROVAL, (PaymentState.UNPAID if quote.total_minor else PaymentState.NOT_REQUIRED)
    elif quote.total_minor == 0:
        status, payment_state = RegistrationStatus.CONFIRMED, PaymentState.NOT_REQUIRED
    elif quote.payment_method == PaymentMethod.CARD:
        status, payment_state = RegistrationStatus.AWAITING_PAYMENT, PaymentState.UNPAID
    elif quote.payment_method == PaymentMethod.NONE:
        # Only organisers can choose "nothing to pay" for a priced place: complimentary.
        status, payment_state = RegistrationStatus.CONFIRMED, PaymentState.WAIVED
    else:
        status, payment_state = RegistrationStatus.CONFIRMED, PaymentState.UNPAID
    hold = now + timedelta(minutes=settings.hold_minutes) if status == RegistrationStatus.AWAITING_PAYMENT else None
    first = quote.lines[0].attendee
    order_values = dict(
        event_id=event.id, code=new_code(),
        buyer_name=(order_request.buyer_name.strip() or f"{first.first_name} {first.last_name}".strip())[:200],
        buyer_email=normalise_email(order_request.buyer_email) or first.email,
        idempotency_key=order_request.idempotency_key, currency=quote.currency,
        subtotal_minor=quote.subtotal_minor, discount_minor=quote.discount_minor, total_minor=quote.total_minor,
        paid_minor=0, refunded_minor=0, payment_state=payment_state, payment_method=quote.payment_method,
        discount_code_id=quote.discount_code.id if quote.discount_code else None,
        access_code_id=quote.access_code.id if quote.access_code else None,
        waiver_requested=order_request.waiver_requested, waiver_reason=order_request.waiver_reason.strip()[:2000],
        hold_expires_at=hold, created_at=now, updated_at=now, ip_address=(order_request.ip_address or "")[:45],
        purged_at=None, language=order_request.language,
    )
    lines = []
    for line in quote.lines:
        a = line.attendee
        lines.append((dict(
            event_id=event.id, category_id=line.category.id, status=status, ticket_code=new_ticket_code(),
            first_name=a.first_name[:120], last_name=a.last_name[:120], email=a.email,
            search_text=f"{a.first_name} {a.last_name} {a.email}".lower()[:600],
            price_minor=line.price_minor - line.discount_minor, is_walk_in=order_request.at_door, hold_expires_at=hold,
            created_at=now, confirmed_at=now if status == RegistrationStatus.CONFIRMED else None, cancelled_at=None,
            purged_at=None, language=None,
        ), line.category, line.answers))
    # What the session holds (the token's last use, a walk-in's list) is written first, as the
    # ORM's flush would have before the order.
    db.session.flush()
    order, is_twin = _write_order(event, order_values, lines)
    if is_twin:
        return Placed(order, twin=True)
    if quote.discount_code:
        quote.discount_code.times_used += 1
    if quote.access_code:
        quote.access_code.times_used += 1
    if quote.waitlist_entry:
        quote.waitlist_entry.status = WaitlistStatus.CLAIMED
        quote.waitlist_entry.order_id = order.id
    if quote.discount_code or quote.access_code or quote.waitlist_entry:
        db.session.flush()
    order_history(order, [("walk_in" if order_request.at_door else "placed", status.english_label),
                          *((kind, "") for kind in also_history)], actor=actor, now=now)
    record_now("registration.order_placed", actor=actor, event=event, target=order,
           details={"registrations": len(quote.lines), "status": status.value}, now=now)
    outbox.emit_registrations("registration.created", order.registrations, now=now)
    if order_request.send_email:
        if status == RegistrationStatus.CONFIRMED:
            emails.send_confirmation(order)
        elif status == RegistrationStatus.PENDING_APPROVAL:
            emails.send_pending_approval(order)
    return Placed(order, twin=False)
