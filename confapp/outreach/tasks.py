"""Outreach's minute tick: starts scheduled messages, fires reminder rules and resumes
deliveries a dead worker left behind. The delivery job itself lives in sending.py (services
queue it); this module sits above services and reminders, which it calls."""
from __future__ import annotations

from datetime import datetime

from huey import crontab

from ..audit.services import SYSTEM
from ..extensions import db
from ..jobs import app_periodic_task
from ..types import utcnow
from .reminders import fire_due_rules
from .sending import deliver_message, resume_job, resume_unfinished, schedule_wakeup  # noqa: F401
from .services import send_due_scheduled


def tick(*, now: datetime) -> dict:
    """What the minute job does; tests call it with a fixed `now` (time travel, no sleeping)."""
    started = send_due_scheduled(now=now, actor=SYSTEM)
    fired = fire_due_rules(now=now)
    return {"scheduled_started": [m.id for m in started], "reminders_fired": [m.id for m in fired]}


@app_periodic_task(crontab(minute="*"))
def outreach_tick() -> None:
    now = utcnow()
    tick(now=now)
    db.session.commit()  # enqueues the deliveries (after commit)
    resume_unfinished(now=now)


