"""Read side of the programme: the public agenda, the organiser's timetable grid, speaker
pages and feeds. Each loads what its page needs in a fixed number of queries."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import defer, joinedload, selectinload

from ..events.models import Event, EventStatus
from ..extensions import db
from .conflicts import ConflictWarning, compute_conflicts
from .models import (ParticipationStatus, ProgramSession, Room, SessionKind, SessionSignup, SessionSpeaker,
                     SessionStar, SessionStatus, Speaker, Track)

PUBLIC_FILTER = or_(
    ProgramSession.status == SessionStatus.PUBLISHED,
    and_(ProgramSession.status == SessionStatus.CANCELLED, ProgramSession.first_published_at.is_not(None)),
)


def _with_people(query):
    return query.options(
        joinedload(ProgramSession.room), joinedload(ProgramSession.track),
        selectinload(ProgramSession.speakers).joinedload(SessionSpeaker.speaker),
    )


def _for_agenda(query):
    """Like _with_people, without the long text columns the agenda list never shows."""
    return query.options(
        defer(ProgramSession.description), defer(ProgramSession.accessibility),
        joinedload(ProgramSession.room).load_only(Room.id, Room.name, Room.position),
        joinedload(ProgramSession.track),
        selectinload(ProgramSession.speakers).joinedload(SessionSpeaker.speaker).load_only(
            Speaker.id, Speaker.name, Speaker.affiliation),
    )


def public_speakers_of(session: ProgramSession) -> list[SessionSpeaker]:
    return [link for link in session.speakers if link.status != ParticipationStatus.DECLINED]


@dataclass
class AgendaDay:
    day: date
    sessions: list[ProgramSession] = field(default_factory=list)


@dataclass
class Agenda:
    event: Event
    days: list[AgendaDay]
    tracks: list[Track]
    signups: dict[int, int]
    track_id: int | None = None
    kind: str | None = None


def _group_by_day(event: Event, sessions) -> list[AgendaDay]:
    days: dict[date, AgendaDay] = {}
    for s in sessions:
        day = s.starts_at.astimezone(event.tz).date()
        days.setdefault(day, AgendaDay(day)).sessions.append(s)
    return list(days.values())


def public_agenda(event: Event, *, track_id: int | None = None, kind: str | None = None,
                  signups: dict[int, int] | None = None) -> Agenda:
    """Published (and cancelled-after-publishing) sessions by local day: four queries (three with
    the sign-up counts given, as the agenda page has read them for its tag)."""
    query = select(ProgramSession).where(
        ProgramSession.event_id == event.id, PUBLIC_FILTER, ProgramSession.starts_at.is_not(None))
    if track_id:
        query = query.where(ProgramSession.track_id == track_id)
    if kind in SessionKind.__members__.values():
        query = query.where(ProgramSession.kind == kind)
    query = _for_agenda(query).outerjoin(Room, ProgramSession.room_id == Room.id).order_by(
        ProgramSession.starts_at, Room.position, ProgramSession.id)
    sessions = db.session.scalars(query).unique().all()
    tracks = db.session.scalars(select(Track).where(Track.event_id == event.id).order_by(Track.position, Track.name)).all()
    signups = signup_counts(event.id) if signups is None else signups
    return Agenda(event, _group_by_day(event, sessions), list(tracks), signups,
                  track_id=track_id, kind=kind)


def signup_counts(event_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(SessionSignup.session_id, func.count()).join(ProgramSession, ProgramSession.id == SessionSignup.session_id)
        .where(ProgramSession.event_id == event_id).group_by(SessionSignup.session_id))
    return {session_id: count for session_id, count in rows}


def public_session(event: Event, uid: str) -> ProgramSession | None:
    return db.session.scalars(_with_people(select(ProgramSession).where(
        ProgramSession.event_id == event.id, ProgramSession.uid == uid, PUBLIC_FILTER))).unique().first()


def public_speakers(event: Event) -> list[Speaker]:
    """Speakers with at least one public session they have not declined, by name."""
    visible = select(SessionSpeaker.speaker_id).join(ProgramSession).where(
        ProgramSession.event_id == event.id, ProgramSession.status == SessionStatus.PUBLISHED,
        SessionSpeaker.status != ParticipationStatus.DECLINED)
    return list(db.session.scalars(
        select(Speaker).where(Speaker.event_id == event.id, Speaker.id.in_(visible)).order_by(Speaker.name)))


def speaker_sessions(speaker: Speaker, *, public: bool) -> list[ProgramSession]:
    query = select(ProgramSession).join(SessionSpeaker).where(SessionSpeaker.speaker_id == speaker.id)
    if public:
        query = query.where(PUBLIC_FILTER, SessionSpeaker.status != ParticipationStatus.DECLINED)
    return list(db.session.scalars(_with_people(query).order_by(ProgramSession.starts_at)).unique())


def public_speaker(event: Event, speaker_id: int) -> Speaker | None:
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None or speaker.event_id != event.id:
        return None
    return speaker if speaker_sessions(speaker, public=True) else None


@dataclass
class Appearance:
    event_title: str
    event_slug: str
    speaker_id: int


def other_appearances(speaker: Speaker) -> list[Appearance]:
    """The same person (same email) speaking at other published or archived events."""
    if not speaker.email:
        return []
    rows = db.session.execute(
        select(Event.title, Event.slug, Speaker.id).join(Speaker, Speaker.event_id == Event.id)
        .where(Speaker.email == speaker.email, Speaker.id != speaker.id,
               Event.status.in_([EventStatus.PUBLISHED, EventStatus.ARCHIVED]))
        .order_by(Event.starts_at.desc()))
    return [Appearance(*row) for row in rows]


def starred_session_ids(registration_id: int) -> set[int]:
    return set(db.session.scalars(select(SessionStar.session_id).where(SessionStar.registration_id == registration_id)))


def signed_up_session_ids(registration_id: int) -> set[int]:
    return set(db.session.scalars(select(SessionSignup.session_id).where(SessionSignup.registration_id == registration_id)))


def starred_sessions(registration) -> list[ProgramSession]:
    return list(db.session.scalars(_with_people(
        select(ProgramSession).join(SessionStar, SessionStar.session_id == ProgramSession.id)
        .where(SessionStar.registration_id == registration.id, PUBLIC_FILTER)
        .order_by(ProgramSession.starts_at))).unique())


def feed_sessions(event: Event) -> list[ProgramSession]:
    return list(db.session.scalars(_with_people(select(ProgramSession).where(
        ProgramSession.event_id == event.id, PUBLIC_FILTER, ProgramSession.starts_at.is_not(None))
        .order_by(ProgramSession.starts_at))).unique())


# --- organiser side --------------------------------------------------------------------------

SLOT = timedelta(minutes=15)


@dataclass
class GridCell:
    session: ProgramSession | None = None
    rowspan: int = 1
    covered: bool = False


@dataclass
class GridRow:
    at: datetime  # local
    cells: list[GridCell]


@dataclass
class TimetableDay:
    day: date
    rows: list[GridRow]
    overlapping: list[ProgramSession]


@dataclass
class Timetable:
    event: Event
    rooms: list[Room]
    tracks: list[Track]
    speakers: list[Speaker]
    days: list[TimetableDay]
    unscheduled: list[ProgramSession]
    unroomed: list[ProgramSession]
    sessions: list[ProgramSession]
    warnings: dict[int, list[ConflictWarning]]
    signups: dict[int, int]

    @property
    def warning_count(self) -> int:
        return sum(len(w) for w in self.warnings.values())


def rooms_of(event: Event) -> list[Room]:
    return list(db.session.scalars(select(Room).where(Room.event_id == event.id).order_by(Room.position, Room.name)))


def tracks_of(event: Event) -> list[Track]:
    return list(db.session.scalars(select(Track).where(Track.event_id == event.id).order_by(Track.position, Track.name)))


def speakers_of(event: Event) -> list[Speaker]:
    return list(db.session.scalars(select(Speaker).where(Speaker.event_id == event.id).options(
        selectinload(Speaker.sessions).joinedload(SessionSpeaker.session)).order_by(Speaker.name)))


def event_days(event: Event) -> list[date]:
    first, last = event.local(event.starts_at).date(), event.local(event.ends_at).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _floor(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def _grid_for_day(event: Event, day: date, rooms: list[Room], sessions: list[ProgramSession]) -> TimetableDay:
    tz = event.tz
    starts = [s.starts_at.astimezone(tz) for s in sessions]
    ends = [s.ends_at.astimezone(tz) for s in sessions]
    first = min([datetime.combine(day, time(9, 0), tz)] + [_floor(t) for t in starts])
    last = max([datetime.combine(day, time(17, 0), tz)] + [min(e, datetime.combine(day, time(23, 59), tz)) for e in ends])
    slots = []
    moment = first
    while moment < last:
        slots.append(moment)
        moment += SLOT
    index = {slot: i for i, slot in enumerate(slots)}
    columns = {room.id: c for c, room in enumerate(rooms)}
    grid = [[GridCell() for _ in rooms] for _ in slots]
    overlapping = []
    for s in sorted(sessions, key=lambda s: s.starts_at):
        row = index.get(_floor(s.starts_at.astimezone(tz)))
        column = columns.get(s.room_id)
        end = min(s.ends_at.astimezone(tz), last)
        span = max(1, -(-int((end - slots[row]).total_seconds()) // int(SLOT.total_seconds()))) if row is not None else 0
        if row is None or column is None or any(
                grid[r][column].session or grid[r][column].covered for r in range(row, min(row + span, len(slots)))):
            overlapping.append(s)
            continue
        grid[row][column] = GridCell(session=s, rowspan=span)
        for r in range(row + 1, min(row + span, len(slots))):
            grid[r][column].covered = True
    return TimetableDay(day, [GridRow(slot, cells) for slot, cells in zip(slots, grid)], overlapping)


def timetable(event: Event) -> Timetable:
    """The organiser's day × room grid, with every conflict warning: five queries."""
    rooms, tracks = rooms_of(event), tracks_of(event)
    sessions = list(db.session.scalars(_with_people(select(ProgramSession).where(ProgramSession.event_id == event.id))
                                       .order_by(ProgramSession.starts_at, ProgramSession.id)).unique())
    speakers = list(db.session.scalars(select(Speaker).where(Speaker.event_id == event.id).order_by(Speaker.name)))
    warnings = compute_conflicts(event, sessions)
    by_day: dict[date, list[ProgramSession]] = defaultdict(list)
    unscheduled, unroomed = [], []
    for s in sessions:
        if not s.is_scheduled:
            unscheduled.append(s)
        elif s.room_id is None:
            unroomed.append(s)
        elif s.status != SessionStatus.CANCELLED:
            by_day[s.starts_at.astimezone(event.tz).date()].append(s)
    days = sorted(set(event_days(event)) | set(by_day))
    grid = [_grid_for_day(event, day, rooms, by_day.get(day, [])) for day in days] if rooms else []
    return Timetable(event, rooms, tracks, speakers, grid, unscheduled, unroomed, sessions, warnings,
                     signup_counts(event.id))


def session_for_event(event: Event, session_id: int) -> ProgramSession | None:
    session = db.session.scalars(_with_people(select(ProgramSession).where(
        ProgramSession.id == session_id, ProgramSession.event_id == event.id))).unique().first()
    return session


def speaker_for_event(event: Event, speaker_id: int) -> Speaker | None:
    speaker = db.session.get(Speaker, speaker_id)
    return speaker if speaker is not None and speaker.event_id == event.id else None
