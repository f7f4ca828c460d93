"""Check-in: the lists a door admits people through, each check-in, volunteer links, badge prints.

A ticket is checked in at most once per list. The database enforces it with a partial unique
index on (list_id, registration_id) over the check-ins that have not been undone, so the
second redeem fails at the database whichever worker or host runs it. Undo keeps the row
(reverted_at) so the history stays.
"""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import StrEnumType, UTCDateTime, utcnow


class ListKind(enum.StrEnum):
    MAIN = "main"  # the main entrance
    SESSION = "session"  # a workshop or closed-door meeting

    @property
    def label(self):
        """In the reader's language (a lazy string)."""
        return {"main": _l("Main entrance"), "session": _l("Session")}[self.value]


class CheckInList(db.Model):
    """A door people are admitted through, with the categories it admits (empty = all)."""

    __tablename__ = "checkin_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[ListKind] = mapped_column(StrEnumType(ListKind), default=ListKind.MAIN)
    category_ids: Mapped[list] = mapped_column(JSON, default=list)
    # A per-session list names the programme session it admits to (sign-ups and room capacity).
    # Plain id, no foreign key: adding one later would make SQLite rebuild this table, and the
    # rebuild's DROP would cascade into the check-ins. The service checks it belongs to the event,
    # and `_forget_deleted_session` below does what ON DELETE SET NULL would.
    program_session_id: Mapped[int | None] = mapped_column(Integer)
    # Walk-ins stop here; None means the session's capacity, or no limit for the main entrance.
    capacity: Mapped[int | None] = mapped_column(Integer)
    allow_walk_ins: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped["Event"] = relationship()

    def admits_category(self, category_id: int) -> bool:
        return not self.category_ids or category_id in self.category_ids


class CheckIn(db.Model):
    __tablename__ = "checkins"
    __table_args__ = (
        # One active check-in per ticket per list; undone rows (reverted_at set) keep the history.
        Index(
            "uq_checkins_list_registration_active",
            "list_id",
            "registration_id",
            unique=True,
            sqlite_where=text("reverted_at IS NULL"),
            postgresql_where=text("reverted_at IS NULL"),
        ),
        Index("ix_checkins_event_checked_in_at", "event_id", "checked_in_at"),
        Index("ix_checkins_registration", "registration_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    list_id: Mapped[int] = mapped_column(ForeignKey("checkin_lists.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    volunteer_link_id: Mapped[int | None] = mapped_column(ForeignKey("checkin_volunteer_links.id", ondelete="SET NULL"))
    # Who and where, as the desk shows it: "by Maria at Door 2".
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    station: Mapped[str] = mapped_column(String(80), default="")
    # The desk's id for the scan: an offline queue replayed twice applies each scan once.
    scan_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    synced_offline: Mapped[bool] = mapped_column(default=False)
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reverted_by_label: Mapped[str] = mapped_column(String(200), default="")

    list: Mapped[CheckInList] = relationship()
    registration: Mapped["Registration"] = relationship()


class VolunteerLink(db.Model):
    """A link that opens one list's desk without an account, for a time window, until revoked.
    Only the token's SHA-256 is stored; the URL is shown once when the link is made."""

    __tablename__ = "checkin_volunteer_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("checkin_lists.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))  # the door or the person: the audit label
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    list: Mapped[CheckInList] = relationship()
    event: Mapped["Event"] = relationship()

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and self.valid_from <= now < self.valid_until


class BadgePrint(db.Model):
    """One badge printed: batches can pick "not yet printed"."""

    __tablename__ = "checkin_badge_prints"
    __table_args__ = (Index("ix_checkin_badge_prints_event_registration", "event_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    layout: Mapped[str] = mapped_column(String(20))
    printed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


from .search import SearchTerm  # noqa: E402,F401  (the desk's prefix index; see search.py)


def _forget_deleted_session(mapper, connection, target) -> None:
    """A deleted programme session (only drafts can be) leaves its door lists as plain lists,
    with their check-ins, instead of pointing at nothing."""
    connection.execute(CheckInList.__table__.update()
                       .where(CheckInList.program_session_id == target.id).values(program_session_id=None))


def _listen_for_session_deletes() -> None:
    from sqlalchemy import event

    from ..program.models import ProgramSession  # deferred: program's models import this module's neighbours

    event.listen(ProgramSession, "after_delete", _forget_deleted_session)


_listen_for_session_deletes()
