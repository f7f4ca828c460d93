"""Read side: what the registration pages show, in a fixed number of queries."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from flask_babel import gettext
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from ..events.content_languages import tr
from ..extensions import db
from ..money import plain
from . import pricing
from .models import (
    AccessCode, Answer, DiscountCode, Order, PaymentState, Question, Registration, RegistrationCategory, RegistrationEvent,
    RegistrationStatus, Visibility, WaitlistEntry, WaitlistStatus,
)
from .common import event_categories
from .questions import display_value

PAGE_SIZE = 50


def access_code_for(event, typed: str, *, now: datetime) -> tuple[AccessCode | None, str | None]:
    """The event's access code for what the visitor typed (any case, spaces around ignored) and why
    it cannot be used now: not valid, expired or used up (None when it can). Nothing typed: (None, None)."""
    if not (typed or "").strip():
        return None, None
    code = _typed_code(AccessCode, event, typed)
    return code, pricing.access_code_problem(code, now=now)


def discount_code_for(event, typed: str, *, now: datetime) -> tuple[DiscountCode | None, str | None]:
    """As access_code_for, for a discount code (not valid, not valid yet, expired, used up)."""
    if not (typed or "").strip():
        return None, None
    code = _typed_code(DiscountCode, event, typed)
    return code, pricing.discount_code_problem(code, now=now)


def _typed_code(model, event, typed: str):
    return db.session.scalar(select(model).where(model.event_id == event.id,
                                                 func.upper(model.code) == typed.strip().upper()))


def categories_for_sale(event, *, access: AccessCode | None = None, now: datetime,
                        offer: WaitlistEntry | None = None) -> list[RegistrationCategory]:
    """Active categories the public may choose: public ones, plus hidden ones the access code
    unlocks (`access`: a usable code, see access_code_for). A waitlist offer tied to a category
    shows only that category."""
    rows = [c for c in event_categories(event) if c.is_active]
    visible = [c for c in rows if c.visibility == Visibility.PUBLIC or pricing.access_unlocks(access, c.id)]
    if offer is not None and offer.category_id:
        visible = [c for c in rows if c.id == offer.category_id]
    return visible


def categories_by_id(event, ids) -> list[RegistrationCategory]:
    """The event's categories among `ids` (another event's ids find nothing), in the event's order."""
    wanted = set(ids)
    return [c for c in event_categories(event) if c.id in wanted]


def all_categories(event) -> list[RegistrationCategory]:
    return event_categories(event)


def all_questions(event) -> list[Question]:
    return list(db.session.scalars(select(Question).where(Question.event_id == event.id).order_by(Question.position, Question.id)))


# --- organiser list -------------------------------------------------------------------------------

@dataclass
class RegistrationFilters:
    q: str = ""
    category_id: int | None = None
    status: str = ""
    payment: str = ""  # paid / unpaid / waived / none
    checked_in: str = ""  # yes / no
    question_id: int | None = None
    answer: str = ""


def checked_in_clause(checked_in: bool):
    """Hook for check-in: registrations that have (or have not) an active check-in on any list.
    The check-in module owns what "active" means (not undone: reverted_at IS NULL)."""
    from ..checkin.models import CheckIn

    found = exists().where(CheckIn.registration_id == Registration.id, CheckIn.reverted_at.is_(None))
    return found if checked_in else ~found


def _filtered(event_id: int, filters: RegistrationFilters, *, with_order: bool = False) -> Select:
    """The matching registrations; joins the order only when a filter or the caller needs it
    (the plain count then reads the event index alone)."""
    query = select(Registration).where(Registration.event_id == event_id)
    if with_order or filters.q or filters.payment:
        query = query.join(Order, Order.id == Registration.order_id)
    if filters.q:
        text = filters.q.strip().lower()
        organisation = select(Answer.registration_id).join(Question, Question.id == Answer.question_id).where(
            Question.event_id == event_id, Question.builtin_key == "organisation", func.lower(Answer.value).contains(text))
        query = query.where(or_(Registration.search_text.contains(text), Registration.ticket_code == filters.q.strip(),
                                Order.code == filters.q.strip().upper(), Registration.id.in_(organisation)))
    if filters.category_id:
        query = query.where(Registration.category_id == filters.category_id)
    if filters.status:
        query = query.where(Registration.status == filters.status)
    if filters.payment == "paid":
        query = query.where(Order.payment_state.in_((PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED)))
    elif filters.payment == "unpaid":
        query = query.where(Order.payment_state == PaymentState.UNPAID)
    elif filters.payment == "waived":
        query = query.where(Order.payment_state == PaymentState.WAIVED)
    elif filters.payment == "none":
        query = query.where(Order.payment_state == PaymentState.NOT_REQUIRED)
    if filters.checked_in in ("yes", "no"):
        query = query.where(checked_in_clause(filters.checked_in == "yes"))
    if filters.question_id and filters.answer:
        query = query.where(Registration.id.in_(select(Answer.registration_id).where(
            Answer.question_id == filters.question_id, func.lower(Answer.value).contains(filters.answer.strip().lower()))))
    return query


@dataclass
class RegistrationRow:
    id: int
    name: str
    email: str
    category: str
    status: RegistrationStatus
    payment_state: PaymentState
    order_code: str
    ticket_code: str
    organisation: str
    created_at: datetime


