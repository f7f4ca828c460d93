"""The daily personal-data purge of events past their retention period."""
from __future__ import annotations

import logging

from huey import crontab

from ..audit.services import SYSTEM
from ..extensions import db
from ..jobs import app_periodic_task
from ..types import utcnow

log = logging.getLogger(__name__)


def purge_due_events(now=None) -> list[int]:
    """Purge every event whose retention period has run out; each in its own transaction, so
    one failure does not hold back the others. Returns the purged event ids."""
    from . import services

    now = now or utcnow()
    purged = []
    for event_id in [event.id for event in services.events_due_for_purge(now)]:
        from ..events.models import Event

        try:
            services.purge_event(db.session.get(Event, event_id), actor=SYSTEM, now=now)
            db.session.commit()
            purged.append(event_id)
        except Exception:
            db.session.rollback()
            log.exception("purge failed for event %s", event_id)
    return purged


@app_periodic_task(crontab(minute="20", hour="3"))
def purge_due_events_daily():
    purge_due_events()
