"""Online jobs: every hour, each webcast series' next editions are created (and its
subscribers registered for them), so editions keep coming without an organiser clicking."""
from __future__ import annotations

from huey import crontab

from ..jobs import app_periodic_task
from ..types import utcnow
from . import series_schedule


@app_periodic_task(crontab(minute="15"))
def create_series_editions() -> None:
    series_schedule.create_due_editions(now=utcnow())
