"""Read-only aggregates for the dashboard and the summary report.

`compute_figures(event)` answers everything a report shows in a fixed number of queries,
whatever the size of the event, and returns plain JSON-ready data (dicts, lists, ints,
strings), which is what a published report freezes into its snapshot, with other domains'
figures (check-ins, sessions, speakers).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import pycountry
from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import aliased

from ..checkin.models import CheckIn, CheckInList, ListKind
from ..events.content_languages import translations_of as translated
from ..events.models import Event
from ..extensions import db
from ..i18n import DEFAULT_LANGUAGE, language_name
from ..online.queries import attendance_counts
from ..types import utcnow
from ..registration.models import (
    Answer,
    Order,
    PaymentState,
    PlaceKind,
    Question,
    QuestionKind,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from .integration import session_rows
from .models import DataRetention, SessionRating, SurveyResponse
from .timeseries import by_hour, first_arrivals, over_time

FIGURES_VERSION = 1
PLACE_KEYS = ("city", "region", "country")
# An organiser-built question may carry this key to say what kind of organisation someone is from.
ORGANISATION_KIND_KEYS = ("organisation_kind", "organisation_type")
ORGANISATION_KIND_PHRASES = ("kind of organi", "type of organi", "organisation type", "organization type", "sector")


def folded_for_grouping(value: str) -> str:
    return " ".join(value.split()).casefold()


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    return (getattr(country, "common_name", None) or country.name) if country else code


def _rows(counter: Counter, labels: dict[str, Counter]) -> list[dict]:
    """Count rows, most first then by name; each label is the commonest spelling of its group."""
    rows = [{"label": labels[key].most_common(1)[0][0], "count": count} for key, count in counter.items()]
    return sorted(rows, key=lambda row: (-row["count"], row["label"].casefold()))


def _grouped(values: list[tuple[str, int]]) -> list[dict]:
    counter: Counter = Counter()
    labels: dict[str, Counter] = defaultdict(Counter)
    for value, count in values:
        value = " ".join((value or "").split())
        if not value:
            continue
        key = folded_for_grouping(value)
        counter[key] += count
        labels[key][value] += count
    return _rows(counter, labels)


def compute_figures(event: Event) -> dict[str, Any]:
    """Every figure of the report, live; after the purge, the figures frozen just before it."""
    retention = db.session.get(DataRetention, event.id)
    if retention is not None and retention.frozen_figures is not None:
        return retention.frozen_figures
    return live_figures(event)


def live_figures(event: Event) -> dict[str, Any]:
    """The figures from the live tables. Everything is aggregated in the database (grouped
    queries), so the time grows slowly with the event and the number of statements not at all."""
    counts = _registration_counts(event)
    confirmed = [row for row in counts if row["status"] == RegistrationStatus.CONFIRMED]
    registered = sum(row["n"] for row in confirmed)
    attended = sum(row["n"] for row in confirmed if row["came"])
    # Before the doors open nobody is a no-show: attendance counts once check-in has begun.
    attendance_known = attended > 0 or event.starts_at <= utcnow()
    group_orders, group_registrations = _groups(event)

    category_rows = db.session.execute(
        select(RegistrationCategory.id, RegistrationCategory.name, RegistrationCategory.attendance_mode,
               RegistrationCategory.translations)
        .where(RegistrationCategory.event_id == event.id)
        .order_by(RegistrationCategory.position, RegistrationCategory.id)
    ).all()
    online_categories = {row.id for row in category_rows if row.attendance_mode == PlaceKind.ONLINE}
    by_category = [
        {
            "label": row.name,
            "labels": translated(row.translations, "name"),
            "registered": sum(n["n"] for n in confirmed if n["category_id"] == row.id),
            "attended": sum(n["n"] for n in confirmed if n["category_id"] == row.id and n["came"]),
        }
        for row in category_rows
    ]

    places, organisations, organisation_kinds, organisations_total = _answers(event)
    sessions, speakers_total = session_rows(event)
    feedback = _feedback(event)
    joined_online, online_by_session = attendance_counts(event)
    for row in sessions:
        rating = feedback["sessions"].get(row["id"])
        row["rating"], row["ratings"] = (rating if rating else (None, 0))
        row["online"] = online_by_session.get(row["id"], 0)
    registered_online = sum(row["n"] for row in confirmed if row["category_id"] in online_categories)

    return {
        "version": FIGURES_VERSION,
        "event": {"title": event.title, "capacity": event.capacity, "timezone": event.timezone},
        "attendance_known": attendance_known,
        "headline": {
            "registered": registered,
            "attended": attended if attendance_known else None,
            "no_shows": registered - attended if attendance_known else None,
            "walk_ins": sum(row["n"] for row in confirmed if row["walk_in"]),
            "cancelled": _cancelled_not_superseded(event),
            "group_orders": group_orders,
            "group_registrations": group_registrations,
            "pending": sum(row["n"] for row in counts if row["status"] in PENDING_STATUSES),
            "waitlist": _waitlist_length(event),
            "speakers": speakers_total,
            "sessions": len(sessions),
            "organisations": organisations_total,
            "cities": len(places["city"]),
            "regions": len(places["region"]),
            "countries": len(places["country"]),
            "feedback_responses": feedback["responses"],
        },
        # Online attendance (confapp/online): attendees with online places, and who joined
        # anything online (by their join link, or marked by an organiser).
        "online": {"registered": registered_online, "in_person_registered": registered - registered_online,
                   "attended": joined_online, "event_joined": online_by_session.get(None, 0)},
        "cities": places["city"],
        "regions": places["region"],
        "countries": places["country"],
        "organisations": organisations,
        "organisation_kinds": organisation_kinds,
        "by_category": by_category,
        "by_language": _by_language(confirmed),
        "sessions": sessions,
        "finance": _finance(event),
        "registrations_over_time": over_time(event),
        "arrivals_by_hour": by_hour(event) if attendance_known else [],
        "feedback": {"responses": feedback["responses"], "overall_average": feedback["overall_average"],
                     "overall_ratings": feedback["overall_ratings"], "distribution": feedback["distribution"]},
    }


PENDING_STATUSES = (RegistrationStatus.PENDING_APPROVAL, RegistrationStatus.AWAITING_PAYMENT)


def _registration_counts(event: Event) -> list[dict]:
    """Registrations counted by status, walk-in, category, language and whether they came: one query."""
    # The attendee's own choice, else the language the order was placed in (None before languages: English).
    language = func.coalesce(Registration.language, Order.language, DEFAULT_LANGUAGE)
    columns = [Registration.status, Registration.is_walk_in, Registration.category_id, language]
    arrivals = first_arrivals(event)
    came = case((arrivals.c.registration_id.is_not(None), 1), else_=0)
    query = (select(*columns, came, func.count()).join(Order, Order.id == Registration.order_id)
             .outerjoin(arrivals, arrivals.c.registration_id == Registration.id))
    query = query.group_by(*columns, came)
    rows = db.session.execute(query.where(Registration.event_id == event.id)).all()
    return [
        {"status": RegistrationStatus(status), "walk_in": bool(walk_in), "category_id": category_id,
         "language": code, "came": bool(came), "n": n}
        for status, walk_in, category_id, code, came, n in rows
    ]


def _by_language(confirmed: list[dict]) -> list[dict]:
    """Registered and attended per language, most registrations first; the label is the
    language's English name (frozen with the figures, as category names are)."""
    codes = sorted({row["language"] for row in confirmed},
                   key=lambda code: (-sum(r["n"] for r in confirmed if r["language"] == code), code))
    return [
        {
            "code": code,
            "label": language_name(code, "en"),  # stored with the figures: one neutral name
            "registered": sum(row["n"] for row in confirmed if row["language"] == code),
            "attended": sum(row["n"] for row in confirmed if row["language"] == code and row["came"]),
        }
        for code in codes
    ]


