"""Read side of check-in: desk search, the attendee card, counts, and the offline download.

Each function runs a fixed number of queries whatever the number of rows.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import and_, bindparam, func, select

from ..events.content_languages import content_language, default_language
from ..extensions import db
from ..i18n import language_name
from ..registration.models import (
    Answer, Order, PaymentState, Question, Registration, RegistrationCategory, RegistrationStatus,
)
from .models import BadgePrint, CheckIn, CheckInList, VolunteerLink

# Answers the desk and badges show, by the registration question's built-in key.
DESK_KEYS = ("pronouns", "accessibility", "interpretation", "organisation", "city")
SEARCH_LIMIT = 20
BLOCKED_STATUSES = (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED, RegistrationStatus.EXPIRED)


def lists_for(event) -> list[CheckInList]:
    return list(db.session.scalars(
        select(CheckInList).where(CheckInList.event_id == event.id).order_by(CheckInList.position, CheckInList.id)
    ))


def walk_in_categories(checkin_list: CheckInList) -> list[RegistrationCategory]:
    """Active categories a walk-in at this list may register in."""
    rows = db.session.scalars(
        select(RegistrationCategory).where(RegistrationCategory.event_id == checkin_list.event_id,
                                           RegistrationCategory.is_active.is_(True))
        .order_by(RegistrationCategory.position, RegistrationCategory.id)
    )
    return [c for c in rows if checkin_list.admits_category(c.id)]


def links_for(event) -> list[VolunteerLink]:
    return list(db.session.scalars(
        select(VolunteerLink).where(VolunteerLink.event_id == event.id).order_by(VolunteerLink.created_at.desc())
    ))


@cache
def _desk_answers_statement():
    """Built once per process: every scan's card reads it (issue 16)."""
    return (select(Answer.registration_id, Question.builtin_key, Answer.value)
            .join(Question, Question.id == Answer.question_id)
            .where(Answer.registration_id.in_(bindparam("ids", expanding=True)), Question.builtin_key.in_(DESK_KEYS)))


def desk_answers(registration_ids: list[int]) -> dict[int, dict[str, str]]:
    """{registration id: {pronouns, accessibility, interpretation, organisation, city}} in one query."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    if not registration_ids:
        return found
    rows = db.session.execute(_desk_answers_statement(), {"ids": list(registration_ids)})
    for registration_id, key, value in rows:
        found[registration_id][key] = value
    return found


@dataclass
class SearchRow:
    registration_id: int
    ticket_code: str
    name: str
    email: str
    category: str
    status: str
    organisation: str
    checked_in_at: datetime | None


def search(checkin_list: CheckInList, query: str, *, limit: int = SEARCH_LIMIT) -> list[SearchRow]:
    """Registrations of the list's event with this exact ticket code, or with, for every typed
    word, a name, email or organisation word starting with it ("ama oka" finds Amara Okafor;
    "ramirez" finds Ramírez). Four queries; the word match is a range scan per word on the
    prefix index in `checkin.search` (see docs/benchmarks.md)."""
    from .search import matching_ids

    query = (query or "").strip()
    if not query:
        return []
    event_id = checkin_list.event_id
    ids = list(db.session.scalars(
        select(Registration.id).where(Registration.ticket_code == query, Registration.event_id == event_id).limit(1)))
    if not ids and len(query) >= 2:
        ids = matching_ids(event_id, query, limit)
    rows = rows_for(checkin_list, ids)
    return sorted(rows, key=lambda r: r.name.lower())


def rows_for(checkin_list: CheckInList, ids: list[int]) -> list[SearchRow]:
    """The desk's columns for these registrations (plain rows, no ORM entities): two queries."""
    if not ids:
        return []
    rows = db.session.execute(
        select(Registration.id, Registration.ticket_code, Registration.first_name, Registration.last_name,
               Registration.email, Registration.status, RegistrationCategory.name, RegistrationCategory.translations,
               CheckIn.checked_in_at)
        .join(RegistrationCategory, RegistrationCategory.id == Registration.category_id)
        .outerjoin(CheckIn, and_(CheckIn.registration_id == Registration.id, CheckIn.list_id == checkin_list.id,
                                 CheckIn.reverted_at.is_(None)))
        .where(Registration.id.in_(ids))
    ).all()
    organisations = dict(db.session.execute(
        select(Answer.registration_id, Answer.value).join(Question, Question.id == Answer.question_id)
        .where(Answer.registration_id.in_(ids), Question.builtin_key == "organisation")
    ).all())
    # The category in the desk's content language, as a scan's answer and the offline copy name it.
    event = checkin_list.event  # the page's event, already in the session: no query
    lang = content_language(event) if event is not None else None
    translated = lang is not None and lang != default_language(event)
    return [
        SearchRow(rid, code, f"{first} {last}".strip(), email,
                  (((texts or {}).get(lang) or {}).get("name") or category) if translated else category,
                  status.value, organisations.get(rid, ""), at)
        for rid, code, first, last, email, status, category, texts, at in rows
    ]


