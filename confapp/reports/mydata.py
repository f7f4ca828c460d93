"""A participant's own data, as JSON, for their self-service page (the right of access): the keys
are fixed (machine-readable), the organisers' texts (event, category, questions and their choices,
sessions) in the participant's language where the organisers translated them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..checkin.models import CheckIn, CheckInList
from ..events.content_languages import default_language, event_languages, localized, tr_options, translations_of
from ..extensions import db
from ..outreach.models import Delivery, Message
from ..program.models import ProgramSession, SessionSignup
from ..registration.models import Answer, Question, Registration
from .models import Certificate, SurveyResponse


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _answer_in(question: Question, value: str | None, lang: str) -> str | None:
    """A choice answer (the default language's option texts, several one per line) in `lang`."""
    if not value or not question.options:
        return value
    labels = dict(zip(question.options, tr_options(question, lang=lang)))
    return "\n".join(str(labels.get(part, part)) for part in value.split("\n"))


def export_registration(registration: Registration, lang: str | None = None) -> dict[str, Any]:
    """Everything held about this registration across the domains; the organisers' texts in
    `lang` (when the event has it; else its default language)."""
    event, order = registration.event, registration.order
    lang = lang if lang in event_languages(event) else default_language(event)
    default = default_language(event)
    answers = db.session.execute(
        select(Question, Answer.value).join(Question, Question.id == Answer.question_id)
        .where(Answer.registration_id == registration.id).order_by(Question.position, Question.id)
    ).all()
    data: dict[str, Any] = {
        "event": {"title": localized(event, "title", lang, default), "starts_at": _iso(event.starts_at),
                  "ends_at": _iso(event.ends_at)},
        "registration": {
            "first_name": registration.first_name, "last_name": registration.last_name, "email": registration.email,
            "status": registration.status.value, "category": localized(registration.category, "name", lang, default),
            "ticket_code": registration.ticket_code, "walk_in": registration.is_walk_in,
            "created_at": _iso(registration.created_at), "confirmed_at": _iso(registration.confirmed_at),
            "cancelled_at": _iso(registration.cancelled_at), "price_minor": registration.price_minor,
        },
        "answers": [{"question": localized(question, "label", lang, default), "answer": _answer_in(question, value, lang)}
                    for question, value in answers],
        "order": {
            "code": order.code, "buyer_name": order.buyer_name, "buyer_email": order.buyer_email,
            "currency": order.currency, "total_minor": order.total_minor, "paid_minor": order.paid_minor,
            "refunded_minor": order.refunded_minor, "payment_state": order.payment_state.value,
            "waiver_reason": order.waiver_reason, "ip_address": order.ip_address,
        } if order.buyer_email.lower() == registration.email.lower() else {"code": order.code},
    }
    rows = db.session.execute(
        select(CheckInList.name, CheckIn.checked_in_at, CheckIn.reverted_at)
        .join(CheckInList, CheckInList.id == CheckIn.list_id)
        .where(CheckIn.registration_id == registration.id).order_by(CheckIn.checked_in_at)
    ).all()
    data["check_ins"] = [{"list": name, "at": _iso(at), "undone_at": _iso(undone)} for name, at, undone in rows]
    rows = db.session.execute(
        select(ProgramSession.title, ProgramSession.translations, SessionSignup.created_at)
        .join(ProgramSession, ProgramSession.id == SessionSignup.session_id)
        .where(SessionSignup.registration_id == registration.id)
    ).all()
    data["session_sign_ups"] = [{"session": translations_of(texts, "title").get(lang) or title, "at": _iso(at)}
                                for title, texts, at in rows]
    rows = db.session.execute(
        select(Message.subject, Delivery.address, Delivery.state, Delivery.sent_at)
        .join(Message, Message.id == Delivery.message_id)
        .where(Delivery.registration_id == registration.id).order_by(Delivery.id)
    ).all()
    data["emails"] = [{"subject": s, "to": a, "state": st.value, "sent_at": _iso(at)} for s, a, st, at in rows]
    named = db.session.scalars(select(SurveyResponse).where(SurveyResponse.registration_id == registration.id)).all()
    data["feedback_with_your_name"] = [
        {"overall_rating": r.overall_rating, "comment": r.comment, "at": _iso(r.created_at)} for r in named
    ]
    certificate = db.session.scalar(select(Certificate).where(Certificate.registration_id == registration.id))
    data["certificate"] = {"code": certificate.code, "issued_at": _iso(certificate.issued_at)} if certificate else None
    return data
