"""Loaded only by the shifted-clock runs: `make test-shifted` puts this folder on PYTHONPATH, so
Python imports it at start-up in pytest and in every server and worker the tests start.

libfaketime 0.9.10 (Debian 12) with FAKETIME_DONT_FAKE_MONOTONIC=1 makes
clock_nanosleep(TIMER_ABSTIME) fail with EINVAL, and that is the call behind Python's
`time.sleep`: every sleep would raise "Invalid argument". select() with a timeout still waits
the right time under it, so sleeps go through select instead. Nothing else changes: the dates
are the shifted ones, durations are real.
"""
import os

if os.environ.get("FAKETIME"):
    import select
    import time

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            select.select([], [], [], left)

    time.sleep = _sleep
