"""Payment housekeeping, every ten minutes: resend refunds that never reached Stripe (the job
that sends them ran out of retries, or the worker stopped), and close payment pages whose
expiry webhook never came. Each item commits on its own, so one failure blocks nothing."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from huey import crontab
from sqlalchemy import select

from ..extensions import db
from ..jobs import app_periodic_task
from ..types import utcnow
from .models import Payment, PaymentStatus, Refund, RefundStatus

log = logging.getLogger(__name__)

# A refund still PENDING this long after it was recorded lost its job.
REFUND_GRACE = timedelta(minutes=10)
# A session is past its Stripe expiry by this much and no webhook told us.
SESSION_GRACE = timedelta(hours=1)
# A CREATING row older than Stripe's idempotency window can no longer be resumed.
CREATING_LIMIT = timedelta(hours=24)


def reconcile(now: datetime | None = None) -> dict[str, int]:
    from .gateway import GatewayError
    from .services import submit_refund

    now = now or utcnow()
    counts = {"refunds_sent": 0, "refunds_failed": 0, "sessions_closed": 0}
    pending = db.session.scalars(select(Refund.id).where(Refund.status == RefundStatus.PENDING,
                                                          Refund.created_at <= now - REFUND_GRACE)).all()
    for refund_id in pending:
        try:
            refund = submit_refund(refund_id, now=now)
            db.session.commit()
            counts["refunds_sent" if refund.status != RefundStatus.FAILED else "refunds_failed"] += 1
        except GatewayError:
            db.session.rollback()
            log.warning("refund %s still cannot reach Stripe", refund_id)
    stale = db.session.scalars(select(Payment).where(
        ((Payment.status == PaymentStatus.OPEN) & (Payment.session_expires_at <= now - SESSION_GRACE))
        | ((Payment.status == PaymentStatus.CREATING) & (Payment.created_at <= now - CREATING_LIMIT))
    )).all()
    for payment in stale:
        # A payment that completes later still applies (EXPIRED -> PAID is allowed).
        payment.status = PaymentStatus.EXPIRED if payment.status == PaymentStatus.OPEN else PaymentStatus.FAILED
        counts["sessions_closed"] += 1
    db.session.commit()
    return counts


@app_periodic_task(crontab(minute="*/10"))
def reconcile_payments() -> None:
    counts = reconcile()
    if any(counts.values()):
        log.info("payments reconciled: %s", counts)