def _cancelled_not_superseded(event: Event) -> int:
    """Cancellations, except by someone who registered again (same address) and is confirmed."""
    confirmed_addresses = select(func.lower(Registration.email)).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED, Registration.email != ""
    )
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CANCELLED,
            (Registration.email == "") | func.lower(Registration.email).not_in(confirmed_addresses),
        )
    ) or 0


def _groups(event: Event) -> tuple[int, int]:
    """(orders with more than one confirmed attendee, the attendees in them)."""
    sizes = (
        select(func.count().label("n")).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
        ).group_by(Registration.order_id).having(func.count() > 1).subquery()
    )
    orders, people = db.session.execute(select(func.count(), func.sum(sizes.c.n)).select_from(sizes)).one()
    return int(orders or 0), int(people or 0)


def _answers(event: Event) -> tuple[dict[str, list[dict]], list[dict], list[dict], int]:
    """Places, organisations (named only for people who consented) and kinds, among confirmed
    participants. Two queries: the questions, then the grouped answers."""
    questions = db.session.execute(
        select(Question.id, Question.builtin_key, Question.kind, Question.label)
        .where(Question.event_id == event.id).order_by(Question.position, Question.id)
    ).all()
    by_key = {key: qid for qid, key, _kind, _label in questions if key}
    kind_question = _organisation_kind_question(questions)
    if kind_question is not None and not any(k in by_key for k in ORGANISATION_KIND_KEYS):
        by_key[ORGANISATION_KIND_KEYS[0]] = kind_question
    wanted = [by_key[k] for k in (*PLACE_KEYS, "organisation", *ORGANISATION_KIND_KEYS) if k in by_key]
    places: dict[str, list[dict]] = {key: [] for key in PLACE_KEYS}
    if not wanted:
        return places, [], [], 0
    consent = aliased(Answer)
    consent_qid = by_key.get("consent_attendee_list")
    # Without a consent question nobody agreed to be named.
    consented = case((consent.value == "yes", 1), else_=0) if consent_qid is not None else literal(0)
    query = (
        select(Answer.question_id, Answer.value, func.count(), func.sum(consented))
        .join(Registration, Registration.id == Answer.registration_id)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Answer.question_id.in_(wanted),
        )
        .group_by(Answer.question_id, Answer.value)
    )
    if consent_qid is not None:
        query = query.outerjoin(
            consent, and_(consent.registration_id == Answer.registration_id, consent.question_id == consent_qid)
        )
    grouped: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for question_id, value, count, consenting in db.session.execute(query):
        grouped[question_id].append((value, count, int(consenting or 0)))
    for key in PLACE_KEYS:
        values = [(v, n) for v, n, _ in grouped.get(by_key.get(key, -1), [])]
        if key == "country":
            values = [(country_name(v.strip()), n) for v, n in values]
        places[key] = _grouped(values)
    org_values = grouped.get(by_key.get("organisation", -1), [])
    organisations_total = len(_grouped([(v, n) for v, n, _ in org_values]))
    # Only people who agreed to be listed put their organisation's name in a report.
    organisations = _grouped([(v, c) for v, _, c in org_values if c])
    kind_key = next((k for k in ORGANISATION_KIND_KEYS if k in by_key), None)
    kinds = _grouped([(v, n) for v, n, _ in grouped.get(by_key.get(kind_key, -1), [])]) if kind_key else []
    return places, organisations, kinds, organisations_total


