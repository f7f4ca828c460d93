"""Demo: emails the 2016 PHRGE Institute's organisers sent (logistics before, thanks after),
with each person's delivery record, one bounce and one unsubscribe; and a reminder rule for
the next edition ("2 days before start at 09:00"). Nothing is actually mailed: the history is
written as it would stand after sending. Works with whatever people the earlier steps made
(registrations when the registration demo ran; the team otherwise)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from ..extensions import db
from ..outreach import reminders, services
from ..outreach.delivery import materialize
from ..outreach.models import Delivery, DeliveryState, MessageStatus, Unsubscribe
from ..outreach.segments import resolve
from ..outreach.services import MessageDraft
from . import DemoContext

LOGISTICS = """\
Dear {{ first_name }},

We look forward to welcoming you to **{{ event_title }}** on {{ event_dates }} at {{ venue }}.

- Registration opens at 8:30 on the first morning; bring your ticket ({{ ticket_link }}).
- Interpretation into Spanish is available in the plenary: tell us at the desk.
- The venue is step-free; quiet room on the ground floor.

Need to change something? {{ self_service_link }}
"""

THANKS = """\
Dear {{ first_name }},

Thank you for joining {{ event_title }}. The workshop recommendations and the summary report
will follow in the coming weeks. Please tell us how it went: your feedback shapes the next
Institute.
"""

REMINDER = """\
Dear {{ first_name }},

{{ event_title }} starts in two days ({{ event_start }}, {{ venue }}). Your ticket: {{ ticket_link }}

See you soon!
"""


def _send_as_history(event, organiser, subject: str, body: str, segment: dict, sent_at, *, bounce: bool) -> None:
    message = services.create_message(event, MessageDraft(subject, body, segment), actor=organiser, now=sent_at)
    message.status = MessageStatus.SENDING
    message.sent_at = sent_at
    materialize(message, now=sent_at)
    db.session.execute(update(Delivery).where(Delivery.message_id == message.id, Delivery.state == DeliveryState.QUEUED)
                       .values(state=DeliveryState.SENT, sent_at=sent_at + timedelta(minutes=2), attempts=1,
                               smtp_reply="250 Message accepted for delivery"))
    if bounce:
        first = db.session.scalar(select(Delivery).where(Delivery.message_id == message.id,
                                                          Delivery.state == DeliveryState.SENT).order_by(Delivery.id.desc()))
        if first is not None:
            first.state, first.sent_at = DeliveryState.FAILED, None
            first.smtp_reply = "550 5.1.1 The email account that you tried to reach does not exist"
    message.status = MessageStatus.SENT
    message.finished_at = sent_at + timedelta(minutes=3)
    db.session.flush()


def load(ctx: DemoContext) -> None:
    organiser = ctx.users["organiser"]
    phrge_2016, phrge_next = ctx.events["phrge_2016"], ctx.events["phrge_next"]
    confirmed = {"status": ["confirmed"]}
    # Without the registration demo there are no participants yet: write to the team and speakers.
    logistics_to = confirmed if any(r.registration_id for r in resolve(phrge_2016.id, confirmed)) else {"all": True}
    _send_as_history(phrge_2016, organiser, "Logistics for {{ event_title }}", LOGISTICS, logistics_to,
                     phrge_2016.starts_at - timedelta(days=7), bounce=True)
    # One participant unsubscribed from announcements after the logistics email: skipped after.
    people = [r for r in resolve(phrge_2016.id, confirmed) if r.registration_id]
    if people:
        db.session.add(Unsubscribe(address=people[0].address, event_id=phrge_2016.id,
                                   created_at=phrge_2016.starts_at - timedelta(days=5)))
        db.session.flush()
    _send_as_history(phrge_2016, organiser, "Thank you for coming, {{ first_name }}", THANKS, {"all": True},
                     phrge_2016.ends_at + timedelta(days=2), bounce=False)
    reminders.create_rule(
        phrge_next,
        reminders.ReminderData("Two days before", "start", -2, "09:00", "See you on {{ event_dates }}", REMINDER, confirmed),
        actor=organiser, now=ctx.now,
    )
