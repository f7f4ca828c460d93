"""Demo: the 2016 PHRGE Institute's published summary report, written as its organisers would
have, with arrivals on the day (if the check-in demo made none) and feedback from participants.
Needs the registration demo's participants; without them the step does nothing."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from ..extensions import db
from ..registration.models import Registration, RegistrationStatus
from . import DemoContext

AUDIENCE = "academics, advocates and activists"

OUTCOMES = """\
Participants shared strategies for bringing human rights home: using international standards in
local budgets, housing and policing, and building human rights cities from the ground up.

- Local human rights commissions from Pittsburgh, Eugene and Washington, DC described how they
  review city policy against treaty obligations, and what it takes to keep that work funded.
- Community organisers and legal advocates compared approaches to the right to housing, from
  eviction defence to participatory budgeting.
- Students and academics from Boston University, Columbia University and Northeastern
  University School of Law presented research on reporting to the UN treaty bodies.
"""

RECOMMENDATIONS = """\
The Institute concluded with an affirmation of the recommendations developed in the workshops:

1. Cities should adopt a human rights framework for budgeting, with community participation from
   the start of each budget cycle.
2. Local human rights commissions should report publicly each year on the city's compliance with
   the treaties the United States has ratified.
3. Advocates should coordinate shadow reporting to the UN treaty bodies across cities, so that local
   evidence reaches the international reviews.
4. Law schools and universities should partner with community organisations on human rights
   documentation, led by the communities most affected.
"""

ACKNOWLEDGEMENTS = """\
The Program on Human Rights and the Global Economy thanks the speakers, workshop facilitators and
volunteers, Northeastern University School of Law for hosting, and every participant who travelled
to Boston to take part.
"""


def load(ctx: DemoContext) -> None:
    event = ctx.events.get("phrge_2016")
    organiser = ctx.users.get("organiser")
    if event is None or organiser is None:
        return
    confirmed = list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id)))
    if not confirmed:
        return
    rng = random.Random(2016)
    _arrivals(event, confirmed, organiser, rng)
    _feedback(event, confirmed, rng)

    from ..reports import services

    report = services.start_report(event, actor=organiser)
    report.audience_phrase = AUDIENCE
    services.redraft_narrative(report, actor=organiser)
    services.update_report(report, services.ReportTexts(
        audience_phrase=AUDIENCE, narrative=report.narrative, outcomes_md=OUTCOMES,
        recommendations_md=RECOMMENDATIONS, acknowledgements_md=ACKNOWLEDGEMENTS), actor=organiser)
    services.publish_report(report, actor=organiser, now=event.ends_at + timedelta(days=12))
    ctx.extra["phrge_2016_report"] = report


def _arrivals(event, confirmed, organiser, rng) -> None:
    """About nine in ten came, most between 8:00 and 10:00 on the first morning."""
    from ..checkin import services as checkin
    from ..reports.integration import checkin_rows

    if checkin_rows(event):
        return
    door = checkin.main_list(event, actor=organiser, now=event.starts_at - timedelta(hours=1))
    morning = event.local(event.starts_at).replace(hour=8, minute=0)
    for registration in confirmed:
        if rng.random() < 0.88:
            minutes = min(int(rng.gammavariate(2.2, 28)), 300)
            checkin.redeem(registration.ticket_code, checkin_list=door, station="Front desk", actor=organiser,
                           now=morning + timedelta(minutes=minutes))


def _feedback(event, confirmed, rng) -> None:
    from ..reports import feedback

    comments = ("The workshop on budgeting was the most useful day I have had this year.",
                "More time for questions from the floor, please.", "", "", "",
                "Wonderful to meet commissioners from other cities.", "Captioning made a real difference.")
    now = event.ends_at + timedelta(days=3)
    for registration in rng.sample(confirmed, k=min(48, len(confirmed))):
        sessions = feedback.sessions_for(registration)
        ratings = {sid: rng.choice([3, 4, 4, 5, 5]) for sid, _ in sessions[:3] if rng.random() < 0.7}
        feedback.submit_feedback(registration, overall=rng.choice([3, 4, 4, 5, 5, 5]), session_ratings=ratings,
                                 comment=rng.choice(comments), named=False, now=now)