# --- counts -----------------------------------------------------------------------------------

@dataclass
class ListCount:
    id: int
    name: str
    checked_in: int
    expected: int


@dataclass
class Stats:
    lists: list[ListCount]
    categories: list[tuple[str, int, int]]  # (name, checked in on the main list, expected)
    arrivals: list[tuple[datetime, int]]  # (start of a 15-minute slot, check-ins), on the list shown
    checked_in: int
    expected: int


def _expected_by_category(event_id: int) -> dict[int, int]:
    return dict(db.session.execute(
        select(Registration.category_id, func.count())
        .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.category_id)
    ).all())


def stats(event, *, focus: CheckInList | None = None) -> Stats:
    """Checked in versus expected per list and per category, and arrivals per 15 minutes on
    `focus` (or the first list). Five queries."""
    lists = lists_for(event)
    expected_by_cat = _expected_by_category(event.id)
    # Category names in the reader's content language (the desk's and the live counts' page).
    lang, default = content_language(event), default_language(event)
    categories = [(cid, ((texts or {}).get(lang) or {}).get("name") or name if lang != default else name)
                  for cid, name, texts in db.session.execute(
        select(RegistrationCategory.id, RegistrationCategory.name, RegistrationCategory.translations)
        .where(RegistrationCategory.event_id == event.id).order_by(RegistrationCategory.position, RegistrationCategory.id)
    )]
    per_list_cat = db.session.execute(
        select(CheckIn.list_id, Registration.category_id, func.count())
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(CheckIn.event_id == event.id, CheckIn.reverted_at.is_(None))
        .group_by(CheckIn.list_id, Registration.category_id)
    ).all()
    in_by_list: Counter = Counter()
    in_by_list_cat: dict[int, Counter] = defaultdict(Counter)
    for list_id, category_id, count in per_list_cat:
        in_by_list[list_id] += count
        in_by_list_cat[list_id][category_id] += count
    list_counts = [
        ListCount(item.id, item.name, in_by_list[item.id],
                  sum(n for cat, n in expected_by_cat.items() if item.admits_category(cat)))
        for item in lists
    ]
    focus = focus or (lists[0] if lists else None)
    main_counts = in_by_list_cat[focus.id] if focus else Counter()
    category_rows = [(name, main_counts[cid], expected_by_cat.get(cid, 0)) for cid, name in categories
                     if focus is None or focus.admits_category(cid)]
    arrivals = _arrivals(focus) if focus else []
    focus_count = next((c for c in list_counts if focus and c.id == focus.id), None)
    return Stats(list_counts, category_rows, arrivals,
                 focus_count.checked_in if focus_count else 0, focus_count.expected if focus_count else 0)


