"""/api/v1 programme sessions: list and get (public ones without a token, drafts with a
programme:read token), create, update, delete, publish, cancel and speakers in sessions with a
programme:write token, through the organisers' programme services. Every write answers with
the session's timetable warnings (confapp/program/conflicts.py), which never stop a save;
publishing with warnings needs `acknowledge_warnings`, as on the organisers' page."""
from __future__ import annotations

from flask_babel import gettext
from flask_smorest import abort

from ..errors import json_error
from ..extensions import db
from ..program import queries as program_queries, services as program_services, speakers as speaker_services
from ..program.models import SessionKind
from ..program.services import ConflictsNeedReview
from ..types import utcnow
from .programme import programme_write, public_read, reader, session_json, warning_json, writer
from .queries import page_answer
from .schemas_programme import (
    AssignSpeakerSchema, PublishRequestSchema, SessionArgsSchema, SessionCreateSchema, SessionPageSchema,
    SessionResultSchema, SessionSchema, SessionUpdateSchema,
)

PREFIX = "/events/<slug>/programme/sessions"
STATE_ERRORS = (401, 403, 404, 409, 429)  # 409: not possible in the session's state


def _session(event, session_id: int, *, public_only: bool = False):
    session = program_queries.session_for_event(event, session_id)
    if session is None or (public_only and not session.is_public):
        abort(404, message=gettext("No such session for this event."))
    return session


def _result(session, warnings) -> dict:
    return {**session_json(session, public=False), "warnings": [warning_json(w) for w in warnings]}


def _data(session, body: dict) -> program_services.SessionData:
    """The session as it is (None: a new one), with the body's changes, for the services."""
    values = {name: getattr(session, name) for name in program_services.EDITABLE_FIELDS} if session else {}
    values.update(body)
    if "kind" in values:
        values["kind"] = SessionKind(values["kind"])
    if session is not None and "starts_at" in body and "ends_at" not in body:
        # Moved without an end: it keeps its length (else, unscheduled until now, the kind's default).
        length = session.ends_at - session.starts_at if session.is_scheduled else None
        values["ends_at"] = body["starts_at"] + length if length and body["starts_at"] else None
    return program_services.SessionData(**values)


@public_read(PREFIX, SessionPageSchema, query=SessionArgsSchema)
def programme_sessions(args, slug: str):
    """Sessions: without a token, the public agenda's (published, or cancelled after publishing);
    with a programme:read token, every session, drafts and unscheduled ones too."""
    event, actor = reader(slug)
    if actor is None:
        sessions = [s for day in program_queries.public_agenda(event).days for s in day.sessions]
    else:
        sessions = program_queries.timetable(event).sessions
        if args["status"]:
            sessions = [s for s in sessions if s.status.value == args["status"]]
    return page_answer(sessions, args, lambda s: session_json(s, public=actor is None))


@public_read(f"{PREFIX}/<int:session_id>", SessionSchema)
def programme_session_get(slug: str, session_id: int):
    """One session (without a token: only a public one)."""
    event, actor = reader(slug)
    return session_json(_session(event, session_id, public_only=actor is None), public=actor is None)


@programme_write(PREFIX, "POST", 201, SessionResultSchema, body=SessionCreateSchema)
def programme_session_create(body, slug: str):
    """Add a draft session (scheduled or not); the answer has its timetable warnings."""
    event, actor = writer(slug)
    session, warnings = program_services.create_session(event, _data(None, body), actor=actor, now=utcnow())
    db.session.commit()
    return _result(session, warnings)


@programme_write(f"{PREFIX}/<int:session_id>", "PATCH", 200, SessionResultSchema, body=SessionUpdateSchema,
                 errors=STATE_ERRORS)
def programme_session_update(body, slug: str, session_id: int):
    """Edit, move or resize a session; what is left out stays. Calendars of a published session
    are told of a move. The answer has its timetable warnings."""
    event, actor = writer(slug)
    session = _session(event, session_id)
    session, warnings = program_services.update_session(session, _data(session, body), actor=actor, event=event,
                                                        now=utcnow())
    db.session.commit()
    return _result(session, warnings)


@programme_write(f"{PREFIX}/<int:session_id>", "DELETE", 204, errors=STATE_ERRORS)
def programme_session_delete(slug: str, session_id: int):
    """Delete a session never published (a published one is cancelled instead: 409)."""
    event, actor = writer(slug)
    program_services.delete_session(_session(event, session_id), actor=actor, event=event, now=utcnow())
    db.session.commit()


@programme_write(f"{PREFIX}/<int:session_id>/publish", "POST", 200, SessionResultSchema, body=PublishRequestSchema,
                 errors=STATE_ERRORS)
def programme_session_publish(body, slug: str, session_id: int):
    """Show the session in the public agenda and feeds. With timetable warnings not acknowledged:
    422 `conflicts_need_review`, the warnings under `errors.acknowledge_warnings`."""
    event, actor = writer(slug)
    session = _session(event, session_id)
    try:
        program_services.publish_session(session, actor=actor, event=event,
                                         acknowledge_warnings=body["acknowledge_warnings"], now=utcnow())
    except ConflictsNeedReview as review:
        db.session.rollback()
        return json_error(422, review.code, review.message,
                          {"acknowledge_warnings": " ".join(w.message for w in review.warnings)})
    db.session.commit()
    return _result(session, program_services.session_conflicts(session))


@programme_write(f"{PREFIX}/<int:session_id>/cancel", "POST", 200, SessionResultSchema, errors=STATE_ERRORS)
def programme_session_cancel(slug: str, session_id: int):
    """Cancel a session: once published, it stays in the agenda and feeds marked cancelled."""
    event, actor = writer(slug)
    session = program_services.cancel_session(_session(event, session_id), actor=actor, event=event, now=utcnow())
    db.session.commit()
    return _result(session, program_services.session_conflicts(session))


@programme_write(f"{PREFIX}/<int:session_id>/speakers", "POST", 200, SessionResultSchema, body=AssignSpeakerSchema,
                 errors=STATE_ERRORS)
def programme_session_speaker_add(body, slug: str, session_id: int):
    """Put one of the event's speakers in the session with a role (or change their role); the
    answer has the warnings (a speaker double-booked...)."""
    event, actor = writer(slug)
    session = _session(event, session_id)
    speaker = program_queries.speaker_for_event(event, body["speaker_id"])
    if speaker is None:
        abort(422, message=gettext("Some fields need attention."),
              errors={"speaker_id": gettext("Choose one of this event's speakers.")})
    speaker_services.assign_speaker(session, speaker, body["role"], actor=actor, event=event, now=utcnow())
    db.session.commit()
    return _result(session, program_services.session_conflicts(session))


@programme_write(f"{PREFIX}/<int:session_id>/speakers/<int:speaker_id>", "DELETE", 200, SessionResultSchema)
def programme_session_speaker_remove(slug: str, session_id: int, speaker_id: int):
    """Take a speaker out of the session."""
    event, actor = writer(slug)
    session = _session(event, session_id)
    link = next((link for link in session.speakers if link.speaker_id == speaker_id), None)
    if link is None:
        abort(404, message=gettext("This speaker is not in this session."))
    speaker_services.unassign_speaker(link, actor=actor, event=event, now=utcnow())
    db.session.commit()
    db.session.expire(session, ["speakers"])
    return _result(session, program_services.session_conflicts(session))