def _organisation_kind_question(questions) -> int | None:
    """An organiser's choice question about the kind of organisation ("Type of organisation",
    "Which sector do you work in?"): the report groups participants by its answers."""
    for qid, key, kind, label in questions:
        text = label.casefold()
        if key is None and kind in ("single_choice", QuestionKind.SINGLE_CHOICE) and any(
            phrase in text for phrase in ORGANISATION_KIND_PHRASES
        ):
            return qid
    return None


def _feedback(event: Event) -> dict:
    overall = db.session.execute(
        select(SurveyResponse.overall_rating, func.count())
        .where(SurveyResponse.event_id == event.id)
        .group_by(SurveyResponse.overall_rating)
    ).all()
    responses = sum(n for _, n in overall)
    rated = [(r, n) for r, n in overall if r is not None]
    ratings = sum(n for _, n in rated)
    average = round(sum(r * n for r, n in rated) / ratings, 2) if ratings else None
    per_session = db.session.execute(
        select(SessionRating.session_id, func.avg(SessionRating.rating), func.count())
        .join(SurveyResponse, SurveyResponse.id == SessionRating.response_id)
        .where(SurveyResponse.event_id == event.id)
        .group_by(SessionRating.session_id)
    ).all()
    return {
        "responses": responses,
        "overall_average": average,
        "overall_ratings": ratings,
        "distribution": [{"label": str(r), "count": dict(rated).get(r, 0)} for r in range(1, 6)],
        "sessions": {sid: (round(float(avg), 2), n) for sid, avg, n in per_session},
    }


