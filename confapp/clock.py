"""The application's one clock: every rule that depends on "now" reads `utcnow()`.

Normally it is the system clock. `CONFAPP_CLOCK_START` (an ISO 8601 instant with a zone) starts
it at another instant instead, and from there it runs at real speed, so durations still pass:
the test suite pins it to one instant so that its fixtures, the demo data and the views all
agree on the date whatever day the suite runs, and an organiser can preview the demo "as of"
a date. `CONFAPP_CLOCK_SET_AT` (seconds since the epoch on the system clock) says when it was
started, so that every process of one run (web workers, the job consumer) shares one clock.
Refused in production: there the clock is the system's.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

_offset = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(timezone.utc) + _offset


def start_clock_at(instant: datetime | None, *, set_at: float | None = None) -> None:
    """Make `utcnow()` read `instant` at `set_at` (default: now), running on from there;
    None puts the system clock back."""
    global _offset
    if instant is None:
        _offset = timedelta(0)
        return
    if instant.tzinfo is None:
        raise ValueError("the clock's start needs a time zone")
    reference = datetime.fromtimestamp(set_at, timezone.utc) if set_at is not None else datetime.now(timezone.utc)
    _offset = instant - reference


def start_clock_from_environment(environ=os.environ) -> None:
    start = environ.get("CONFAPP_CLOCK_START")
    if not start:
        return
    if environ.get("CONFAPP_ENV", "").lower() == "production":
        raise RuntimeError("CONFAPP_CLOCK_START is for tests and demos; production runs on the system clock.")
    set_at = environ.get("CONFAPP_CLOCK_SET_AT")
    start_clock_at(datetime.fromisoformat(start), set_at=float(set_at) if set_at else None)


start_clock_from_environment()
