"""Capacity: the one place that decides whether places are free.

Every path that takes a place (online order, waitlist claim, late payment, walk-in at the
door, organiser's manual add, waitlist offer) calls `reserve_places` inside its write
transaction. It locks the event row, then the category rows in id order (the same order
everywhere, so two writers never deadlock), counts what occupies places and raises SoldOut.
Freeing places needs no lock: it only lowers the count.

A place is occupied by a registration that is CONFIRMED or PENDING_APPROVAL, by one
AWAITING_PAYMENT whose hold has not expired, and by an open waitlist offer.

The event's capacity is the venue's: places in online categories (`PlaceKind.ONLINE`) do not
count in it, so online and in-person places are limited independently, each online category by
its own capacity.
"""
from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext, ngettext
from sqlalchemy import Integer, String, and_, bindparam, cast, func, literal, null, or_, select, text, union_all
from sqlalchemy.orm.attributes import set_committed_value

from ..errors import SoldOut
from ..events.content_languages import tr
from ..events.models import Event
from ..extensions import db
from ..types import UTCDateTime
from .models import PlaceKind, RegistrationCategory, RegistrationStatus, Registration, WaitlistEntry, WaitlistStatus


def occupying_clause(now: datetime):
    """SQL condition for registrations that hold a place at `now`."""
    return or_(
        Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_APPROVAL)),
        and_(Registration.status == RegistrationStatus.AWAITING_PAYMENT, Registration.hold_expires_at > now),
    )


@dataclass
class Occupancy:
    event_used: int
    by_category: Counter
    # With occupancy(emails=...): those of them an occupying registration of the event has.
    emails_taken: set[str] = field(default_factory=set)

    def free_in_event(self, event: Event) -> int | None:
        return None if event.capacity is None else max(event.capacity - self.event_used, 0)

    def free_in_category(self, category: RegistrationCategory) -> int | None:
        return None if category.capacity is None else max(category.capacity - self.by_category[category.id], 0)


@functools.cache
def _occupancy_statement(excluding_offer: bool, with_emails: bool, with_capacity: bool):
    """The places-taken query with bind parameters for what changes per call (:event_id, :now,
    :exclude_offer_id, :emails), built once per shape, on first use (not at import: the mappers
    are configured once every model is imported): building it per call cost about as much CPU
    as running it (issue 16)."""
    event_id, now = bindparam("event_id", type_=Integer), bindparam("now", type_=UTCDateTime())
    occupying = occupying_clause(now)
    # The mode as text in every branch: the emails' branch carries the address there.
    mode = cast(RegistrationCategory.attendance_mode, String)
    # The category's mode looked up once per category counted, not joined to every registration:
    # the count is then one walk of the (event_id, category_id) index in its order, with no
    # temporary B-tree to group in (on SQLite 2,500 registrations took 5.5 ms joined, 0.9 ms so),
    # and this query is the one read under the write lock.
    mode_of_category = (select(mode).where(RegistrationCategory.id == Registration.category_id)
                        .scalar_subquery())
    taken = (
        select(literal("registrations").label("kind"), Registration.category_id.label("category_id"),
               mode_of_category.label("mode"), func.count().label("n"))
        .where(Registration.event_id == event_id, occupying)
        .group_by(Registration.category_id)
    )
    offers = select(literal("offers"), WaitlistEntry.category_id, mode, func.count()).outerjoin(
        RegistrationCategory, RegistrationCategory.id == WaitlistEntry.category_id).where(
        WaitlistEntry.event_id == event_id,
        WaitlistEntry.status == WaitlistStatus.OFFERED,
        WaitlistEntry.offer_expires_at > now,
    )
    if excluding_offer:
        offers = offers.where(WaitlistEntry.id != bindparam("exclude_offer_id", type_=Integer))
    offers = offers.group_by(WaitlistEntry.category_id, RegistrationCategory.attendance_mode)
    branches = [taken, offers]
    if with_emails:
        branches.append(select(literal("email"), null(), Registration.email, func.count()).where(
            Registration.event_id == event_id, Registration.email.in_(bindparam("emails", expanding=True)), occupying,
        ).group_by(Registration.email))
    if with_capacity:
        branches.append(select(literal("capacity"), null(), null(), Event.capacity).where(Event.id == event_id))
    return union_all(*branches)


def occupancy(event_id: int, *, now: datetime, exclude_offer_id: int | None = None,
              emails: Sequence[str] = (), event: Event | None = None) -> Occupancy:
    """Places taken per category, and at the venue (the event's capacity: online places left
    out), in one query (registrations and open waitlist offers side by side), no lock.

    The same query can bring what an order decides on beside the counts, so that its write
    window holds one read: `emails`, which of them an occupying registration has
    (Occupancy.emails_taken); `event`, the event's capacity as committed now, set on `event`
    (as re-reading its row would)."""
    statement = _occupancy_statement(exclude_offer_id is not None, bool(emails), event is not None)
    parameters = {"event_id": event_id, "now": now}
    if exclude_offer_id is not None:
        parameters["exclude_offer_id"] = exclude_offer_id
    if emails:
        parameters["emails"] = list(emails)
    counts: Counter = Counter()
    total = 0
    emails_taken: set[str] = set()
    for kind, category_id, mode_or_email, n in db.session.execute(statement, parameters):
        if kind == "email":
            emails_taken.add(mode_or_email)
            continue
        if kind == "capacity":
            set_committed_value(event, "capacity", n)  # as the row read again, left unchanged
            continue
        # Online places are not counted in the venue's capacity; an offer for any category (no
        # category) is a place at the venue.
        total += 0 if mode_or_email == PlaceKind.ONLINE.value else n
        if category_id is not None:
            counts[category_id] += n
    return Occupancy(event_used=total, by_category=counts, emails_taken=emails_taken)


