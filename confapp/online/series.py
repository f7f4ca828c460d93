"""Webcast series (issue 15): a recurrence rule creates the series' online editions as copies of
a template edition, and people register once for every upcoming edition.

- An edition is `events.services.copy_event` of the template (categories, questions, programme,
  modes and reminder rules come with it through the copy hooks), moved to the rule's date and
  given the rule's duration, with the template's join details copied (each edition sends its
  own reminder with its own join details).
- `create_editions` is idempotent: dates already created (or any event of the series starting
  then) are skipped, and the unique (rule, starts_at) catches a concurrent run.
- A series registration is one registration per edition placed through
  `registration.services.place_order`, never a copy of its rules; editions created later
  register the series' subscribers too, with the answers and language they gave once (answers
  are kept by question, builtin key or kind and label, since each edition has its own copies).
- series_schedule.py: the hourly job's work and following a changed rule.

Services flush; the caller commits.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time

from babel.dates import format_date
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.permissions import Action, can, require
from ..audit.services import SystemActor, record
from ..errors import DomainError, ValidationFailed
from ..events.models import AttendanceMode, Event, EventStatus, Series
from ..events.services import copy_event, publish_event
from ..extensions import db
from ..registration.models import ACTIVE_STATUSES, Question, QuestionKind, Registration, RegistrationCategory
from ..registration.questions import clean_answers
from ..registration.services import AttendeeData, CategoryChoice, OrderRequest, active_questions, place_order
from . import recurrence
from .models import CancelledEdition, JoinDetails, SeriesEdition, SeriesRule, SeriesSubscription

DEFAULT_AHEAD = 3  # editions created at a time, and the ones the scheduled job keeps ahead


@dataclass
class RuleData:
    template_event_id: int
    frequency: str
    weekday: int
    ordinal: int | None
    at_time: str
    timezone: str
    duration_minutes: int
    starts_on: date
    interval: int = 1
    until: date | None = None
    count: int | None = None
    exceptions: frozenset[date] = frozenset()


def _messages() -> dict[str, str]:
    return {
        "timezone": gettext("Choose a time zone such as America/New_York."),
        "weekday": gettext("Choose a day of the week."),
        "ordinal": gettext("Choose which week of the month."),
        "interval": gettext("Repeat every 1 to 12 weeks or months."),
        "duration_minutes": gettext("A webcast lasts between 5 minutes and 24 hours."),
        "until": gettext("The last date cannot be before the first."),
        "count": gettext("Give a number of editions between 1 and 500, or leave it empty."),
    }


def to_rule(row: SeriesRule) -> recurrence.Rule:
    hours, minutes = (int(x) for x in row.at_time.split(":"))
    return recurrence.Rule(frequency=recurrence.Frequency(row.frequency), weekday=row.weekday, ordinal=row.ordinal,
                           at=time(hours, minutes), timezone=row.timezone, duration_minutes=row.duration_minutes,
                           starts_on=row.starts_on, interval=row.interval, until=row.until, count=row.count,
                           exceptions=frozenset(date.fromisoformat(d) for d in row.exceptions or []))


def cancelled_dates(row: SeriesRule) -> frozenset[date]:
    """The local dates of the rule's cancelled editions (CancelledEdition)."""
    return frozenset(db.session.scalars(select(CancelledEdition.local_date).where(CancelledEdition.rule_id == row.id)))


def schedule_rule(row: SeriesRule, cancelled: frozenset[date] | None = None) -> recurrence.Rule:
    """The rule the scheduler follows: the organiser's, with the dates of cancelled editions
    skipped as exceptions are (and, as they do, still counting towards the rule's count). So
    taking an exception off, or a change that brings a cancelled date back, never puts an
    edition on it again: its attendees were told it is cancelled, and refunded. `cancelled`:
    those dates, when the caller read them already (a page that lists them too)."""
    rule = to_rule(row)
    cancelled = cancelled_dates(row) if cancelled is None else cancelled
    return dataclasses.replace(rule, exceptions=rule.exceptions | cancelled) if cancelled else rule


def rule_for(series: Series) -> SeriesRule | None:
    return db.session.scalar(select(SeriesRule).where(SeriesRule.series_id == series.id))


