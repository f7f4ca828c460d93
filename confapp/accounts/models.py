from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import StrEnumType, UTCDateTime, utcnow


class Role(enum.StrEnum):
    ORGANISER = "organiser"
    CHECKIN_STAFF = "checkin_staff"

    @property
    def label(self):
        """The role's name in the reader's language (a lazy string: read where it is shown)."""
        return _ROLE_LABELS[self.value]


_ROLE_LABELS = {"organiser": _l("Organiser"), "checkin_staff": _l("Check-in staff")}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_site_admin: Mapped[bool] = mapped_column(default=False)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The interface language this user chose (confapp/i18n.py LANGUAGES); None: the browser's.
    locale: Mapped[str | None] = mapped_column(String(8))

    roles: Mapped[list["EventRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="EventRole.user_id"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    @property
    def session_marker(self) -> str:
        """Changes whenever the password does: sessions made before a reset stop working."""
        return self.password_hash[-12:]

    def get_id(self) -> str:  # Flask-Login: what the session and the remember cookie hold
        return f"{self.id}:{self.session_marker}"

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class EventRole(db.Model):
    """A user's role on one event: organiser (everything) or check-in staff (check-in only)."""

    __tablename__ = "event_roles"
    __table_args__ = (UniqueConstraint("user_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(StrEnumType(Role))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
    event: Mapped["Event"] = relationship(back_populates="roles")


class RoleInvitation(db.Model):
    """An emailed invitation to take a role on an event; the link is signed, the row is the truth."""

    __tablename__ = "role_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(StrEnumType(Role))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped["Event"] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