def _arrivals(checkin_list: CheckInList) -> list[tuple[datetime, int]]:
    times = db.session.scalars(
        select(CheckIn.checked_in_at).where(CheckIn.list_id == checkin_list.id, CheckIn.reverted_at.is_(None))
    )
    slots: Counter = Counter()
    for moment in times:
        slots[moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)] += 1
    if not slots:
        return []
    start, end = min(slots), max(slots)
    out = []
    while start <= end and len(out) < 24 * 4 * 3:
        out.append((start, slots[start]))
        start += timedelta(minutes=15)
    return out


# --- offline download ------------------------------------------------------------------------

OFFLINE_FIELDS = ("code", "name", "pronouns", "category", "organisation", "accessibility", "interpretation",
                  "state", "checked_in_at", "checked_in_by", "station", "signed_up", "language")


def desk_state(status: RegistrationStatus, order_state: PaymentState, due: int, admitted: bool) -> str:
    """What a scan would answer for this ticket, decided from the downloaded data when offline."""
    if status in BLOCKED_STATUSES:
        return "cancelled"
    if status == RegistrationStatus.PENDING_APPROVAL:
        return "pending_approval"
    if status == RegistrationStatus.AWAITING_PAYMENT or (order_state == PaymentState.UNPAID and due > 0):
        return "unpaid"
    return "ok" if admitted else "not_admitted"


def offline_rows(checkin_list: CheckInList) -> list[list]:
    """Every ticket of the list's event with only what the desk shows, and for a per-session
    list whether the person signed up (walk-ins count against the room offline). Three queries,
    four for a per-session list."""
    rows = db.session.execute(
        select(Registration.id, Registration.ticket_code, Registration.first_name, Registration.last_name,
               Registration.status, Registration.category_id, RegistrationCategory.name, RegistrationCategory.translations,
               Order.payment_state, Order.total_minor - Order.paid_minor,
               CheckIn.checked_in_at, CheckIn.actor_label, CheckIn.station, Registration.language, Order.language)
        .join(RegistrationCategory, RegistrationCategory.id == Registration.category_id)
        .join(Order, Order.id == Registration.order_id)
        .outerjoin(CheckIn, and_(CheckIn.registration_id == Registration.id, CheckIn.list_id == checkin_list.id,
                                 CheckIn.reverted_at.is_(None)))
        .where(Registration.event_id == checkin_list.event_id)
        .order_by(Registration.id)
    ).all()
    answers: dict[int, dict[str, str]] = defaultdict(dict)
    for registration_id, key, value in db.session.execute(
        select(Answer.registration_id, Question.builtin_key, Answer.value)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.event_id == checkin_list.event_id, Question.builtin_key.in_(DESK_KEYS[:4]))
    ):
        answers[registration_id][key] = value
    signed_up = None
    if checkin_list.program_session_id:
        from ..program.models import SessionSignup

        signed_up = set(db.session.scalars(
            select(SessionSignup.registration_id).where(SessionSignup.session_id == checkin_list.program_session_id)))
    # The category as the online desk names it (desk.result_json): in the desk's content language.
    event = checkin_list.event  # the page's event, already in the session: no query
    lang = content_language(event) if event is not None else None
    out = []
    for (rid, code, first, last, status, category_id, category, texts, pay_state, due, at, by, station, own,
         ordered) in rows:
        extra = answers.get(rid, {})
        if lang and lang != default_language(event):
            category = ((texts or {}).get(lang) or {}).get("name") or category
        out.append([
            code, f"{first} {last}".strip(), extra.get("pronouns", ""), category, extra.get("organisation", ""),
            extra.get("accessibility", ""), extra.get("interpretation", ""),
            desk_state(status, pay_state, due or 0, checkin_list.admits_category(category_id)),
            at.isoformat() if at else None, by or "", station or "", signed_up is None or rid in signed_up,
            language_name(own or ordered),
        ])
    return out


def printed_registration_ids(event_id: int) -> set[int]:
    return set(db.session.scalars(select(BadgePrint.registration_id).where(BadgePrint.event_id == event_id)))
