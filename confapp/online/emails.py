"""Join details in the reminder emails (issue 15): a section outreach adds after a reminder's
body, at send time, for each reader entitled to join (a confirmed online attendee, or an
in-person one where the organiser allows the stream). Before a target's reveal time it says when
the link will appear on the ticket page; it never carries the meeting URL itself, only the
reader's personal join link. Nobody else's reminder gets anything from here."""
from __future__ import annotations

from datetime import datetime

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..outreach.building import register_reminder_section
from ..registration.links import self_service_url
from ..registration.models import Registration
from ..urls import external_url
from . import access
from .models import JoinLinkRevocation


def generations(registration_ids: list[int]) -> dict[int, int]:
    """How many times each registration's links were revoked: one grouped query."""
    if not registration_ids:
        return {}
    return dict(db.session.execute(
        select(JoinLinkRevocation.registration_id, func.count()).where(JoinLinkRevocation.registration_id.in_(registration_ids))
        .group_by(JoinLinkRevocation.registration_id)).all())


def personal_joins(registrations, event, *, now: datetime) -> dict[int, list[dict]]:
    """{registration id: [{target, revealed, url}]} for the entitled ones among `registrations`
    (loaded with their categories): the join targets are read once (two queries), the link
    generations in one more. `url` is the personal /j/<token> link, None until revealed."""
    targets = access.join_targets(event)
    if not targets:
        return {}
    counts = generations([r.id for r in registrations])
    found = {}
    for registration in registrations:
        mine = [t for t in targets if access.entitled(registration, t.details)]
        if not mine:
            continue
        generation = counts.get(registration.id, 0)
        found[registration.id] = [
            {"target": t, "revealed": t.revealed(now),
             "url": external_url("online.join_page", token=access.join_token(registration, t.session_id, generation=generation))
             if t.revealed(now) else None}
            for t in mine]
    return found


@register_reminder_section
def reminder_join_section(event, registration_ids: list[int], now: datetime) -> dict[int, tuple[str, str]]:
    registrations = list(db.session.scalars(
        select(Registration).options(selectinload(Registration.category))
        .where(Registration.id.in_(registration_ids), Registration.event_id == event.id)))
    joins = personal_joins(registrations, event, now=now)
    sections = {}
    for registration in registrations:
        items = joins.get(registration.id)
        if not items:
            continue
        context = dict(event=event, items=items, ticket_url=self_service_url(registration, event))
        sections[registration.id] = (render_template("online/email_join.txt", **context),
                                     render_template("online/email_join.html", **context))
    return sections
