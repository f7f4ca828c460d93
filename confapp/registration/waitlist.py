"""The waitlist: join when full, time-limited offers when places free, claims, and the
organiser's reordering and offers by hand. An open offer holds its place (capacity.py
counts it) so that nobody else takes it while the person on the list decides."""
from __future__ import annotations

import secrets
from collections import Counter
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import func, select

from ..accounts import permissions
from ..audit.services import record
from ..errors import InvalidState, SoldOut, ValidationFailed
from ..events.models import Event
from ..events.services import registration_closed_reason
from ..extensions import db
from ..webhooks import outbox
from . import emails
from .capacity import lock_event, occupancy, reserve_places
from .models import PlaceKind, RegistrationCategory, WaitlistEntry, WaitlistStatus
from .common import settings_for
from .queries import categories_for_sale
from .questions import check_email, normalise_email


def join_waitlist(event: Event, *, name: str, email: str, category_id: int | None = None, now: datetime,
                  language: str | None = None, actor=None) -> WaitlistEntry:
    """Put a person at the end of the waitlist, for one category (`category_id`: offered a
    place only when that category has one free, even while the event has room) or for any.
    The same email waiting already returns the existing entry. Raises ValidationFailed,
    InvalidState (waitlist off). `actor`: who puts them there for the audit log (None: the person
    on the public form; the API: a partner site's token). It does not look at the registration
    window: the public's ways in go through join_waitlist_as_public, which does."""
    if not settings_for(event).waitlist_enabled:
        raise InvalidState(gettext("This event has no waitlist."))
    email = normalise_email(email)
    errors = {}
    if not name.strip():
        errors["name"] = gettext("Enter your name.")
    if check_email(email):
        errors["email"] = check_email(email)
    chosen = db.session.get(RegistrationCategory, category_id) if category_id is not None else None
    if category_id is not None and (chosen is None or chosen.event_id != event.id):
        errors["category_id"] = gettext("Choose a category from the list.")
    if errors:
        raise ValidationFailed(errors)
    lock_event(event)
    existing = db.session.scalar(select(WaitlistEntry).where(
        WaitlistEntry.event_id == event.id, WaitlistEntry.email == email,
        WaitlistEntry.status.in_((WaitlistStatus.WAITING, WaitlistStatus.OFFERED))))
    if existing is not None:
        return existing
    last = db.session.scalar(select(func.max(WaitlistEntry.position)).where(WaitlistEntry.event_id == event.id)) or 0
    entry = WaitlistEntry(event_id=event.id, category_id=category_id, name=name.strip()[:200], email=email,
                          position=last + 1, status=WaitlistStatus.WAITING, created_at=now,
                          language=language)
    db.session.add(entry)
    db.session.flush()
    record("registration.waitlist_joined", actor=actor, event=event, target=entry, now=now)
    emails.send_waitlist_joined(entry, event)
    # A place may have freed while the form was open: offer it at once rather than on the next release.
    offer_freed_places(event, now=now)
    return entry


def join_waitlist_as_public(event: Event, *, name: str, email: str, category_id: int | None = None, now: datetime,
                            language: str | None = None, actor=None) -> WaitlistEntry:
    """join_waitlist for members of the public, whether on the form's waitlist box or through a
    partner site's API token (both call this, so they cannot disagree): only while registration is
    open (a form page left open past the close, or before the opening, must not slip through), for a
    category the form lists or for any. Raises ValidationFailed (`form`: registration not open;
    `category_id`), InvalidState (waitlist off)."""
    closed = registration_closed_reason(event, now)
    if closed:
        raise ValidationFailed({"form": closed}, message=closed)
    if category_id is not None and category_id not in {c.id for c in categories_for_sale(event, now=now)}:
        message = gettext("Choose a category from the list.")
        raise ValidationFailed({"category_id": message}, message=message)
    return join_waitlist(event, name=name, email=email, category_id=category_id, now=now, language=language,
                         actor=actor)


def _make_offer(entry: WaitlistEntry, event: Event, *, now: datetime, hours: int) -> None:
    entry.status = WaitlistStatus.OFFERED
    entry.offer_token = secrets.token_urlsafe(24)
    entry.offer_expires_at = now + timedelta(hours=hours)
    db.session.flush()
    emails.send_waitlist_offer(entry, event)


def offer_freed_places(event: Event, *, now: datetime) -> list[WaitlistEntry]:
    """Offer every free place to the next people waiting, in order (an entry tied to a full
    category is skipped, not dropped). Takes the event lock so two releases never offer the
    same place twice."""
    settings = settings_for(event)
    if not settings.waitlist_enabled:
        return []
    anyone_waiting = select(WaitlistEntry.id).where(WaitlistEntry.event_id == event.id,
                                                    WaitlistEntry.status == WaitlistStatus.WAITING).limit(1)
    if db.session.scalar(anyone_waiting) is None:
        return []
    # Lock, then read who is waiting: an entry another release offered meanwhile is no longer
    # WAITING once we hold the lock, so it is never offered twice.
    lock_event(event)
    waiting = list(db.session.scalars(
        select(WaitlistEntry).where(WaitlistEntry.event_id == event.id, WaitlistEntry.status == WaitlistStatus.WAITING)
        .order_by(WaitlistEntry.position, WaitlistEntry.id).with_for_update()
        .execution_options(populate_existing=True)))
    taken = occupancy(event.id, now=now)
    free = taken.free_in_event(event)
    categories = {c.id: c for c in db.session.scalars(select(RegistrationCategory).where(RegistrationCategory.event_id == event.id))}
    extra: Counter = Counter()
    offered = []
    for entry in waiting:
        category = categories.get(entry.category_id) if entry.category_id else None
        # Online places are not counted in the venue's capacity: only their category limits them.
        online = category is not None and category.attendance_mode == PlaceKind.ONLINE
        if not online and free is not None and free <= 0:
            continue
        if online and category.capacity is None:
            continue
        if category is not None and category.capacity is not None:
            if category.capacity - taken.by_category[category.id] - extra[category.id] <= 0:
                continue
            extra[category.id] += 1
        if free is None and category is None:
            # Unlimited event and no category limit: an offer is only meaningful when a limit exists.
            continue
        _make_offer(entry, event, now=now, hours=settings.offer_hours)
        offered.append(entry)
        if free is not None and not online:
            free -= 1
    if offered:
        record("registration.waitlist_offered", actor=None, event=event, details={"entries": [e.id for e in offered]}, now=now)
        outbox.emit_waitlist_offers(event, offered, now=now)
    return offered


