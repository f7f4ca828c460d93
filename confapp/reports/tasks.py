"""The personal-data purge of events past their retention period: every hour, and once when
the job worker starts (anything that fell due while nothing ran is purged at once)."""
from __future__ import annotations

import logging
import threading

from huey import crontab

from ..audit.services import SYSTEM
from ..extensions import db
from ..jobs import app_periodic_task, app_task, huey
from ..types import utcnow

log = logging.getLogger(__name__)


def purge_due_events(now=None) -> list[int]:
    """Purge every event whose retention period has run out; each in its own transaction, so
    one failure does not hold back the others. Each event is locked and re-read first, so two
    runs at once (start-up job and hourly job) purge it once. Returns the purged event ids."""
    from ..events.models import Event
    from . import services
    from .models import DataRetention

    now = now or utcnow()
    purged = []
    for event_id in [event.id for event in services.events_due_for_purge(now)]:
        try:
            event = db.session.get(Event, event_id, with_for_update=True, populate_existing=True)
            retention = db.session.get(DataRetention, event_id, populate_existing=True)
            if retention is not None and retention.purged_at is not None:
                db.session.rollback()
                continue
            services.purge_event(event, actor=SYSTEM, now=now)
            db.session.commit()
            purged.append(event_id)
        except Exception:
            db.session.rollback()
            log.exception("purge failed for event %s", event_id)
    return purged


@app_periodic_task(crontab(minute="20"))
def purge_due_events_hourly():
    purge_due_events()


@app_task()
def purge_overdue_job() -> None:
    purge_due_events()


_started = threading.Lock()
_startup_queued = False


@huey.on_startup("reports-purge-overdue")
def _purge_overdue_on_startup() -> None:
    # Every worker thread runs the start-up hooks; one job per consumer process is enough.
    global _startup_queued
    with _started:
        if _startup_queued or huey.immediate:
            return
        _startup_queued = True
    purge_overdue_job()
