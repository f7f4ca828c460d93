"""Reminder rules: "2 days before start at 09:00 event time", "1 day after end".

A periodic job calls `fire_due_rules(now)`; each rule fires once (a conditional UPDATE of
`fired_at` decides), creating a message for the rule's segment as it stands at that moment.
A rule whose moment passed more than a day ago (created too late, or the worker was down
for days) is not sent late; it shows as missed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask_babel import gettext, ngettext
from sqlalchemy import select, update

from ..accounts.permissions import Action, require
from ..audit.services import SYSTEM, record
from ..errors import InvalidState
from ..events.services import register_late_copy_hook
from ..extensions import db
from . import audience, merge
from .sending import start_sending
from .services import check_message
from .models import Message, MessageKind, MessageStatus, ReminderAnchor, ReminderRule
from ..registration.models import RegistrationCategory

GRACE = timedelta(days=1)
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass
class ReminderData:
    name: str
    anchor: str
    offset_days: int
    at_time: str
    subject: str
    body: str
    segment: dict | None = None


def fire_time(rule: ReminderRule, event) -> datetime:
    """The UTC moment the rule fires: anchor date + offset days, at `at_time` in the event's zone."""
    anchor = event.starts_at if rule.anchor == ReminderAnchor.START else event.ends_at
    local = anchor.astimezone(event.tz)
    day = local.date() + timedelta(days=rule.offset_days)
    if rule.at_time:
        hours, minutes = (int(x) for x in rule.at_time.split(":"))
        clock = time(hours, minutes)
    else:
        clock = local.time().replace(tzinfo=None)
    return datetime.combine(day, clock, tzinfo=event.tz).astimezone(anchor.tzinfo)


def describe(rule: ReminderRule) -> str:
    days = abs(rule.offset_days)
    start = rule.anchor == ReminderAnchor.START
    if days == 0:
        when = gettext("on the day of start") if start else gettext("on the day of end")
    elif rule.offset_days < 0:
        when = (ngettext("%(num)d day before start", "%(num)d days before start", days) if start
                else ngettext("%(num)d day before end", "%(num)d days before end", days))
    else:
        when = (ngettext("%(num)d day after start", "%(num)d days after start", days) if start
                else ngettext("%(num)d day after end", "%(num)d days after end", days))
    if rule.at_time:
        return gettext("%(when)s at %(time)s event time", when=when, time=rule.at_time)
    return when


def _validate(event, data: ReminderData) -> None:
    errors = {}
    if not data.name.strip():
        errors["name"] = gettext("Give the reminder a name.")
    if data.anchor not in {a.value for a in ReminderAnchor}:
        errors["anchor"] = gettext("Choose the start or the end of the event.")
    if not -60 <= data.offset_days <= 60:
        errors["offset_days"] = gettext("Choose between 60 days before and 60 days after.")
    if data.at_time and not _TIME.match(data.at_time):
        errors["at_time"] = gettext("Use a 24-hour time such as %(example)s.", example="09:00")
    check_message(event, data.subject, data.body, data.segment, errors)


def create_rule(event, data: ReminderData, *, actor, now: datetime) -> ReminderRule:
    """Raises NotAllowed without SEND_MESSAGES, ValidationFailed for bad fields or merge fields."""
    require(actor, Action.SEND_MESSAGES, event)
    _validate(event, data)
    rule = ReminderRule(event_id=event.id, name=data.name.strip()[:200], anchor=ReminderAnchor(data.anchor),
                        offset_days=data.offset_days, at_time=data.at_time, subject=data.subject.strip(),
                        body=data.body, segment=data.segment or {"all": True}, created_by_id=getattr(actor, "id", None),
                        created_at=now)
    db.session.add(rule)
    db.session.flush()
    record("outreach.reminder_created", actor=actor, event=event, target=rule, now=now)
    return rule


def delete_rule(rule: ReminderRule, *, actor, now: datetime) -> None:
    require(actor, Action.SEND_MESSAGES, rule.event)
    if rule.fired_at is not None:
        raise InvalidState(gettext("This reminder was already sent; it stays in the history."))
    record("outreach.reminder_deleted", actor=actor, event=rule.event, target=rule, now=now)
    db.session.delete(rule)
    db.session.flush()


