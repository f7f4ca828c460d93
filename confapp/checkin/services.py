"""Check-in rules: redeem a ticket once per list, undo, walk-ins, payment at the door, replaying an
offline queue (checkin/sync.py). Lists and volunteer links are in `checkin.lists`, room places in `checkin.rooms`
(both re-exported here). The boundary (view, CLI, test) commits; services flush. Redeem relies
on the partial unique index on (list_id, registration_id): a racing second redeem fails at the
database and is answered "already checked in", on SQLite and PostgreSQL alike."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from ..extensions import db
from ..registration.models import Order, PaymentState, Registration, RegistrationStatus
from ..transactions import decision_point
from ..webhooks import outbox
from .inserts import insert_if_still_admitted
from .lists import (  # noqa: F401 (callers find lists and links here)
    create_list, create_volunteer_link, hash_token, link_from_token, main_list, revoke_volunteer_link,
)
from .models import CheckIn, CheckInList, ListKind, VolunteerLink
from .statements import SCAN_STATEMENTS
from .rooms import room_places, session_capacity, signed_up_for_session, walk_in_would_overfill  # noqa: F401


class Outcome(enum.StrEnum):
    OK = "ok"
    ALREADY = "already"
    CANCELLED = "cancelled"
    UNPAID = "unpaid"
    PENDING_APPROVAL = "pending_approval"
    WRONG_EVENT = "wrong_event"
    NOT_ADMITTED = "not_admitted"  # a category this list does not admit
    FULL = "full"  # a session list's room is full for people who did not sign up
    UNKNOWN = "unknown"


@dataclass
class RedeemResult:
    """What the desk shows after a scan. `check_in` is the new one (ok) or the earlier one (already)."""

    outcome: Outcome
    registration: Registration | None = None
    check_in: CheckIn | None = None
    # An offline scan replayed: the same scan id was applied before, nothing new happened.
    replayed: bool = False
    amount_due_minor: int = 0
    currency: str = ""
    other_event_title: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.OK


@dataclass
class LinkActor:
    """The actor behind a volunteer link: audited under the link's name, never a user."""

    link: VolunteerLink
    is_authenticated = False
    audit_user_id = None

    @property
    def audit_label(self) -> str:
        return f"Link: {self.link.name}"

    @property
    def display_name(self) -> str:
        return self.link.name

    def desk_allows(self, event_id: int, now: datetime) -> bool:
        """For other domains' permission checks (payments at the door): this link works a desk
        of that event now."""
        return self.link.event_id == event_id and self.link.is_valid(now)


def require_desk_actor(actor, checkin_list: CheckInList, *, now: datetime) -> None:
    """The actor may work this list's desk: a user with the CHECK_IN action on its event, a
    volunteer link for this very list that is valid now, or the system (jobs, demo data).
    Raises NotAllowed otherwise; services check this themselves instead of trusting callers."""
    from ..accounts import permissions
    from ..audit.services import SystemActor

    if isinstance(actor, SystemActor):
        return
    if isinstance(actor, LinkActor):
        link = actor.link
        if link.list_id != checkin_list.id or link.event_id != checkin_list.event_id:
            raise NotAllowed(gettext("This link opens another list."))
        if not link.is_valid(now):
            raise NotAllowed(gettext("This check-in link is not active now."))
        return
    permissions.require(actor, permissions.Action.CHECK_IN, checkin_list.event)


def actor_label(actor) -> str:
    """The name the desk shows for who checked someone in ("by Maria")."""
    if isinstance(actor, LinkActor):
        return actor.display_name
    return getattr(actor, "name", "") or getattr(actor, "audit_label", "") or ""


# --- redeem -------------------------------------------------------------------------------------

def _blocking_outcome(registration: Registration, checkin_list: CheckInList) -> RedeemResult | None:
    """Why this ticket may not come in through this list, or None if it may."""
    if registration.event_id != checkin_list.event_id:
        return RedeemResult(Outcome.WRONG_EVENT, registration=None, other_event_title=registration.event.title)
    status = registration.status
    if status in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED, RegistrationStatus.EXPIRED):
        return RedeemResult(Outcome.CANCELLED, registration=registration, extra={"status": status.value})
    if status == RegistrationStatus.PENDING_APPROVAL:
        return RedeemResult(Outcome.PENDING_APPROVAL, registration=registration)
    order = registration.order
    due = max(order.total_minor - order.paid_minor, 0)
    if status == RegistrationStatus.AWAITING_PAYMENT or (order.payment_state == PaymentState.UNPAID and due > 0):
        return RedeemResult(Outcome.UNPAID, registration=registration, amount_due_minor=due, currency=order.currency)
    if not checkin_list.admits_category(registration.category_id):
        return RedeemResult(Outcome.NOT_ADMITTED, registration=registration)
    return None