def save_rule(series: Series, data: RuleData, *, actor, now: datetime) -> SeriesRule:
    """Create or change the series' rule. NotAllowed unless the actor may edit the template;
    ValidationFailed for a template outside the series or a rule that cannot produce dates."""
    template = db.session.get(Event, data.template_event_id)
    if template is None or template.series_id != series.id:
        raise ValidationFailed({"template_event_id": gettext("Choose an edition of this series as the template.")})
    require(actor, Action.EDIT_EVENT, template)
    if template.attendance_mode == AttendanceMode.IN_PERSON:
        raise ValidationFailed({"template_event_id": gettext(
            "The template edition must be online or hybrid: set its attendance mode first.")})
    row = rule_for(series) or SeriesRule(series_id=series.id, created_at=now)
    row.template_event_id = template.id
    for name in ("frequency", "weekday", "interval", "at_time", "timezone", "duration_minutes", "starts_on", "until", "count"):
        setattr(row, name, getattr(data, name))
    row.ordinal = data.ordinal if data.frequency == recurrence.Frequency.MONTHLY else None
    row.exceptions = [d.isoformat() for d in sorted(data.exceptions)]
    try:
        recurrence.check(to_rule(row))
    except recurrence.RuleError as error:
        raise ValidationFailed({error.field: _messages()[error.field]}) from None
    except ValueError:
        raise ValidationFailed({"at_time": gettext("Use a 24-hour time such as %(example)s.", example="19:00")}) from None
    row.updated_at = now
    db.session.add(row)
    db.session.flush()
    record("online.series_rule_saved", actor=actor, event=template, details={"series_id": series.id, "rule_id": row.id})
    return row


def editions(row: SeriesRule) -> list[Event]:
    """Every event of the rule's series, template and manual editions included, by start."""
    return list(db.session.scalars(select(Event).where(Event.series_id == row.series_id).order_by(Event.starts_at)))


def _copy_join_details(source: Event, target: Event) -> None:
    details = db.session.scalar(select(JoinDetails).where(JoinDetails.event_id == source.id, JoinDetails.session_id.is_(None)))
    if details is not None:
        db.session.add(JoinDetails(event_id=target.id, meeting_url=details.meeting_url, dial_in_numbers=details.dial_in_numbers,
                                   access_code=details.access_code, instructions=details.instructions,
                                   reveal_minutes=details.reveal_minutes, in_person_may_join=details.in_person_may_join))


def _new_edition(row: SeriesRule, template: Event, occurrence: recurrence.Occurrence, *, actor, now: datetime) -> Event:
    label = format_date(occurrence.local_date, format="long", locale=template.default_language or "en")
    event = copy_event(template, title=template.title, starts_at=occurrence.starts_at, edition_label=label, actor=actor,
                       slug=f"{template.series.slug}-{occurrence.local_date.isoformat()}", now=now)
    event.ends_at = occurrence.ends_at  # the copy hooks gave it the template's online mode and categories
    _copy_join_details(template, event)
    db.session.add(SeriesEdition(rule_id=row.id, event_id=event.id, starts_at=occurrence.starts_at, created_at=now))
    db.session.flush()
    if not isinstance(actor, SystemActor) and actor in db.session:
        db.session.expire(actor, ["roles"])  # copy_event gave the actor the organiser role on the copy
    if template.status == EventStatus.PUBLISHED:
        publish_event(event, actor=actor, now=now)
    return event


def create_editions(row: SeriesRule, *, actor, now: datetime, ahead: int = DEFAULT_AHEAD,
                    send_email: bool = True) -> list[Event]:
    """Create the next `ahead` upcoming editions not created yet, never on the date of a
    cancelled edition (schedule_rule); returns the new ones (none on a re-run). The series' subscribers are registered for each (their confirmation sent unless
    `send_email` is False: the demo data)."""
    template = db.session.get(Event, row.template_event_id)
    if not isinstance(actor, SystemActor):
        require(actor, Action.EDIT_EVENT, template)
    # Two presses or two workers at once: the second waits here, then sees the first's editions.
    db.session.scalars(select(SeriesRule).where(SeriesRule.id == row.id).with_for_update()).one()
    taken = {e.starts_at for e in editions(row)} | set(db.session.scalars(
        select(SeriesEdition.starts_at).where(SeriesEdition.rule_id == row.id)))
    created = []
    for occurrence in recurrence.occurrences(schedule_rule(row), after=now, limit=ahead):
        if occurrence.starts_at in taken:
            continue
        try:
            with db.session.begin_nested():
                created.append(_new_edition(row, template, occurrence, actor=actor, now=now))
        except IntegrityError:
            continue  # a concurrent run created this date
    subscribers = subscriptions(row) if created else []  # read once, not once per new edition
    for event in created:
        for subscription in subscribers:
            _register(event, subscription, now=now, send_email=send_email)
    if created:
        record("online.series_editions_created", actor=actor, event=template,
               details={"rule_id": row.id, "event_ids": [e.id for e in created]})
    return created


def subscriptions(row: SeriesRule) -> list[SeriesSubscription]:
    return list(db.session.scalars(select(SeriesSubscription).where(SeriesSubscription.rule_id == row.id)
                                   .order_by(SeriesSubscription.id)))


def upcoming_editions(row: SeriesRule, now: datetime) -> list[Event]:
    return [e for e in editions(row) if e.starts_at > now and e.status == EventStatus.PUBLISHED]


def question_key(question: Question) -> str:
    """What a question is across the editions' copies of it: its builtin key, else kind and label."""
    return f"builtin:{question.builtin_key}" if question.builtin_key else f"{question.kind}:{question.label}"


