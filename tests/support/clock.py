"""The suite's one clock. Services take `now=TEST_NOW` explicitly; everything else (views, the
demo data, the live servers, subprocesses) reads confapp's clock, which tests/conftest.py starts
at the same instant through CONFAPP_CLOCK_START, so nothing depends on the day the suite runs."""
from __future__ import annotations

from datetime import datetime, timezone

TEST_NOW = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)