def active_check_in(checkin_list: CheckInList, registration_id: int) -> CheckIn | None:
    return db.session.scalar(SCAN_STATEMENTS.active(), {"list_id": checkin_list.id, "registration_id": registration_id})


def _by_scan_id(scan_id: str, checkin_list: CheckInList) -> CheckIn | None:
    """The earlier check-in of this scan id on this list. A scan id is only ever looked up on
    the caller's own list: another list's (or event's) scan id finds nothing here."""
    return db.session.scalar(SCAN_STATEMENTS.by_scan_id(), {"scan_id": scan_id, "list_id": checkin_list.id,
                                                        "event_id": checkin_list.event_id})


def _scan_id_list(scan_id: str) -> int | None:
    """Which list a scan id was applied on (the id only: nothing else of another list's scan is read)."""
    return db.session.scalar(SCAN_STATEMENTS.scan_list(), {"scan_id": scan_id})


def redeem(
    ticket_code: str,
    *,
    checkin_list: CheckInList,
    station: str,
    actor,
    now: datetime,
    scan_id: str | None = None,
    offline: bool = False,
) -> RedeemResult:
    """Check a ticket in through `list`, once. Refusals are outcomes, not exceptions: the desk
    shows every one of them. The same `scan_id` applied twice returns the first result.
    Raises NotAllowed for an actor who may not work this list's desk."""
    require_desk_actor(actor, checkin_list, now=now)
    return redeem_with(ticket_code, checkin_list=checkin_list, station=station, actor=actor, now=now, scan_id=scan_id,
                   offline=offline, reads=ScanReads(checkin_list))


class ScanReads:
    """The reads one redeem decides on, each a query when it is needed (the offline sync's batch,
    checkin/sync.py, reads them once for a whole queue)."""

    def __init__(self, checkin_list: CheckInList):
        self.checkin_list = checkin_list

    def scan_list(self, scan_id: str) -> int | None:
        return _scan_id_list(scan_id)

    def by_scan_id(self, scan_id: str) -> CheckIn | None:
        return _by_scan_id(scan_id, self.checkin_list)

    def registration(self, code: str) -> Registration | None:
        return db.session.scalar(SCAN_STATEMENTS.ticket(), {"code": code})

    def active(self, registration_id: int) -> CheckIn | None:
        return active_check_in(self.checkin_list, registration_id)

    def applied(self, check_in: CheckIn) -> None:
        """A check-in this request inserted (nothing to remember for one scan)."""


def redeem_with(ticket_code, *, checkin_list, station, actor, now, scan_id, offline, reads: ScanReads,
            guarded: bool = True) -> RedeemResult:
    if scan_id:
        applied_on = reads.scan_list(scan_id)
        earlier = reads.by_scan_id(scan_id) if applied_on == checkin_list.id else None
        if earlier is not None:
            return RedeemResult(Outcome.OK, registration=earlier.registration, check_in=earlier, replayed=True)
        if applied_on is not None:
            # Another list's scan id (replayed or guessed): nothing about that scan is answered;
            # this scan is decided on its own code, without the id.
            scan_id = None
    registration = reads.registration((ticket_code or "").strip())
    if registration is None:
        return RedeemResult(Outcome.UNKNOWN)
    blocked = _blocking_outcome(registration, checkin_list)
    if blocked is not None:
        return blocked
    # Whether the ticket is already in, and the room's count, are decided from here on (under
    # SQLite's write lock at the desk); whether it may still come in is re-checked by the insert
    # itself (_insert_check_in).
    decision_point()
    existing = reads.active(registration.id)
    if existing is not None:
        return RedeemResult(Outcome.ALREADY, registration=registration, check_in=existing)
    if checkin_list.program_session_id and not signed_up_for_session(checkin_list, registration.id):
        full = walk_in_would_overfill(checkin_list)
        if full is not None:
            return RedeemResult(Outcome.FULL, registration=registration, extra={"capacity": full})
    result = _insert_check_in(registration, checkin_list, station=station, actor=actor, now=now, scan_id=scan_id,
                              offline=offline, guarded=guarded)
    if result.outcome == Outcome.OK and result.check_in is not None and not result.replayed:
        reads.applied(result.check_in)
    return result


