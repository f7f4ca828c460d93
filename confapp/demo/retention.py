"""Demo: the last step keeps the promise the past events' pages make. Their personal data was
due for deletion long before the demo's clock, so it is deleted now, as the hourly job would
have done: names, emails, answers and comments go; the figures, the dashboard and the
published report keep their numbers (frozen before the purge)."""
from __future__ import annotations

from ..audit.services import SYSTEM
from . import DemoContext


def load(ctx: DemoContext) -> None:
    from ..reports import services

    for event in services.events_due_for_purge(ctx.now):
        services.purge_event(event, actor=SYSTEM, now=ctx.now)