def lock_event(event: Event) -> Event:
    """Take the event's row lock (the first lock of every capacity-changing transaction).
    FOR NO KEY UPDATE on PostgreSQL: it excludes every other lock_event, but not the key-share
    locks that inserting rows which refer to the event takes (audit, history), so a transaction
    that wrote such rows before asking for this lock cannot deadlock with another one doing the same."""
    return db.session.scalars(
        select(Event).where(Event.id == event.id).with_for_update(key_share=True).execution_options(populate_existing=True)
    ).one()


def has_capacity_limit(event: Event) -> bool:
    """Whether the event or any of its categories limits places (unlocked read)."""
    if event.capacity is not None:
        return True
    return db.session.scalar(select(RegistrationCategory.id).where(
        RegistrationCategory.event_id == event.id, RegistrationCategory.capacity.is_not(None)).limit(1)) is not None


def lock_event_for_order(event: Event, *, idempotency_key: str | None, reread: bool = True) -> bool:
    """The first lock of placing an order. When the event or one of its categories is limited,
    the event row (returns True). When nothing is limited the event row is left alone, so orders
    do not queue behind one another (or behind waitlist and payment work on the event); only a
    retried twin of the same submission is serialised (PostgreSQL advisory lock on the key),
    and the one-registration-per-email rule takes `lock_emails`. Returns False then. A capacity
    set on the event while such an order is in flight applies from the next order.

    `reread=False`: on embedded SQLite, whose write lock (BEGIN IMMEDIATE) is the lock, the row is
    not read here; the caller reads its capacity with the places taken (reserve_places(event_read=True))."""
    if has_capacity_limit(event):
        if reread or not writes_are_serialised():
            lock_event(event)
        return True
    if idempotency_key:
        _advisory_lock(f"confapp:order-key:{idempotency_key}")
    return False


def lock_emails(event: Event, emails) -> None:
    """Serialise orders for the same email at this event (when the event row is not locked)."""
    for email in sorted({e for e in emails if e}):
        _advisory_lock(f"confapp:email:{event.id}:{email}")


def writes_are_serialised() -> bool:
    """Embedded SQLite: one writer at a time (BEGIN IMMEDIATE), no row locks to take."""
    return db.session.get_bind().dialect.name == "sqlite"


def _advisory_lock(name: str) -> None:
    # SQLite needs none: its writers are serialised by BEGIN IMMEDIATE.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name})


def lock_categories(category_ids) -> dict[int, RegistrationCategory]:
    ids = sorted(set(category_ids))
    if not ids:
        return {}
    rows = db.session.scalars(
        select(RegistrationCategory)
        .where(RegistrationCategory.id.in_(ids))
        .order_by(RegistrationCategory.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {c.id: c for c in rows}


def reserve_places(
    event: Event,
    needs: Counter | dict[int, int],
    *,
    now: datetime,
    exclude_offer_id: int | None = None,
    already_locked: bool = False,
    event_read: bool = False,
    emails: Sequence[str] = (),
    on_counted: Callable[[Occupancy], None] | None = None,
) -> Occupancy:
    """Lock the event and the needed categories, then check that `needs` ({category id: places})
    fits both the event's and each category's capacity. Raises SoldOut (with `category_id`
    in details when a category is the limit). The caller inserts and commits; the locks last
    until then. `exclude_offer_id`: a waitlist offer being claimed (its place is the claimer's).

    `event_read`: the event's capacity is read with the counts (lock_event_for_order(reread=False)
    did not read its row). `emails` are looked up with the counts, and `on_counted(occupancy)`
    decides on them before the capacity is (it raises to refuse)."""
    if not already_locked:
        lock_event(event)
    # Only limited categories are locked (an unlimited one has nothing to decide).
    limited = [cid for cid in needs if (c := db.session.get(RegistrationCategory, cid)) is not None and c.capacity is not None]
    categories = lock_categories(limited)
    taken = occupancy(event.id, now=now, exclude_offer_id=exclude_offer_id, emails=emails,
                      event=event if event_read else None)
    if on_counted is not None:
        on_counted(taken)
    wanted = sum(n for cid, n in needs.items()
                 if (c := db.session.get(RegistrationCategory, cid)) is None or c.attendance_mode != PlaceKind.ONLINE)
    free = taken.free_in_event(event)
    if free is not None and wanted > free:
        raise SoldOut(
            gettext("There are no places left for this event.") if free == 0
            else ngettext("Only %(num)d place left for this event.", "Only %(num)d places left for this event.", free),
            free=free,
        )
    for category_id, n in needs.items():
        category = categories.get(category_id)
        if category is None:
            continue
        free_here = taken.free_in_category(category)
        if free_here is not None and n > free_here:
            raise SoldOut(
                gettext("%(category)s is full.", category=tr(category, "name", event=event)) if free_here == 0
                else ngettext("Only %(num)d place left in %(category)s.", "Only %(num)d places left in %(category)s.",
                              free_here, category=tr(category, "name", event=event)),
                category_id=category_id,
                free=free_here,
            )
    return taken


def places_left(event: Event, *, now: datetime) -> tuple[int | None, dict[int, int | None]]:
    """For display (no lock): free places in the event and per category (None = unlimited)."""
    taken = occupancy(event.id, now=now)
    categories = db.session.scalars(select(RegistrationCategory).where(RegistrationCategory.event_id == event.id)).all()
    event_free = taken.free_in_event(event)
    per_category = {}
    for category in categories:
        here = taken.free_in_category(category)
        if event_free is not None and category.attendance_mode != PlaceKind.ONLINE:
            here = event_free if here is None else min(here, event_free)
        per_category[category.id] = here
    return event_free, per_category