def fire_due_rules(*, now: datetime) -> list[Message]:
    """Fire every active, unfired rule whose moment is in [fire_time, fire_time + 1 day).
    Each rule fires once: the conditional UPDATE of fired_at is the decision."""
    fired = []
    rules = db.session.scalars(select(ReminderRule).where(ReminderRule.is_active.is_(True), ReminderRule.fired_at.is_(None)))
    for rule in list(rules):
        moment = fire_time(rule, rule.event)
        if not moment <= now < moment + GRACE:
            continue
        won = db.session.execute(
            update(ReminderRule).where(ReminderRule.id == rule.id, ReminderRule.fired_at.is_(None))
            .values(fired_at=now).execution_options(synchronize_session=False)
        ).rowcount
        if not won:
            continue
        event = rule.event
        rendered = merge.validate_message(event, rule.subject, rule.body)
        message = Message(event_id=event.id, kind=MessageKind.ANNOUNCEMENT, status=MessageStatus.DRAFT,
                          subject=rule.subject, body=rule.body, segment=rule.segment,
                          segment_label=audience.describe(event.id, rule.segment)[:500],
                          segment_names=audience.names_of(event, rule.segment),
                          rendered_text=rendered.text, rendered_html=rendered.html,
                          reply_to=event.contact_email or "", reminder_rule_id=rule.id,
                          created_by_id=rule.created_by_id, created_at=now)
        message.event = event
        db.session.add(message)
        db.session.flush()
        db.session.execute(update(ReminderRule).where(ReminderRule.id == rule.id).values(fired_message_id=message.id)
                           .execution_options(synchronize_session=False))
        start_sending(message, actor=SYSTEM, now=now)
        fired.append(message)
    return fired


def rearm_after_move(event, *, actor, now: datetime) -> list[ReminderRule]:
    """The event moved (a webcast edition to its rule's new date): each of its rules that already
    fired is armed again, so the reminder goes once more before the new date, with it. A rule
    whose new moment is over (past its grace) stays fired: armed, it would only show as missed.
    Rules not fired yet need nothing (their moment follows the event); an event that did not
    move is never passed here, so nobody gets a reminder twice. What was sent stays in the
    history: the message keeps its rule, the audit log the old fired time. Returns the rules."""
    rearmed = []
    for rule in db.session.scalars(select(ReminderRule).where(
            ReminderRule.event_id == event.id, ReminderRule.is_active.is_(True),
            ReminderRule.fired_at.is_not(None)).order_by(ReminderRule.id)):
        if now >= fire_time(rule, event) + GRACE:
            continue
        record("outreach.reminder_rearmed", actor=actor, event=event, target=rule, now=now, details={
            "fired_at": rule.fired_at.isoformat(), "fired_message_id": rule.fired_message_id})
        rule.fired_at, rule.fired_message_id = None, None
        rearmed.append(rule)
    db.session.flush()
    return rearmed


def is_missed(rule: ReminderRule, now: datetime) -> bool:
    return rule.fired_at is None and now >= fire_time(rule, rule.event) + GRACE


def _segment_for_copy(segment, categories: dict[int, int]):
    """The segment re-pointed at the copy's categories; None when it names what a copy cannot
    carry over (sessions, questions) or a category that was not copied."""
    if not isinstance(segment, dict):
        return segment
    out = {}
    for key, value in segment.items():
        if key in ("session", "answer"):
            return None
        if key == "category":
            if any(v not in categories for v in value):
                return None
            value = [categories[v] for v in value]
        elif key in ("and", "or"):
            value = [_segment_for_copy(v, categories) for v in value]
            if None in value:
                return None
        elif key == "not":
            value = _segment_for_copy(value, categories)
            if value is None:
                return None
        out[key] = value
    return out


@register_late_copy_hook
def copy_reminder_rules(source, target, shift) -> None:
    """A new edition (a webcast series' next date, next year's convening) keeps the source's
    active reminder rules, unfired, so each edition sends its own reminders. Rules anchored
    on the event move with it. Segments naming sessions or questions are not copied (their ids
    are the source's); categories are re-pointed by name and position (registration's copy hook
    made them: this one is a late hook, run after the others)."""
    db.session.flush()
    pairs = {(c.name, c.position): c.id for c in db.session.scalars(
        select(RegistrationCategory).where(RegistrationCategory.event_id == target.id))}
    categories = {c.id: pairs[(c.name, c.position)] for c in db.session.scalars(
        select(RegistrationCategory).where(RegistrationCategory.event_id == source.id)) if (c.name, c.position) in pairs}
    for rule in db.session.scalars(select(ReminderRule).where(ReminderRule.event_id == source.id,
                                                              ReminderRule.is_active.is_(True)).order_by(ReminderRule.id)):
        segment = _segment_for_copy(rule.segment or {"all": True}, categories)
        if segment is None:
            continue
        db.session.add(ReminderRule(event_id=target.id, name=rule.name, anchor=rule.anchor, offset_days=rule.offset_days,
                                    at_time=rule.at_time, subject=rule.subject, body=rule.body, segment=segment,
                                    created_by_id=rule.created_by_id, created_at=target.created_at))
    db.session.flush()
