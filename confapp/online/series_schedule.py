"""Keeping a webcast series' editions in step with its rule (issue 15): the hourly job creates
the next editions of every active rule, and a changed rule moves, cancels or adds the future
editions. Past and started editions never change; editions with registrations are never deleted.

A moved edition's confirmed attendees get a change notice with the new date (registration's
send_change_notices, through the mail outbox after commit; a whole-series subscriber with places
in several editions moved by one change gets one notice listing them all instead) and its reminders that already went
out are armed again for the new date; the move is in the audit log. A cancelled edition's
attendees get the usual cancellation mail instead. Services flush; the caller commits
(create_due_editions, a job, commits each rule itself).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from ..accounts.permissions import Action, require
from ..audit.services import SYSTEM, record
from ..events.models import Event, EventStatus, Series
from ..extensions import db
from ..registration.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from . import recurrence
from .models import CancelledEdition, SeriesEdition, SeriesRule
from .series import DEFAULT_AHEAD, RuleData, create_editions, save_rule, schedule_rule

log = logging.getLogger(__name__)


def active_rules(now: datetime) -> list[SeriesRule]:
    """Rules that may still produce editions (no last date, or one not past yet) of a published
    template: a series still being set up as a draft gets its editions when the organiser asks."""
    return list(db.session.scalars(select(SeriesRule).join(Event, Event.id == SeriesRule.template_event_id).where(
        (SeriesRule.until.is_(None)) | (SeriesRule.until >= now.date()), Event.status == EventStatus.PUBLISHED)
        .order_by(SeriesRule.id)))


def create_due_editions(*, now: datetime, ahead: int = DEFAULT_AHEAD) -> dict[int, list[int]]:
    """The scheduled job: every active rule gets its next `ahead` editions created (as the
    system), subscribers registered for the new ones. Each rule in its own transaction, so one
    failure does not hold back the others; re-runs and a second worker create nothing twice (the
    rule row lock and the unique (rule, starts_at)). Commits; returns {rule id: new event ids}."""
    made: dict[int, list[int]] = {}
    for rule_id in [r.id for r in active_rules(now)]:
        try:
            row = db.session.get(SeriesRule, rule_id)
            if row is None:
                continue
            created = [e.id for e in create_editions(row, actor=SYSTEM, now=now, ahead=ahead)]
            db.session.commit()
            if created:
                made[rule_id] = created
        except Exception:
            db.session.rollback()
            log.exception("could not create the editions of series rule %s", rule_id)
    return made


@dataclass
class Rescheduled:
    kept: list[Event] = field(default_factory=list)
    moved: list[tuple[Event, datetime]] = field(default_factory=list)  # the edition and its old start
    cancelled: list[Event] = field(default_factory=list)
    added: list[Event] = field(default_factory=list)


def _future_editions(row: SeriesRule, now: datetime) -> list[SeriesEdition]:
    """With their events loaded by the same SELECT (the join filters on them anyway), so the
    per-edition db.session.get(Event, ...) that follows is answered from the identity map."""
    return list(db.session.scalars(select(SeriesEdition).join(SeriesEdition.event).options(contains_eager(SeriesEdition.event))
                                   .where(SeriesEdition.rule_id == row.id, Event.starts_at > now).order_by(Event.starts_at)))


def _registrations(event: Event, statuses=ACTIVE_STATUSES) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status.in_(statuses)).order_by(Registration.id)))


def _move(edition: SeriesEdition, occurrence: recurrence.Occurrence, *, actor, now: datetime,
          told_elsewhere=frozenset()) -> tuple[datetime, datetime]:
    """Move one edition to the rule's new date through program.moving.move_event, as the
    Details form moves an event (its programme and its categories' sales windows go with it), and
    its registration window with it;
    the slug and the registrations stay. Its confirmed attendees are told (one change notice
    each, sent after commit; those in `told_elsewhere` hear of it in their series summary
    instead), its reminders already sent are armed again, and the move is in the audit log with
    how many people were registered and told. Returns the old start and end."""
    from ..program.moving import move_event

    event = db.session.get(Event, edition.event_id)
    move = move_event(event, occurrence.starts_at, occurrence.ends_at, actor=actor, now=now,
                      told_elsewhere=told_elsewhere, check_registration=False, authorised=True,
                      audit_action="online.series_edition_moved",
                      audit_details={"rule_id": edition.rule_id, "registrations": len(_registrations(event))})
    shift = move.shift
    for name in ("registration_opens_at", "registration_closes_at"):
        if getattr(event, name):
            setattr(event, name, getattr(event, name) + shift)
    event.edition_label = format_date(occurrence.local_date, format="long", locale=event.default_language or "en")
    edition.starts_at = occurrence.starts_at
    db.session.flush()
    return move.old_starts_at, move.old_ends_at


def _summary_groups(row: SeriesRule, moved_event_ids: list[int]) -> list[list[Registration]]:
    """The whole-series subscribers with a confirmed place in two or more of the editions this
    change moves: for each, their registrations in those editions (one per edition, in the
    editions' order), to be told in one summary notice instead of one notice per edition.
    Someone with a place in only one moved edition gets the usual notice. One query for the
    subscriptions, one for the registrations, however many editions move."""
    from .series import subscriptions

    if len(moved_event_ids) < 2:
        return []
    emails = {s.email.lower() for s in subscriptions(row)}
    if not emails:
        return []
    found = db.session.scalars(select(Registration).join(Event, Event.id == Registration.event_id).where(
        Registration.event_id.in_(moved_event_ids), Registration.status == RegistrationStatus.CONFIRMED,
        func.lower(Registration.email).in_(emails)).order_by(Event.starts_at, Registration.id)).all()
    by_person: dict[str, dict[int, Registration]] = {}
    for registration in found:
        by_person.setdefault(registration.email.lower(), {}).setdefault(registration.event_id, registration)
    return [list(places.values()) for places in by_person.values() if len(places) >= 2]


def _remember_cancelled(edition: SeriesEdition, event: Event, *, now: datetime) -> None:
    """The cancelled edition's local date, skipped by the scheduler from now on (schedule_rule).
    A date is recorded once: a second edition can never be cancelled on it, since none goes there."""
    rule = db.session.get(SeriesRule, edition.rule_id)
    local_date = event.starts_at.astimezone(ZoneInfo(rule.timezone)).date()
    if db.session.scalar(select(CancelledEdition.id).where(CancelledEdition.rule_id == rule.id,
                                                          CancelledEdition.local_date == local_date)) is None:
        db.session.add(CancelledEdition(rule_id=rule.id, event_id=event.id, local_date=local_date,
                                        starts_at=event.starts_at, cancelled_at=now))


def _cancel(edition: SeriesEdition, *, actor, now: datetime) -> Event:
    """An edition the rule no longer has: its waitlist is closed, its places are cancelled (each
    attendee gets the usual cancellation mail, refunded in full), the edition goes back to draft
    and leaves the rule, its date recorded as cancelled (never used by the rule again). Never
    deleted: its registrations and history stay."""
    from ..events.services import unpublish_event
    from ..registration.models import WaitlistEntry, WaitlistStatus
    from ..registration.services import cancel_registration
    from ..registration.waitlist import remove_entry

    event = db.session.get(Event, edition.event_id)
    # Waiting people first, then open offers: a freed place must not be offered for a cancelled date.
    for status in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
        for entry in db.session.scalars(select(WaitlistEntry).where(
                WaitlistEntry.event_id == event.id, WaitlistEntry.status == status)).all():
            remove_entry(entry, actor=actor, now=now)
    for registration in _registrations(event):
        cancel_registration(registration, actor=actor, now=now, refund="full",
                            reason=gettext("This edition of the series was cancelled."))
    if event.status == EventStatus.PUBLISHED:
        unpublish_event(event, actor=actor, now=now)
    _remember_cancelled(edition, event, now=now)
    record("online.series_edition_cancelled", actor=actor, event=event, target=event, now=now,
           details={"rule_id": edition.rule_id, "starts_at": event.starts_at.isoformat()})
    db.session.delete(edition)
    db.session.flush()
    return event


def reschedule(row: SeriesRule, *, actor, now: datetime) -> Rescheduled:
    """Make the rule's future editions (not started yet) match the rule as it now is. An edition
    still on one of the rule's dates stays; one on a date now skipped (an exception) is
    cancelled; a date whose edition was cancelled once stays cancelled (schedule_rule); the others move, in order, to the rule's dates that have no edition; editions left
    over are cancelled; and the rule's dates are topped up to as many editions as before.
    Editions with registrations are moved or cancelled, never deleted; past and started editions
    never change. NotAllowed unless the actor may edit the template."""
    template = db.session.get(Event, row.template_event_id)
    require(actor, Action.EDIT_EVENT, template)
    db.session.scalars(select(SeriesRule).where(SeriesRule.id == row.id).with_for_update()).one()
    # The cancelled editions' dates are skipped like exceptions: no edition moves onto one.
    rule, result = schedule_rule(row), Rescheduled()
    future = _future_editions(row, now)
    if not future:
        return result
    dates = recurrence.occurrences(rule, after=now, limit=len(future))
    by_start = {o.starts_at: o for o in dates}
    zone = ZoneInfo(rule.timezone)
    unmatched = []
    for edition in future:
        event = db.session.get(Event, edition.event_id)
        if event.starts_at in by_start:
            result.kept.append(event)
            del by_start[event.starts_at]
        elif event.starts_at.astimezone(zone).date() in rule.exceptions:
            result.cancelled.append(_cancel(edition, actor=actor, now=now))
        else:
            unmatched.append(edition)
    from ..registration.emails import send_series_change_notice

    free = sorted(by_start.values(), key=lambda o: o.starts_at)
    pairs = list(zip(unmatched, free))
    summaries = _summary_groups(row, [edition.event_id for edition, _ in pairs])
    told_elsewhere = frozenset(r.id for group in summaries for r in group)
    old: dict[int, tuple[datetime, datetime]] = {}
    for edition, occurrence in pairs:
        event = db.session.get(Event, edition.event_id)
        old[event.id] = _move(edition, occurrence, actor=actor, now=now, told_elsewhere=told_elsewhere)
        result.moved.append((event, old[event.id][0]))
    for group in summaries:
        send_series_change_notice([(r, db.session.get(Event, r.event_id), *old[r.event_id]) for r in group])
    for edition in unmatched[len(free):]:
        result.cancelled.append(_cancel(edition, actor=actor, now=now))
    result.added = create_editions(row, actor=actor, now=now, ahead=len(future))
    return result


def change_rule(series: Series, data: RuleData, *, actor, now: datetime) -> tuple[SeriesRule, Rescheduled]:
    """Save the rule (save_rule's checks) and move the future editions to match (reschedule)."""
    row = save_rule(series, data, actor=actor, now=now)
    return row, reschedule(row, actor=actor, now=now)
