"""Registration jobs: every minute, release payment holds that ran out, pass unclaimed
waitlist offers to the next person, and render registration mail a dead worker left behind
(the render job itself lives in outbox.py)."""
from __future__ import annotations

import logging

from huey import crontab

from ..audit.services import SYSTEM
from ..extensions import db
from ..jobs import app_periodic_task
from ..types import utcnow
from . import emails, outbox  # noqa: F401  (emails renders the outbox's rows)

log = logging.getLogger(__name__)


def release_expired(now=None) -> tuple[int, int]:
    """Expire lapsed holds (one commit per order, so one failure does not block the rest)
    and expired waitlist offers. Returns (orders released, offers expired)."""
    from .holds import expire_order, expired_holds
    from .waitlist import events_with_waiting, expire_offers, offer_freed_places

    now = now or utcnow()
    released = 0
    for order in expired_holds(now=now):
        try:
            expire_order(order, now=now, actor=SYSTEM)
            db.session.commit()
            released += 1
        except Exception:  # noqa: BLE001 - logged; the next run retries
            db.session.rollback()
            log.exception("could not release the hold of order %s", order.id)
    offers = expire_offers(now=now)
    db.session.commit()
    # Places freed without a release (an organiser raised the capacity) go to the waitlist too.
    for event in events_with_waiting(now=now):
        offer_freed_places(event, now=now)
        db.session.commit()
    if released or offers:
        log.info("released %d expired hold(s), passed on %d waitlist offer(s)", released, offers)
    return released, offers


@app_periodic_task(crontab(minute="*"))
def release_expired_holds_and_offers() -> None:
    release_expired()


@app_periodic_task(crontab(minute="*"))
def sweep_registration_mail() -> None:
    outbox.schedule_wake(outbox.process())
