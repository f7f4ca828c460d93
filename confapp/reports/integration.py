"""Reading other domains' tables for the report. Each function is called only once that
domain's models exist (see queries.optional_models), one query each."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ..events.models import Event
from ..extensions import db


def checkin_rows(event: Event) -> list[tuple[int, datetime]]:
    """(registration id, first arrival) for everyone admitted through a main entrance and not undone."""
    from ..checkin.models import CheckIn, CheckInList, ListKind

    return db.session.execute(
        select(CheckIn.registration_id, func.min(CheckIn.checked_in_at))
        .join(CheckInList, CheckInList.id == CheckIn.list_id)
        .where(CheckIn.event_id == event.id, CheckIn.reverted_at.is_(None), CheckInList.kind == ListKind.MAIN)
        .group_by(CheckIn.registration_id)
    ).all()


def session_checkins(event: Event) -> dict[int, int]:
    """Programme session id -> people checked in through that session's list."""
    from ..checkin.models import CheckIn, CheckInList, ListKind

    return dict(
        db.session.execute(
            select(CheckInList.program_session_id, func.count(func.distinct(CheckIn.registration_id)))
            .join(CheckIn, CheckIn.list_id == CheckInList.id)
            .where(
                CheckInList.event_id == event.id,
                CheckInList.kind == ListKind.SESSION,
                CheckInList.program_session_id.is_not(None),
                CheckIn.reverted_at.is_(None),
            )
            .group_by(CheckInList.program_session_id)
        ).all()
    )


def session_rows(event: Event) -> tuple[list[dict], int]:
    """Sessions with their attendance, and the number of distinct speakers."""
    return [], 0