def registration_page(event, filters: RegistrationFilters, page: int = 1, per_page: int = PAGE_SIZE) -> tuple[list[RegistrationRow], int]:
    """One page of the organiser's list and the total count: three queries whatever the page size."""
    total = db.session.scalar(_filtered(event.id, filters).with_only_columns(func.count(Registration.id))) or 0
    rows = db.session.execute(
        _filtered(event.id, filters, with_order=True).with_only_columns(Registration.id, Registration.first_name, Registration.last_name, Registration.email,
                               RegistrationCategory.name, Registration.status, Order.payment_state, Order.code,
                               Registration.ticket_code, Registration.created_at)
        .join(RegistrationCategory, RegistrationCategory.id == Registration.category_id)
        .order_by(Registration.created_at.desc(), Registration.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    organisations = _builtin_answers(event.id, [r[0] for r in rows], "organisation")
    return [RegistrationRow(r[0], f"{r[1]} {r[2]}".strip(), r[3], r[4], r[5], r[6], r[7], r[8],
                            organisations.get(r[0], ""), r[9]) for r in rows], total


def _builtin_answers(event_id: int, registration_ids: list[int], key: str) -> dict[int, str]:
    if not registration_ids:
        return {}
    return dict(db.session.execute(
        select(Answer.registration_id, Answer.value).join(Question, Question.id == Answer.question_id)
        .where(Question.event_id == event_id, Question.builtin_key == key, Answer.registration_id.in_(registration_ids))
    ).all())


def registration_detail(event, registration_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.id == registration_id, Registration.event_id == event.id)
        .options(selectinload(Registration.answers).selectinload(Answer.question),
                 selectinload(Registration.order).selectinload(Order.registrations))
    )


def order_history(order_id: int) -> list[RegistrationEvent]:
    return list(db.session.scalars(select(RegistrationEvent).where(RegistrationEvent.order_id == order_id)
                                   .order_by(RegistrationEvent.created_at, RegistrationEvent.id)))


def status_counts(event) -> dict[str, int]:
    return dict(db.session.execute(select(Registration.status, func.count()).where(Registration.event_id == event.id)
                                   .group_by(Registration.status)).all())


def waitlist_entries(event) -> list[WaitlistEntry]:
    return list(db.session.scalars(
        select(WaitlistEntry).where(WaitlistEntry.event_id == event.id,
                                    WaitlistEntry.status.in_((WaitlistStatus.WAITING, WaitlistStatus.OFFERED)))
        .options(selectinload(WaitlistEntry.category))
        .order_by(WaitlistEntry.position, WaitlistEntry.id)))


# --- CSV export -----------------------------------------------------------------------------------

def export_rows(event, filters: RegistrationFilters, batch: int = 1000) -> Iterator[str]:
    """CSV lines for every matching registration, fetched in keyset batches so the response
    streams in constant memory; answers are one column per question."""
    questions = all_questions(event)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return value

    # The headings in the organiser's language (the status column too); codes and amounts stay as stored.
    # The event's own words (question labels, category names) in the organiser's content language.
    category_names = {c.id: str(tr(c, "name", event=event)) for c in event_categories(event)}
    headings = [gettext("Ticket code"), gettext("Order"), gettext("First name"), gettext("Last name"), gettext("Email"),
                gettext("Category"), gettext("Status"), gettext("Payment"), gettext("Price"), gettext("Currency"),
                gettext("Registered at (UTC)")]
    writer.writerow(_safe_row(headings + [str(tr(q, "label", event=event)) for q in questions]))
    yield flush()
    last_id = 0
    base = _filtered(event.id, filters, with_order=True)
    while True:
        rows = db.session.execute(
            base.with_only_columns(Registration.id, Registration.ticket_code, Order.code, Registration.first_name,
                                   Registration.last_name, Registration.email, Registration.category_id, Registration.status,
                                   Order.payment_state, Registration.price_minor, Order.currency, Registration.created_at)
            .join(RegistrationCategory, RegistrationCategory.id == Registration.category_id)
            .where(Registration.id > last_id).order_by(Registration.id).limit(batch)
        ).all()
        if not rows:
            break
        ids = [r[0] for r in rows]
        answers: dict[tuple[int, int], str] = {
            (rid, qid): value for rid, qid, value in db.session.execute(
                select(Answer.registration_id, Answer.question_id, Answer.value).where(Answer.registration_id.in_(ids)))
        }
        for r in rows:
            writer.writerow(_safe_row([r[1], r[2], r[3], r[4], r[5], category_names.get(r[6], ""), r[7].label, r[8].value,
                                       plain(r[9], r[10]), r[10], r[11].strftime("%Y-%m-%d %H:%M")]
                                      + [display_value(q, answers.get((r[0], q.id), "")) for q in questions]))
        yield flush()
        last_id = ids[-1]
        db.session.expunge_all()


def _safe(value: str) -> str:
    """Neutralise spreadsheet formulas in people's input (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _safe_row(values: list) -> list:
    # Every text cell, not only the ones people typed: codes, category names and question labels
    # reach the spreadsheet too, and older ticket codes may start with "-".
    return [_safe(v) if isinstance(v, str) else v for v in values]