def expire_offers(*, now: datetime, event: Event | None = None) -> int:
    """Unclaimed offers past their time pass to the next person. Returns how many expired."""
    query = select(WaitlistEntry).where(WaitlistEntry.status == WaitlistStatus.OFFERED, WaitlistEntry.offer_expires_at <= now)
    if event is not None:
        query = query.where(WaitlistEntry.event_id == event.id)
    event_ids = sorted({e.event_id for e in db.session.scalars(query)})
    expired = 0
    for event_id in event_ids:
        # Lock, then re-read: an offer claimed meanwhile (its order placed under the event lock)
        # is no longer OFFERED and is not expired behind the claimer's back.
        the_event = lock_event(db.session.get(Event, event_id))
        stale = list(db.session.scalars(query.where(WaitlistEntry.event_id == event_id).with_for_update()
                                        .execution_options(populate_existing=True)))
        for entry in stale:
            entry.status = WaitlistStatus.EXPIRED
        db.session.flush()
        expired += len(stale)
        offer_freed_places(the_event, now=now)
    return expired


def offer_by_hand(entry: WaitlistEntry, *, actor, now: datetime) -> WaitlistEntry:
    """The organiser offers a place to this person now, ahead of the queue, if one is free.
    Raises NotAllowed, InvalidState, SoldOut."""
    event = db.session.get(Event, entry.event_id)
    permissions.require(actor, permissions.Action.MANAGE_REGISTRATIONS, event)
    lock_event(event)
    entry = _lock_entry(entry)
    if entry.status != WaitlistStatus.WAITING:
        raise InvalidState(gettext("Only someone still waiting can be offered a place."))
    reserve_places(event, Counter({entry.category_id: 1}) if entry.category_id else Counter(), now=now,
                   already_locked=True)
    taken = occupancy(event.id, now=now)
    online = entry.category is not None and entry.category.attendance_mode == PlaceKind.ONLINE
    if not online and event.capacity is not None and taken.event_used >= event.capacity:
        raise SoldOut(gettext("There is no free place to offer. Raise the capacity first."))
    _make_offer(entry, event, now=now, hours=settings_for(event).offer_hours)
    record("registration.waitlist_offered_by_hand", actor=actor, event=event, target=entry, now=now)
    outbox.emit_waitlist_offers(event, [entry], now=now)
    return entry


def _lock_entry(entry: WaitlistEntry) -> WaitlistEntry:
    return db.session.scalars(select(WaitlistEntry).where(WaitlistEntry.id == entry.id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def move_entry(entry: WaitlistEntry, direction: int, *, actor) -> None:
    """Swap the entry with its neighbour among those still waiting (-1 up, +1 down)."""
    event = db.session.get(Event, entry.event_id)
    permissions.require(actor, permissions.Action.MANAGE_REGISTRATIONS, event)
    query = select(WaitlistEntry).where(WaitlistEntry.event_id == entry.event_id,
                                        WaitlistEntry.status == WaitlistStatus.WAITING)
    if direction < 0:
        query = query.where(WaitlistEntry.position < entry.position).order_by(WaitlistEntry.position.desc())
    else:
        query = query.where(WaitlistEntry.position > entry.position).order_by(WaitlistEntry.position)
    neighbour = db.session.scalars(query.limit(1)).first()
    if neighbour is None:
        return
    entry.position, neighbour.position = neighbour.position, entry.position
    db.session.flush()


def remove_entry(entry: WaitlistEntry, *, actor, now: datetime) -> None:
    event = db.session.get(Event, entry.event_id)
    permissions.require(actor, permissions.Action.MANAGE_REGISTRATIONS, event)
    lock_event(event)
    entry = _lock_entry(entry)
    was_offered = entry.status == WaitlistStatus.OFFERED
    entry.status = WaitlistStatus.REMOVED
    db.session.flush()
    record("registration.waitlist_removed", actor=actor, event=event, target=entry, now=now)
    if was_offered:
        offer_freed_places(event, now=now)


def offer_for_token(event: Event, token: str, *, now: datetime) -> WaitlistEntry | None:
    entry = db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.offer_token == token, WaitlistEntry.event_id == event.id))
    if entry is None or entry.status != WaitlistStatus.OFFERED or entry.offer_expires_at <= now:
        return None
    return entry


def events_with_waiting(*, now: datetime) -> list[Event]:
    """Events not yet over with people waiting, for the periodic job."""
    ids = select(WaitlistEntry.event_id).where(WaitlistEntry.status == WaitlistStatus.WAITING).distinct()
    return list(db.session.scalars(select(Event).where(Event.id.in_(ids), Event.ends_at > now)))
