"""Reading other domains' tables (check-in, programme) for the report, one query each."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ..checkin.models import CheckIn, CheckInList, ListKind
from ..events.content_languages import translations_of as translated
from ..events.models import Event
from ..extensions import db
from ..program.models import ParticipationStatus, ProgramSession, SessionKind, SessionSignup, SessionSpeaker, SessionStatus
from ..registration.models import Registration, RegistrationStatus


def checkin_rows(event: Event) -> list[tuple[int, datetime]]:
    """(registration id, first arrival) for everyone admitted through a main entrance and not undone."""
    return db.session.execute(
        select(CheckIn.registration_id, func.min(CheckIn.checked_in_at))
        .join(CheckInList, CheckInList.id == CheckIn.list_id)
        .where(CheckIn.event_id == event.id, CheckIn.reverted_at.is_(None), CheckInList.kind == ListKind.MAIN)
        .group_by(CheckIn.registration_id)
    ).all()


def checkin_rows_for(registration) -> bool:
    """Whether this person came in through a main entrance (a check-in not undone)."""
    return db.session.scalar(
        select(CheckIn.id).join(CheckInList, CheckInList.id == CheckIn.list_id).where(
            CheckIn.registration_id == registration.id, CheckIn.reverted_at.is_(None), CheckInList.kind == ListKind.MAIN
        ).limit(1)
    ) is not None


def attended_registrations(event: Event) -> list:
    """Confirmed registrations checked in at a main entrance, with one query."""
    came = select(CheckIn.registration_id).join(CheckInList, CheckInList.id == CheckIn.list_id).where(
        CheckIn.event_id == event.id, CheckIn.reverted_at.is_(None), CheckInList.kind == ListKind.MAIN
    )
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
                                   Registration.id.in_(came)).order_by(Registration.id)
    ))


def session_checkins(event: Event) -> dict[int, int]:
    """Programme session id -> people checked in through that session's list."""
    return dict(
        db.session.execute(
            select(CheckInList.program_session_id, func.count(func.distinct(CheckIn.registration_id)))
            .join(CheckIn, CheckIn.list_id == CheckInList.id)
            .where(
                CheckInList.event_id == event.id,
                CheckInList.kind == ListKind.SESSION,
                CheckInList.program_session_id.is_not(None),
                CheckIn.reverted_at.is_(None),
            )
            .group_by(CheckInList.program_session_id)
        ).all()
    )


def session_rows(event: Event) -> tuple[list[dict], int]:
    """Published sessions (not breaks) with their attendance, and the number of distinct speakers
    who did not decline. Attendance is the session's check-ins where a session list was used,
    otherwise its sign-ups. Four queries."""
    sessions = db.session.execute(
        select(ProgramSession.id, ProgramSession.title, ProgramSession.starts_at, ProgramSession.kind,
               ProgramSession.translations)
        .where(
            ProgramSession.event_id == event.id,
            ProgramSession.status == SessionStatus.PUBLISHED,
            ProgramSession.kind != SessionKind.BREAK,
        )
        .order_by(ProgramSession.starts_at, ProgramSession.id)
    ).all()
    ids = [row.id for row in sessions]
    speaking = db.session.execute(
        select(SessionSpeaker.session_id, SessionSpeaker.speaker_id).where(
            SessionSpeaker.session_id.in_(ids), SessionSpeaker.status != ParticipationStatus.DECLINED
        )
    ).all()
    signups = dict(
        db.session.execute(
            select(SessionSignup.session_id, func.count()).where(SessionSignup.session_id.in_(ids))
            .group_by(SessionSignup.session_id)
        ).all()
    )
    checked_in = session_checkins(event)
    per_session: dict[int, int] = {}
    for session_id, _speaker_id in speaking:
        per_session[session_id] = per_session.get(session_id, 0) + 1
    rows = []
    for row in sessions:
        from_checkins = row.id in checked_in
        rows.append({
            "id": row.id,
            "title": row.title,
            "titles": translated(row.translations, "title"),
            "kind": row.kind.value,
            "starts": row.starts_at.astimezone(event.tz).strftime("%Y-%m-%d %H:%M") if row.starts_at else "",
            "speakers": per_session.get(row.id, 0),
            "attendance": checked_in[row.id] if from_checkins else signups.get(row.id),
            "attendance_source": "check-ins" if from_checkins else ("sign-ups" if row.id in signups else ""),
        })
    return rows, len({speaker_id for _, speaker_id in speaking})