def _insert_check_in(registration, checkin_list, *, station, actor, now, scan_id, offline, guarded: bool = True) -> RedeemResult:
    """`guarded`: the insert runs in its own savepoint and a concurrent twin's check-in is answered
    here; a batch (sync) runs unguarded inside one savepoint of its own and redoes itself scan by
    scan, guarded, if any insert meets a twin."""
    link = actor.link if isinstance(actor, LinkActor) else None
    check_in = CheckIn(
        event_id=checkin_list.event_id,
        list_id=checkin_list.id,
        registration_id=registration.id,
        checked_in_at=now,
        user_id=None if link else getattr(actor, "id", None),
        volunteer_link_id=link.id if link else None,
        actor_label=actor_label(actor)[:200],
        station=(station or "")[:80],
        scan_id=scan_id,
        synced_offline=offline,
    )
    try:
        if guarded:
            with db.session.begin_nested():
                inserted = insert_if_still_admitted(check_in, registration)
        else:
            inserted = insert_if_still_admitted(check_in, registration)
    except IntegrityError:
        if not guarded:
            raise
        # Another worker checked this ticket in (or applied this scan) between our read and write.
        if scan_id:
            earlier = _by_scan_id(scan_id, checkin_list)
            if earlier is not None:
                return RedeemResult(Outcome.OK, registration=earlier.registration, check_in=earlier, replayed=True)
        existing = active_check_in(checkin_list, registration.id)
        if existing is None:  # undone in between: the database is the judge, ask the desk to scan again
            raise InvalidState(gettext("The ticket changed while scanning; please scan again."))
        return RedeemResult(Outcome.ALREADY, registration=registration, check_in=existing)
    if not inserted:
        # Cancelled, rejected or no longer paid since the ticket was read (another request
        # committed in between): refused with the reason as it is now.
        registration = db.session.scalars(select(Registration).where(Registration.id == registration.id)
                                          .execution_options(populate_existing=True)).one()
        db.session.scalars(select(Order).where(Order.id == registration.order_id)
                           .execution_options(populate_existing=True)).one()
        blocked = _blocking_outcome(registration, checkin_list)
        if blocked is None:
            raise InvalidState(gettext("The ticket changed while scanning; please scan again."))
        return blocked
    record(
        "checkin.redeem",
        actor=actor,
        event=checkin_list.event,
        target=check_in,
        details={"registration_id": registration.id, "list_id": checkin_list.id, "offline": offline},
        now=now,
    )
    outbox.emit_check_in("checkin.created", check_in, checkin_list.event, now=now)
    return RedeemResult(Outcome.OK, registration=registration, check_in=check_in)


def undo(check_in: CheckIn, *, actor, now: datetime) -> CheckIn:
    """Undo a check-in (a mistaken scan). The row stays, marked reverted, so the ticket can be
    checked in again. Raises InvalidState if it was already undone, NotAllowed for an actor who
    may not work that list's desk."""
    require_desk_actor(actor, check_in.list, now=now)
    if check_in.reverted_at is not None:
        raise InvalidState(gettext("That check-in was already undone."))
    check_in.reverted_at = now
    check_in.reverted_by_label = actor_label(actor)[:200]
    db.session.flush()
    record(
        "checkin.undo",
        actor=actor,
        event=check_in.list.event,
        target=check_in,
        details={"registration_id": check_in.registration_id, "list_id": check_in.list_id},
        now=now,
    )
    outbox.emit_check_in("checkin.undone", check_in, check_in.list.event, now=now)
    return check_in


