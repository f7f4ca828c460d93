"""The feedback survey: one response per participant, anonymous unless they choose otherwise,
an overall rating, ratings for the sessions they attended and a comment. Results flow into the
report's figures (queries._feedback).

Links are signed per registration (no account needed). `survey_url(registration)` is what an
outreach message links to; `send_survey_invitations` mails every participant their own link.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from flask import current_app
from flask_babel import gettext, lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from ..events.content_languages import content_language, tr
from ..audit.services import record
from ..checkin.models import CheckIn, CheckInList
from ..errors import Conflict, InvalidState, ValidationFailed
from ..outreach.event_mail import send_event_email
from ..outreach.merge import register_person_link
from ..extensions import db
from ..i18n import in_language
from ..program.models import ProgramSession, SessionKind, SessionSignup, SessionStatus
from ..registration.models import Registration, RegistrationStatus
from ..urls import external_url
from .charts import format_count
from .models import SessionRating, SurveyResponse

_SALT = "reports-survey"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def survey_token(registration: Registration) -> str:
    return _serializer().dumps(registration.ticket_code)


def registration_from_survey_token(event, token: str) -> Registration | None:
    try:
        code = _serializer().loads(token)
    except BadSignature:
        return None
    return db.session.scalar(
        select(Registration).where(Registration.ticket_code == code, Registration.event_id == event.id)
    )


def survey_url(registration: Registration) -> str:
    return external_url("reports.survey", slug=registration.event.slug, token=survey_token(registration))


def respondent_key(registration: Registration) -> str:
    """Stops a second response without storing who answered: a keyed hash, not reversible
    without the server's secret."""
    message = f"survey:{registration.event_id}:{registration.id}".encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()


def has_responded(registration: Registration) -> bool:
    return db.session.scalar(
        select(SurveyResponse.id).where(
            SurveyResponse.event_id == registration.event_id, SurveyResponse.respondent_key == respondent_key(registration)
        )
    ) is not None


def survey_open(event, now: datetime) -> bool:
    """From the start of the event until its personal data is deleted or due for deletion."""
    from .services import personal_data_due

    return now >= event.starts_at and not personal_data_due(event, now)


def sessions_for(registration: Registration) -> list[tuple[int, str]]:
    """(id, title) of the sessions to rate: those the person checked in to or signed up for;
    if the event recorded neither for them, every published session (all optional). Titles in the
    reader's content language (the survey is rendered in the participant's language)."""
    published = select(ProgramSession.id, ProgramSession.title, ProgramSession.translations).where(
        ProgramSession.event_id == registration.event_id,
        ProgramSession.status == SessionStatus.PUBLISHED,
        ProgramSession.kind != SessionKind.BREAK,
    ).order_by(ProgramSession.starts_at, ProgramSession.id)
    attended = select(SessionSignup.session_id).where(SessionSignup.registration_id == registration.id)
    attended = attended.union(
        select(CheckInList.program_session_id).join(CheckIn, CheckIn.list_id == CheckInList.id).where(
            CheckIn.registration_id == registration.id, CheckIn.reverted_at.is_(None),
            CheckInList.program_session_id.is_not(None),
        )
    )
    mine = db.session.execute(published.where(ProgramSession.id.in_(attended))).all()
    event = registration.event  # the survey page's event, in the session already
    return [(row.id, str(tr(row, "title", event=event))) for row in (mine or db.session.execute(published).all())]


def submit_feedback(registration: Registration, *, overall: int | None, session_ratings: dict[int, int],
                    comment: str, named: bool, now: datetime) -> SurveyResponse:
    """Record one participant's feedback, once. Ratings are 1-5 and only for the sessions
    offered to them. Raises InvalidState (survey closed, not a participant), Conflict (already
    answered), ValidationFailed."""
    event = registration.event
    if registration.status != RegistrationStatus.CONFIRMED or registration.purged_at is not None:
        raise InvalidState(gettext("This survey link is no longer valid."))
    if not survey_open(event, now):
        raise InvalidState(gettext("The survey is not open."))
    allowed = {sid for sid, _ in sessions_for(registration)}
    errors = {}
    if overall is not None and not 1 <= overall <= 5:
        errors["overall"] = gettext("Choose a rating from 1 to 5.")
    for session_id, rating in session_ratings.items():
        if session_id not in allowed or not 1 <= rating <= 5:
            errors[f"session_{session_id}"] = gettext("Choose a rating from 1 to 5.")
    if len(comment) > 5000:
        errors["comment"] = gettext("Keep comments under %(num)s characters.", num=format_count(5000))
    if overall is None and not session_ratings and not comment.strip():
        errors["overall"] = gettext("Give a rating or write a comment.")
    if errors:
        raise ValidationFailed(errors)
    if has_responded(registration):
        raise Conflict(gettext("You have already sent your feedback. Thank you!"))
    response = SurveyResponse(
        event_id=event.id, respondent_key=respondent_key(registration),
        registration_id=registration.id if named else None, overall_rating=overall,
        comment=comment.strip(), created_at=now,
    )
    response.session_ratings = [SessionRating(session_id=sid, rating=r) for sid, r in sorted(session_ratings.items())]
    db.session.add(response)
    db.session.flush()
    # The audit entry names no one: anonymous responses stay anonymous in the log too.
    record("report.feedback_received", actor=None, event=event, now=now)
    return response


def survey_recipients(event) -> list[Registration]:
    """Confirmed participants with an address: those who came when check-in was used, else all."""
    query = select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
        Registration.email != "", Registration.purged_at.is_(None),
    )
    came = select(CheckIn.registration_id).where(CheckIn.event_id == event.id, CheckIn.reverted_at.is_(None))
    if db.session.scalar(came.limit(1)) is not None:
        query = query.where(Registration.id.in_(came))
    return list(db.session.scalars(query.order_by(Registration.id)))


def send_survey_invitations(event, *, actor, now: datetime) -> int:
    """Mail each participant who has not answered yet their own survey link (through outreach's
    delivery records, after commit). Returns how many were queued."""
    if not survey_open(event, now):
        raise InvalidState(gettext("The survey opens when the event starts, and closes when personal data is deleted or due for deletion."))
    from .wording import survey_texts

    sent = 0
    for registration in survey_recipients(event):
        if has_responded(registration):
            continue
        with in_language(registration.spoken_language):
            send_event_email(event, registration.email,
                             gettext("How was %(event)s? Two minutes of feedback", event=tr(event, "title")),
                             "reports_feedback_survey", recipient=registration, registration=registration,
                             survey_url=survey_url(registration),
                             intro=survey_texts(event, content_language(event))["intro"])
        sent += 1
    record("report.survey_sent", actor=actor, event=event, details={"recipients": sent}, now=now)
    return sent


# The survey merge field of organisers' messages (outreach/merge.py).
register_person_link("survey_link", _l("The person's feedback survey link (after the event)"),
                     lambda registration, event: external_url("reports.survey", slug=event.slug, token=survey_token(registration)),
                     position=30)
