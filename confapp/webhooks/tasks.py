"""Webhooks' minute tick: sends what is due (retries whose job was lost, claims of a dead
worker whose lease ran out) and resumes after a consumer restart."""
from __future__ import annotations

from huey import crontab

from ..jobs import app_periodic_task, huey
from .sending import deliver_due, send_webhooks


@app_periodic_task(crontab(minute="*"))
def webhooks_tick() -> None:
    deliver_due()


@huey.on_startup("webhooks-resume")
def resume_on_startup() -> None:
    if not huey.immediate:
        send_webhooks()
