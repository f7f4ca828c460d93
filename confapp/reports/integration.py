"""Reading other domains' tables for the report. Each function is used only once that
domain's models exist (see queries.optional_models)."""
from __future__ import annotations

from datetime import datetime

from ..events.models import Event


def checkin_rows(event: Event) -> list[tuple[int, datetime]]:
    """(registration id, checked-in at) for every check-in of the event."""
    return []


def session_rows(event: Event) -> tuple[list[dict], int]:
    """Sessions with their attendance, and the number of distinct speakers."""
    return [], 0
