"""Demo data: realistic convenings from the human-rights-cities movement.

`flask demo load` runs each step module in DEMO_STEPS in order; a step is a module in this
package with `load(ctx: DemoContext)`. Domains add their own step (programme, registrations...)
and read what earlier steps made from the context.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db

DEMO_STEPS = ("accounts", "events", "registration", "program", "checkin", "reports", "outreach", "online", "retention")

DEMO_PASSWORD = "demo-password-2026"


@dataclass
class DemoContext:
    now: datetime
    users: dict[str, object] = field(default_factory=dict)
    events: dict[str, object] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)


def database_is_empty() -> bool:
    from ..events.models import Event

    return (db.session.scalar(select(func.count()).select_from(Event)) or 0) == 0


def load_demo(now: datetime) -> DemoContext:
    ctx = DemoContext(now=now)
    for step in DEMO_STEPS:
        module = importlib.import_module(f"confapp.demo.{step}")
        module.load(ctx)
        db.session.flush()
    return ctx
