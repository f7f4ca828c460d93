"""A desk's offline queue applied in one request: each scan once by its scan id, read in one
go for the whole batch and written in one savepoint (issue 16: 500 scans under a second)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..errors import ValidationFailed
from ..extensions import db
from ..registration.models import Registration
from ..transactions import decision_point
from .models import CheckIn, CheckInList
from .services import Outcome, RedeemResult, ScanReads, redeem_with, require_desk_actor


class _Batch(ScanReads):
    """The reads of a whole offline queue (sync), each one query for every scan of the batch,
    made under the decision point; kept up to date as the batch checks people in, so a ticket
    scanned twice in one queue is in once. The insert still decides admission (and a twin desk's
    concurrent check-in) itself, as for one scan. 500 scans: 4 reads instead of 2,000."""

    def __init__(self, checkin_list: CheckInList, scans: list[tuple[str, str]]):
        super().__init__(checkin_list)
        scan_ids = [scan_id for scan_id, _ in scans]
        codes = sorted({code for _, code in scans if code})
        self.lists: dict[str, int] = dict(db.session.execute(
            select(CheckIn.scan_id, CheckIn.list_id).where(CheckIn.scan_id.in_(scan_ids))).all()) if scan_ids else {}
        own = [scan_id for scan_id, list_id in self.lists.items() if list_id == checkin_list.id]
        self.earlier: dict[str, CheckIn] = {c.scan_id: c for c in db.session.scalars(select(CheckIn).where(
            CheckIn.scan_id.in_(own), CheckIn.list_id == checkin_list.id, CheckIn.event_id == checkin_list.event_id))} if own else {}
        self.registrations: dict[str, Registration] = {r.ticket_code: r for r in db.session.scalars(
            select(Registration).options(joinedload(Registration.order), joinedload(Registration.category))
            .where(Registration.ticket_code.in_(codes)))} if codes else {}
        ids = [r.id for r in self.registrations.values()]
        self.checked_in: dict[int, CheckIn] = {c.registration_id: c for c in db.session.scalars(select(CheckIn).where(
            CheckIn.list_id == checkin_list.id, CheckIn.registration_id.in_(ids), CheckIn.reverted_at.is_(None)))} if ids else {}

    def scan_list(self, scan_id):
        return self.lists.get(scan_id)

    def by_scan_id(self, scan_id):
        return self.earlier.get(scan_id)

    def registration(self, code):
        return self.registrations.get(code)

    def active(self, registration_id):
        return self.checked_in.get(registration_id)

    def applied(self, check_in):
        self.checked_in[check_in.registration_id] = check_in
        if check_in.scan_id:
            self.lists[check_in.scan_id] = check_in.list_id
            self.earlier[check_in.scan_id] = check_in


@dataclass
class SyncItem:
    scan_id: str
    result: RedeemResult
    conflict: bool  # the desk admitted someone the server already had checked in (another device)

    @property
    def refused(self) -> bool:
        """Admitted offline, refused by the server: cancelled or unpaid since the desk's download,
        or the room filled up from another desk. The desk must say so."""
        return self.result.outcome not in (Outcome.OK, Outcome.ALREADY)


def sync(scans: list[dict], *, checkin_list: CheckInList, actor, now: datetime) -> list[SyncItem]:
    """Apply a desk's queued offline scans ({"scan_id", "code", "scanned_at"?, "station"?}), each
    once by its scan id (a replayed queue changes nothing). A scan for a ticket already checked in
    elsewhere is reported as a conflict, one the server refuses (SyncItem.refused) with its reason."""
    queued: list[tuple[str, str, dict]] = []
    for scan in scans:
        scan_id = str(scan.get("scan_id") or "").strip()[:64]
        if not scan_id:
            raise ValidationFailed({"scan_id": gettext("Every queued scan needs its id.")})
        queued.append((scan_id, str(scan.get("code") or "").strip(), scan))
    if not queued:
        return []
    # The whole batch is decided from here on (under SQLite's write lock), read once for all its scans.
    decision_point()
    try:
        # One savepoint for the batch; the audit entries are written together at its end.
        with db.session.begin_nested(), db.session.no_autoflush:
            return _apply_batch(queued, checkin_list=checkin_list, actor=actor, now=now, guarded=False)
    except IntegrityError:
        # Another desk checked one of these tickets in (or sent one of these scans) meanwhile:
        # nothing of the batch stands; again, scan by scan, each insert answering its twin.
        return _apply_batch(queued, checkin_list=checkin_list, actor=actor, now=now, guarded=True)


def _apply_batch(queued, *, checkin_list, actor, now, guarded: bool) -> list[SyncItem]:
    reads = _Batch(checkin_list, [(scan_id, code) for scan_id, code, _ in queued])
    # Inserted in ticket order, whatever the queue's: two desks' overlapping batches then wait for
    # each other's rows in the same order instead of deadlocking (each waits, then meets the other's
    # check-in). The queue's order still decides which of two scans of one ticket admits it.
    def ticket_order(index: int):
        registration = reads.registration(queued[index][1])
        return (registration.id if registration is not None else 0, index)

    items: dict[int, SyncItem] = {}
    try:
        for index in sorted(range(len(queued)), key=ticket_order):
            scan_id, code, scan = queued[index]
            scanned_at = _scan_time(scan.get("scanned_at"), now)
            # Whether the actor may work this desk is judged at the time of each scan, as one redeem would.
            require_desk_actor(actor, checkin_list, now=scanned_at)
            result = redeem_with(code, checkin_list=checkin_list, station=str(scan.get("station") or ""), actor=actor,
                                 now=scanned_at, scan_id=scan_id, offline=True, reads=reads, guarded=guarded)
            items[index] = SyncItem(scan_id, result, conflict=result.outcome == Outcome.ALREADY)
    except IntegrityError:
        # The check-ins this attempt inserted are joined to the session without a flush
        # (inserts.insert_if_still_admitted): the savepoint's rollback does not know them.
        for item in items.values():
            if item.result.check_in is not None and item.result.check_in in db.session and not item.result.replayed:
                db.session.expunge(item.result.check_in)
        raise
    return [items[index] for index in range(len(queued))]


def _scan_time(value, now: datetime) -> datetime:
    """The device's time of the scan, trusted only within the last day and not in the future."""
    if not value:
        return now
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return now
    if moment.tzinfo is None or moment > now or moment < now - timedelta(days=1):
        return now
    return moment