def walk_in(checkin_list: CheckInList, *, first_name: str, last_name: str, email: str, category_id: int,
            station: str, actor, now: datetime, amount_minor: int | None = None,
            idempotency_key: str | None = None) -> RedeemResult:
    """Register someone at the door and check them in. Only at a main-entrance list that takes
    walk-ins (else InvalidState), in an active category of the event the list admits (else
    ValidationFailed). Registration's place_order (at_door) owns the rest: required fields, one
    registration per email, event and category capacity (SoldOut), a pay-what-you-can
    `amount_minor` within the category's range (None: the suggested amount). A paid category
    leaves the order unpaid: the result is UNPAID with the amount, and the desk records the
    payment before checking in. Raises InvalidState, ValidationFailed, SoldOut.

    `idempotency_key`: the order's, as place_order deduplicates on it (under its lock): a twin of
    this walk-in that placed the order first makes it this one's too, and this call answers what
    the twin did (_twin_result) and writes nothing: no second walk-in in the audit log, no second
    redeem (which would say `already` about the twin's own check-in). Only if the twin's check-in
    was undone since is the person checked in again, as a scan of their ticket would."""
    from ..registration.services import AttendeeData, CategoryChoice, OrderRequest, place_or_find_order

    from ..registration.models import RegistrationCategory

    require_desk_actor(actor, checkin_list, now=now)
    if checkin_list.kind != ListKind.MAIN or not checkin_list.allow_walk_ins:
        # The desk page shows no walk-in form there; its endpoints (and the API's) refuse alike.
        raise InvalidState(gettext("This list does not take walk-ins."))
    in_event = select(RegistrationCategory.id).where(RegistrationCategory.id == category_id,
                                                     RegistrationCategory.event_id == checkin_list.event_id,
                                                     RegistrationCategory.is_active.is_(True))
    if db.session.scalar(in_event) is None or not checkin_list.admits_category(category_id):
        raise ValidationFailed({"category_id": gettext("This list does not admit that category.")})
    order_request = OrderRequest(
        choices=[CategoryChoice(category_id, 1, amount_minor)],
        attendees=[AttendeeData(first_name.strip(), last_name.strip(), email.strip())],
        at_door=True, send_email=bool(email.strip()), idempotency_key=idempotency_key,
    )
    placed = place_or_find_order(checkin_list.event, order_request, actor=actor, now=now)
    registration = placed.order.registrations[0]
    if placed.twin:
        twins = _twin_result(registration, checkin_list)
        if twins is not None:
            return twins
        # The twin's check-in was undone since: checked in again as a scan would, not walked in again.
        return redeem(registration.ticket_code, checkin_list=checkin_list, station=station, actor=actor, now=now)
    record("checkin.walk_in", actor=actor, event=checkin_list.event, target=registration,
           details={"list_id": checkin_list.id}, now=now)
    return redeem(registration.ticket_code, checkin_list=checkin_list, station=station, actor=actor, now=now)


def _twin_result(registration: Registration, checkin_list: CheckInList) -> RedeemResult | None:
    """What the twin walk-in that placed `registration`'s order answered, read without writing:
    its check-in (`ok`, as it said), or why it could not check in (a fee still owed: `unpaid`).
    None when neither is so any more (its check-in undone since)."""
    blocked = _blocking_outcome(registration, checkin_list)
    if blocked is not None:
        return blocked
    check_in = active_check_in(checkin_list, registration.id)
    if check_in is None:
        return None
    return RedeemResult(Outcome.OK, registration=registration, check_in=check_in)


PAY_AT_DOOR_HOW = {"cash": "cash", "card": "card terminal", "other": "other"}


def pay_at_door(registration: Registration, *, checkin_list: CheckInList, amount_minor: int, how: str, station: str,
                actor, now: datetime) -> RedeemResult:
    """"Paid now at the door": record the money through payments' mark_paid_offline (which
    confirms the order when it is paid in full), then check the person in. Raises NotFound for
    another event's registration, ValidationFailed / InvalidState from payments."""
    from ..payments.services import mark_paid_offline
    from ..registration.models import PaymentMethod

    require_desk_actor(actor, checkin_list, now=now)  # before any money is recorded
    if registration.event_id != checkin_list.event_id:
        raise NotFound(gettext("No such registration for this event."))
    if how not in PAY_AT_DOOR_HOW:
        raise ValidationFailed({"how": gettext("Choose cash, card terminal or other.")})
    mark_paid_offline(registration.order, amount_minor=amount_minor, method=PaymentMethod.AT_DOOR, actor=actor, now=now,
                      note=f"Paid at the check-in desk ({PAY_AT_DOOR_HOW[how]})" + (f", {station}" if station else ""))
    return redeem(registration.ticket_code, checkin_list=checkin_list, station=station, actor=actor, now=now)


def check_in_on_list(check_in_id: int, checkin_list: CheckInList) -> CheckIn:
    """A check-in on this list (the desk may only undo its own list's). Raises NotFound."""
    check_in = db.session.scalar(select(CheckIn).where(CheckIn.id == check_in_id, CheckIn.list_id == checkin_list.id,
                                                       CheckIn.event_id == checkin_list.event_id))
    if check_in is None:
        raise NotFound(gettext("No such check-in on this list."))
    return check_in
