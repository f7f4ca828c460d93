"""The editions of a series side by side: registered, attended, cities, countries,
organisations, net fees, year over year. A fixed number of grouped queries for any number of
editions; a purged edition contributes the figures frozen before its purge."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from ..events.models import Event
from ..extensions import db
from ..registration.models import Answer, Order, PaymentState, Question, Registration, RegistrationStatus
from .models import DataRetention
from .queries import check_ins_by_event, country_name, folded_for_grouping


def series_rows(events: list[Event]) -> list[dict]:
    ids = [e.id for e in events]
    if not ids:
        return []
    registered = dict(db.session.execute(
        select(Registration.event_id, func.count()).where(
            Registration.event_id.in_(ids), Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.event_id)).all())
    attended = check_ins_by_event(ids)
    places: dict[tuple[int, str], set] = defaultdict(set)
    for event_id, key, value in db.session.execute(
        select(Registration.event_id, Question.builtin_key, Answer.value)
        .join(Answer, Answer.registration_id == Registration.id).join(Question, Question.id == Answer.question_id)
        .where(Registration.event_id.in_(ids), Registration.status == RegistrationStatus.CONFIRMED,
               Question.builtin_key.in_(("city", "country", "organisation")), Answer.value != "")
        .group_by(Registration.event_id, Question.builtin_key, Answer.value)
    ):
        places[(event_id, key)].add(folded_for_grouping(country_name(value.strip()) if key == "country" else value))
    # Net fees in each edition's own currency (an alliance meeting in another country each year
    # may charge in another one); an event has one currency.
    money = {event_id: (int(paid or 0) - int(refunded or 0), currency)
             for event_id, currency, paid, refunded in db.session.execute(
                 select(Order.event_id, Order.currency, func.sum(Order.paid_minor), func.sum(Order.refunded_minor))
                 .where(Order.event_id.in_(ids), Order.payment_state.in_(
                     [PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED]))
                 .group_by(Order.event_id, Order.currency))}
    frozen = dict(db.session.execute(
        select(DataRetention.event_id, DataRetention.frozen_figures).where(
            DataRetention.event_id.in_(ids), DataRetention.frozen_figures.is_not(None))).all())
    rows = []
    for event in events:
        if event.id in frozen:
            f = frozen[event.id]
            h = f["headline"]
            row = {"registered": h["registered"], "attended": h["attended"], "cities": h["cities"],
                   "countries": h["countries"], "organisations": h["organisations"],
                   "net_minor": f.get("finance", {}).get("net_minor", 0),
                   "currency": f.get("finance", {}).get("currency", "USD")}
        else:
            row = {"registered": registered.get(event.id, 0), "attended": attended.get(event.id),
                   "cities": len(places[(event.id, "city")]), "countries": len(places[(event.id, "country")]),
                   "organisations": len(places[(event.id, "organisation")])}
            row["net_minor"], row["currency"] = money.get(event.id, (0, "USD"))
        row.update(event=event, label=event.edition_label or str(event.local(event.starts_at).year))
        rows.append(row)
    return rows
