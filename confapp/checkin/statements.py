"""The scan's selects (confapp/checkin/services.py), built once per process."""
from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..registration.models import Registration
from .models import CheckIn


class SCAN_STATEMENTS:
    """The scan's selects, each built once per process (issue 16: building them per request cost
    about as much as running them); the values go in as bind parameters."""

    @staticmethod
    @cache
    def ticket():
        return (select(Registration).options(joinedload(Registration.order), joinedload(Registration.category))
                .where(Registration.ticket_code == bindparam("code")))

    @staticmethod
    @cache
    def active():
        return select(CheckIn).where(CheckIn.list_id == bindparam("list_id"),
                                     CheckIn.registration_id == bindparam("registration_id"), CheckIn.reverted_at.is_(None))

    @staticmethod
    @cache
    def by_scan_id():
        return select(CheckIn).where(CheckIn.scan_id == bindparam("scan_id"), CheckIn.list_id == bindparam("list_id"),
                                     CheckIn.event_id == bindparam("event_id"))

    @staticmethod
    @cache
    def scan_list():
        return select(CheckIn.list_id).where(CheckIn.scan_id == bindparam("scan_id"))