def edition_answers(event: Event, kept: dict[str, str]) -> dict[int, object]:
    """A subscriber's kept answers as one edition's answers (question id -> value)."""
    answers: dict[int, object] = {}
    for question in active_questions(event.id):
        value = kept.get(question_key(question))
        if value is not None:
            answers[question.id] = value.split("\n") if question.kind == QuestionKind.MULTIPLE_CHOICE else value
    return answers


def series_questions(row: SeriesRule, now: datetime) -> tuple[Event | None, list[Question]]:
    """The questions a series registration answers: the next upcoming edition's (each edition
    is a copy of the template, so they ask the same)."""
    upcoming = upcoming_editions(row, now)
    return (upcoming[0], active_questions(upcoming[0].id)) if upcoming else (None, [])


def _register(event: Event, subscription: SeriesSubscription, *, now: datetime, send_email: bool = True) -> Registration | None:
    """The subscriber's registration for one edition, placed as anyone's; None when the edition has
    no category of that name, or refuses it (sold out, closed, questions to answer)."""
    already = db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, func.lower(Registration.email) == subscription.email,
        Registration.status.in_(ACTIVE_STATUSES)))
    if already is not None:
        return already
    category = db.session.scalar(select(RegistrationCategory).where(
        RegistrationCategory.event_id == event.id, RegistrationCategory.name == subscription.category_name,
        RegistrationCategory.is_active.is_(True)))
    if category is None:
        return None
    answers = edition_answers(event, subscription.answers or {})
    request = OrderRequest(choices=[CategoryChoice(category.id, 1)],
                           attendees=[AttendeeData(subscription.first_name, subscription.last_name, subscription.email,
                                                   answers)],
                           idempotency_key=f"series-{subscription.id}-{event.id}", language=subscription.language,
                           send_email=send_email)
    try:
        with db.session.begin_nested():
            order = place_order(event, request, now=now)
    except DomainError:
        return None
    return order.registrations[0]


@dataclass
class SubscribeResult:
    subscription: SeriesSubscription
    registered: list[Event]
    refused: list[Event]


def subscribe(row: SeriesRule, attendee: AttendeeData, category_name: str, *, now: datetime,
              language: str | None = None, send_email: bool = True) -> SubscribeResult:
    """Register `attendee` for every upcoming edition (and the ones created later), with their
    answers (`attendee.answers`, by the next edition's question ids) and `language` carried to
    each edition's registration. Idempotent: the same address keeps one subscription and one
    registration per edition. ValidationFailed for answers the questions refuse."""
    email = attendee.email.strip().lower()
    if not email or not attendee.first_name.strip():
        raise ValidationFailed({"email": gettext("Give your name and email address.")})
    _, questions = series_questions(row, now)
    values, errors = clean_answers(questions, attendee.answers)
    if errors:
        raise ValidationFailed({f"attendees-0-q_{qid}": message for qid, message in errors.items()})
    kept = {question_key(q): values[q.id] for q in questions if q.id in values}
    subscription = db.session.scalar(select(SeriesSubscription).where(
        SeriesSubscription.rule_id == row.id, SeriesSubscription.email == email))
    if subscription is None:
        subscription = SeriesSubscription(rule_id=row.id, email=email, first_name=attendee.first_name.strip()[:100],
                                          last_name=attendee.last_name.strip()[:100], category_name=category_name,
                                          language=language, answers=kept, created_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(subscription)
                db.session.flush()
        except IntegrityError:
            subscription = db.session.scalar(select(SeriesSubscription).where(
                SeriesSubscription.rule_id == row.id, SeriesSubscription.email == email))
    registered, refused = [], []
    for event in upcoming_editions(row, now):
        (registered if _register(event, subscription, now=now, send_email=send_email) is not None else refused).append(event)
    return SubscribeResult(subscription, registered, refused)


def can_manage(series: Series, actor) -> bool:
    """Whether the actor may edit an edition of the series (its organiser pages)."""
    return any(can(actor, Action.EDIT_EVENT, e) for e in series.events)


def subscription_for(registration: Registration) -> SeriesSubscription | None:
    """The series registration this edition's attendee made (same address), if any."""
    event = db.session.get(Event, registration.event_id)
    if event is None or event.series_id is None:
        return None
    return db.session.scalar(select(SeriesSubscription).join(SeriesRule, SeriesRule.id == SeriesSubscription.rule_id).where(
        SeriesRule.series_id == event.series_id, SeriesSubscription.email == (registration.email or "").strip().lower()))


def leave(subscription: SeriesSubscription, *, now: datetime) -> None:
    """Editions created from now on no longer register this person; their registrations for
    editions already created stay (each is cancelled on its ticket page, as any other)."""
    row = db.session.get(SeriesRule, subscription.rule_id)
    record("online.series_left", actor=None, event=db.session.get(Event, row.template_event_id),
           details={"rule_id": row.id, "subscription_id": subscription.id}, now=now)
    db.session.delete(subscription)
    db.session.flush()
