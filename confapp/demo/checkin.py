"""Demo check-in: the 2016 Institute's morning (most registrants arrived between 08:15 and 11:00,
some did not come), and the next Institute's main entrance and workshop lists with a volunteer
link whose URL the loader prints."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from ..checkin import services
from ..checkin.models import ListKind
from ..extensions import db
from ..urls import external_url
from ..program.models import ProgramSession, SessionKind
from ..registration.models import Registration, RegistrationStatus
from . import DemoContext


def load(ctx: DemoContext) -> None:
    _past_morning(ctx)
    _next_edition(ctx)


def _past_morning(ctx: DemoContext) -> None:
    event = ctx.events["phrge_2016"]
    staff, organiser = ctx.users["staff"], ctx.users["organiser"]
    entrance = services.main_list(event, actor=organiser, now=event.starts_at - timedelta(days=1))
    start = event.starts_at - timedelta(minutes=45)  # doors opened at 08:15
    table_b, _ = services.create_volunteer_link(entrance, name="Registration table B", valid_from=start,
                                                valid_until=event.starts_at + timedelta(hours=4), actor=organiser,
                                                now=event.starts_at - timedelta(days=1))
    helper = services.LinkActor(table_b)
    rng = random.Random(1208)
    registrations = list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id)
    ))
    for registration in registrations:
        if rng.random() < 0.12:  # no-shows
            continue
        # Most arrive in the half hour before the opening plenary; a tail drifts in all morning.
        minutes = rng.triangular(0, 165, 40)
        at = start + timedelta(minutes=minutes, seconds=rng.randint(0, 59))
        desk = rng.random() < 0.6
        services.redeem(registration.ticket_code, checkin_list=entrance, station="Door 1" if desk else "Table B",
                        actor=staff if desk else helper, now=at)


def _next_edition(ctx: DemoContext) -> None:
    event = ctx.events["phrge_next"]
    organiser = ctx.users["organiser"]
    entrance = services.main_list(event, actor=organiser, now=ctx.now)
    workshop = db.session.scalar(
        select(ProgramSession).where(ProgramSession.event_id == event.id, ProgramSession.kind == SessionKind.WORKSHOP,
                                     ProgramSession.capacity.is_not(None))
        .order_by(ProgramSession.starts_at).limit(1)
    )
    if workshop is not None:
        services.create_list(event, name=f"Workshop: {workshop.title}", kind=ListKind.SESSION, actor=organiser, now=ctx.now,
                             program_session_id=workshop.id)
    else:
        services.create_list(event, name="Workshop room", kind=ListKind.SESSION, capacity=30, actor=organiser, now=ctx.now)
    _, token = services.create_volunteer_link(entrance, name="Door 2 volunteer", valid_from=ctx.now - timedelta(hours=1),
                                              valid_until=event.ends_at + timedelta(hours=2), actor=organiser, now=ctx.now)
    ctx.extra.setdefault("notes", []).append(
        f"Check-in volunteer link for {event.title} (Door 2, no account needed): {external_url('checkin.link_desk', token=token)}")