def _finance(event: Event) -> dict:
    states = [PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED, PaymentState.WAIVED]
    rows = db.session.execute(
        select(
            Order.currency,
            Order.payment_state,
            func.count(),
            func.sum(Order.subtotal_minor),
            func.sum(Order.discount_minor),
            func.sum(Order.paid_minor),
            func.sum(Order.refunded_minor),
        )
        .where(Order.event_id == event.id, Order.payment_state.in_(states))
        .group_by(Order.currency, Order.payment_state)
    ).all()
    currency = rows[0][0] if rows else "USD"
    fees = discounts = refunds = waived = waived_orders = 0
    for _currency, state, count, subtotal, discount, paid, refunded in rows:
        # PostgreSQL sums integers into Decimals; the figures are JSON, so back to int.
        fees += int(paid or 0)
        refunds += int(refunded or 0)
        if state == PaymentState.WAIVED:
            waived_orders += count
            waived += int(subtotal or 0) - int(discount or 0)
        else:
            discounts += int(discount or 0)
    return {
        "currency": currency,
        "fees_minor": fees,
        "discounts_minor": discounts,
        "waived_minor": waived,
        "waived_orders": waived_orders,
        "refunds_minor": refunds,
        "net_minor": fees - refunds,
    }


def _waitlist_length(event: Event) -> int:
    return db.session.scalar(
        select(func.count()).select_from(WaitlistEntry).where(
            WaitlistEntry.event_id == event.id, WaitlistEntry.status == WaitlistStatus.WAITING
        )
    ) or 0


def feedback_comments(event: Event, limit: int = 500) -> list[dict]:
    """Comments, newest first; the author's name only when they chose to give it. One query."""
    rows = db.session.execute(
        select(SurveyResponse.created_at, SurveyResponse.overall_rating, SurveyResponse.comment,
               Registration.first_name, Registration.last_name)
        .outerjoin(Registration, Registration.id == SurveyResponse.registration_id)
        .where(SurveyResponse.event_id == event.id, SurveyResponse.comment != "")
        .order_by(SurveyResponse.created_at.desc(), SurveyResponse.id.desc())
        .limit(limit)
    ).all()
    return [
        {"at": at, "rating": rating, "comment": comment, "name": f"{first or ''} {last or ''}".strip() or None}
        for at, rating, comment, first, last in rows
    ]


def check_ins_by_event(event_ids: list[int]) -> dict[int, int | None]:
    """People admitted through a main entrance, per event (one query)."""
    return dict(db.session.execute(
        select(CheckIn.event_id, func.count(func.distinct(CheckIn.registration_id)))
        .join(CheckInList, CheckInList.id == CheckIn.list_id)
        .where(CheckIn.event_id.in_(event_ids), CheckIn.reverted_at.is_(None), CheckInList.kind == ListKind.MAIN)
        .group_by(CheckIn.event_id)
    ).all())
