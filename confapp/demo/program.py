"""Demo programmes: the two-day 2016 PHRGE Institute, the Jackson 2018 convening, and the
upcoming PHRGE edition (its structure copied from 2016 by the programme's copy hook, then
published with speakers) so attendees can star sessions and sign up for workshops.

Speaker names are invented; their organisations are the universities and city networks that
take part in these convenings.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..extensions import db
from ..program import services
from ..program.attendance import star_session
from ..program.models import ParticipationStatus, ProgramSession, SessionKind, SessionSpeaker, Track
from ..program.services import RoomData, SessionData, TrackData
from ..program.speakers import SpeakerData, assign_speaker, create_speaker
from . import DemoContext

P, W, PL, R, B, S = (SessionKind.PANEL, SessionKind.WORKSHOP, SessionKind.PLENARY, SessionKind.ROUNDTABLE,
                     SessionKind.BREAK, SessionKind.SOCIAL)

PHRGE_ROOMS = [
    ("Dockser Hall", 180, "Step-free entrance; hearing loop; CART captioning on the screen.", None, None),
    ("Cargill Hall 097", 40, "Step-free; movable seating.", time(8, 0), time(18, 0)),
    ("Knowles 530", 30, "Elevator to the fifth floor; accessible restroom on the same floor.", time(8, 0), time(17, 0)),
    ("Atrium", 200, "Step-free; seating along the windows.", None, None),
]
PHRGE_TRACKS = [("Local government", "#1d4e89"), ("Advocacy and organising", "#8a3b12"),
                ("Law and policy", "#2e6b30"), ("Skills workshops", "#f2c94c")]

# The bilingual edition's tracks in Spanish (issue 13).
PHRGE_TRACKS_ES = {"Local government": "Gobierno local", "Advocacy and organising": "Incidencia y organización",
                   "Law and policy": "Derecho y políticas públicas", "Skills workshops": "Talleres de habilidades"}

PHRGE_SPEAKERS = {
    "marsh": ("Helen Marsh", "she/her", "Northeastern University School of Law", "Boston",
              "Professor of law and co-director of the Program on Human Rights and the Global Economy."),
    "osei": ("Daniel Osei", "he/him", "Program on Human Rights and the Global Economy, Northeastern", "Boston",
             "Coordinates PHRGE's work with cities adopting human rights frameworks."),
    "raman": ("Priya Raman", "she/her", "Human Rights Institute, Columbia Law School", "New York",
              "Works with local governments on human rights impact assessment and treaty reporting."),
    "whitfield": ("Caroline Whitfield", "she/her", "Columbia Law School", "New York",
                  "Teaches the human rights clinic and advises city human rights commissions."),
    "bell": ("Marcus Bell", "he/him", "Boston University School of Law", "Boston",
             "Directs BU Law's civil litigation and justice programme."),
    "ferreira": ("Ana Ferreira", "she/her", "Boston University School of Social Work", "Boston",
                 "Researches participatory budgeting and community organising."),
    "gallagher": ("Tom Gallagher", "he/him", "Pittsburgh Human Rights City Alliance", "Pittsburgh",
                  "Organiser with the alliance that made Pittsburgh a human rights city in 2011."),
    "kowalski": ("Lena Kowalski", "she/her", "University of Pittsburgh", "Pittsburgh",
                 "Sociologist studying human rights cities and social movements."),
    "abernathy": ("Ruth Abernathy", "she/her", "Eugene Human Rights Commission", "Eugene",
                  "Chairs the commission that publishes Eugene's annual human rights report."),
    "ortiz": ("Samuel Ortiz", "he/him", "City of Eugene, Office of Human Rights and Neighborhood Involvement", "Eugene",
              "Leads the city's human rights and equity work."),
    "carter": ("Denise Carter", "she/her", "DC Office of Human Rights", "Washington DC",
               "Oversees Washington DC's human rights city commitments."),
    "moreno": ("Alicia Moreno", "she/they", "US Human Rights Network", "Atlanta",
               "Supports grassroots groups using human rights in the United States."),
    "whitaker": ("James Whitaker", "he/him", "U.S. Department of State, Bureau of Democracy, Human Rights and Labor", "Washington DC",
                 "Works on US reporting to UN treaty bodies."),
    "lindqvist": ("Nora Lindqvist", "she/her", "U.S. Department of Justice, Civil Rights Division", "Washington DC",
                  "Works with state and local partners on civil rights enforcement."),
    "lin": ("Grace Lin", "she/her", "Massachusetts Law Reform Institute", "Boston",
            "Housing and water rights advocate."),
}

# (day, start, end, title, kind, room index, track index, capacity, [(speaker, role)])
PHRGE_SESSIONS = [
    (0, "08:30", "09:00", "Registration and breakfast", B, 3, None, None, []),
    (0, "09:00", "09:30", "Welcome and opening remarks", PL, 0, None, None, [("marsh", "presenter")]),
    (0, "09:30", "10:45", "Global Justice Goes Local: what makes a human rights city?", PL, 0, 0, None,
     [("kowalski", "keynote"), ("osei", "moderator")]),
    (0, "10:45", "11:00", "Coffee break", B, 3, None, None, []),
    (0, "11:00", "12:15", "Federal Government Perspectives", P, 0, 2, None,
     [("raman", "moderator"), ("whitaker", "panelist"), ("lindqvist", "panelist"), ("carter", "panelist")]),
    (0, "11:00", "12:30", "Human rights impact assessment for local policy", W, 1, 3, 30,
     [("whitfield", "facilitator")]),
    (0, "12:15", "13:15", "Lunch", B, 3, None, None, []),
    (0, "13:15", "14:30", "City networks: Pittsburgh, Eugene and Washington DC", P, 0, 0, None,
     [("moreno", "moderator"), ("gallagher", "panelist"), ("abernathy", "panelist"), ("carter", "panelist")]),
    (0, "13:15", "14:45", "Reporting to UN treaty bodies from the local level", W, 2, 3, 25,
     [("raman", "facilitator"), ("whitaker", "presenter")]),
    (0, "14:45", "16:00", "Law school clinics and human rights cities", R, 1, 2, None,
     [("bell", "moderator"), ("whitfield", "panelist"), ("marsh", "panelist")]),
    (0, "14:45", "16:00", "Housing and water as human rights", P, 0, 1, None,
     [("lin", "presenter"), ("ferreira", "panelist"), ("gallagher", "panelist")]),
    (0, "16:15", "17:00", "Day one reflections", PL, 0, None, None, [("osei", "moderator")]),
    (0, "17:00", "18:30", "Reception", S, 3, None, None, []),
    (1, "08:30", "09:00", "Breakfast", B, 3, None, None, []),
    (1, "09:00", "10:00", "Human rights budgeting: whose priorities?", PL, 0, 0, None,
     [("ferreira", "keynote"), ("marsh", "moderator")]),
    (1, "10:00", "11:15", "State and municipal perspectives", P, 0, 0, None,
     [("lindqvist", "moderator"), ("ortiz", "panelist"), ("abernathy", "panelist")]),
    (1, "10:00", "11:30", "Building a local human rights commission", W, 1, 3, 30,
     [("ortiz", "facilitator"), ("abernathy", "facilitator")]),
    (1, "11:30", "11:45", "Coffee break", B, 3, None, None, []),
    (1, "11:45", "13:00", "Youth organisers and human rights cities", R, 1, 1, None,
     [("moreno", "facilitator"), ("kowalski", "panelist")]),
    (1, "13:00", "14:00", "Lunch", B, 3, None, None, []),
    (1, "14:00", "15:15", "Human rights budgeting in practice", W, 2, 3, 25, [("ferreira", "facilitator")]),
    (1, "14:00", "15:15", "Criminal justice and local accountability", P, 0, 2, None,
     [("bell", "moderator"), ("lin", "panelist"), ("gallagher", "panelist")]),
    (1, "15:30", "16:30", "Next steps for the human rights cities movement", PL, 0, None, None,
     [("marsh", "moderator"), ("osei", "presenter"), ("carter", "panelist")]),
]

JACKSON_ROOMS = [("Student Center Ballroom", 250, "Ramps at the east entrance; Spanish interpretation by headset.", None, None),
                 ("Room 3213", 45, "Elevator to the third floor.", time(8, 0), time(18, 0)),
                 ("Room 3220", 45, "Elevator to the third floor.", time(8, 0), time(18, 0))]
JACKSON_TRACKS = [("Economic democracy", "#12562b"), ("Participatory budgeting", "#6a3d9a"), ("Accountability", "#b3261e")]
JACKSON_SPEAKERS = {
    "asante": ("Kwame Asante", "he/him", "Cooperation Jackson", "Jackson", "Builds worker cooperatives in West Jackson."),
    "hollis": ("Denise Hollis", "she/her", "City of Jackson, Office of the Mayor", "Jackson",
               "Leads the city's participatory budgeting pilot."),
    "gallagher": PHRGE_SPEAKERS["gallagher"],
    "moreno": PHRGE_SPEAKERS["moreno"],
    "rivera": ("Tomás Rivera", "he/him", "Boston University School of Law", "Boston",
               "Works on municipal accountability and local human rights reporting."),
    "yates": ("Carla Yates", "she/her", "Mississippi Center for Justice", "Jackson", "Civil rights lawyer."),
}
JACKSON_SESSIONS = [
    (0, "09:00", "10:00", "Opening plenary: building human rights cities from the ground up", PL, 0, None, None,
     [("hollis", "keynote"), ("moreno", "moderator")]),
    (0, "10:15", "11:30", "Economic democracy and cooperative development", P, 0, 0, None,
     [("asante", "presenter"), ("gallagher", "panelist")]),
    (0, "10:15", "11:45", "Participatory budgeting 101", W, 1, 1, 40, [("hollis", "facilitator")]),
    (0, "11:45", "12:45", "Lunch", B, 0, None, None, []),
    (0, "13:00", "14:15", "Holding local government accountable", R, 2, 2, None,
     [("yates", "moderator"), ("rivera", "panelist")]),
    (0, "18:00", "20:00", "Community dinner at the Chokwe Lumumba Center", S, None, None, None, []),
    (1, "09:00", "10:15", "Human rights reporting for cities", W, 1, 2, 40, [("rivera", "facilitator")]),
    (1, "10:30", "11:45", "Alliance strategy session", R, 0, None, None, [("moreno", "facilitator"), ("asante", "panelist")]),
    (2, "10:00", "12:00", "Closing plenary and next host city", PL, 0, None, None, [("moreno", "moderator")]),
]


def _clock(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def _build(event, admin, rooms_spec, tracks_spec, speakers_spec, sessions_spec, now, *, publish=True):
    rooms = [services.save_room(event, RoomData(name=n, capacity=c, accessibility=a, available_from=f, available_until=u,
                                                position=i), actor=admin, now=now)
             for i, (n, c, a, f, u) in enumerate(rooms_spec)]
    tracks = [services.save_track(event, TrackData(name=n, colour=c, position=i), actor=admin, now=now)
              for i, (n, c) in enumerate(tracks_spec)]
    speakers = _speakers(event, admin, speakers_spec, now)
    first_day = event.local(event.starts_at).date()
    for day, start, end, title, kind, room, track, capacity, people in sessions_spec:
        date = first_day + timedelta(days=day)
        session, _ = services.create_session(event, SessionData(
            title=title, kind=kind, starts_at=datetime.combine(date, _clock(start), event.tz),
            ends_at=datetime.combine(date, _clock(end), event.tz),
            room_id=rooms[room].id if room is not None else None, track_id=tracks[track].id if track is not None else None,
            capacity=capacity, description=_description(title, kind),
            interpretation="Spanish interpretation by headset" if kind == PL else ""), actor=admin, now=now)
        for key, role in people:
            assign_speaker(session, speakers[key], role, actor=admin, event=event, now=now)
    if publish:
        services.publish_programme(event, actor=admin, acknowledge_warnings=True, now=now)
    return speakers


def _speakers(event, admin, spec, now):
    speakers = {}
    for key, (name, pronouns, affiliation, city, bio) in spec.items():
        email = f"{key}.speaker@confapp.example"
        speakers[key] = create_speaker(event, SpeakerData(name=name, email=email, pronouns=pronouns, affiliation=affiliation,
                                                          city=city, bio=bio), actor=admin, now=now)
    return speakers


def _description(title: str, kind: SessionKind) -> str:
    if kind in (B, S):
        return ""
    return {
        PL: f"A plenary for everyone at the institute: **{title.lower()}**.",
        P: "Panellists share what has worked, what has not, and what they would do differently. Questions from the floor.",
        W: "A hands-on workshop in small groups. Places are limited: sign up from your personal agenda.",
        R: "An open roundtable: bring your own experience and questions.",
    }[kind]


def _confirm_all(event) -> None:
    links = db.session.scalars(select(SessionSpeaker).join(ProgramSession).where(ProgramSession.event_id == event.id))
    for link in links:
        link.status = ParticipationStatus.CONFIRMED


def load(ctx: DemoContext) -> None:
    admin, now = ctx.users["admin"], ctx.now
    phrge_2016, jackson, phrge_next = ctx.events["phrge_2016"], ctx.events["jackson_2018"], ctx.events["phrge_next"]
    _build(phrge_2016, admin, PHRGE_ROOMS, PHRGE_TRACKS, PHRGE_SPEAKERS, PHRGE_SESSIONS, now)
    _confirm_all(phrge_2016)
    _build(jackson, admin, JACKSON_ROOMS, JACKSON_TRACKS, JACKSON_SPEAKERS, JACKSON_SESSIONS, now)
    _confirm_all(jackson)

    # The next edition: the copy hook brings rooms, tracks and sessions as drafts (no speakers);
    # the organisers then invite this year's speakers (linked to past years by email) and publish.
    services.copy_programme(phrge_2016, phrge_next, phrge_next.starts_at - phrge_2016.starts_at)
    speakers = _speakers(phrge_next, admin, {k: PHRGE_SPEAKERS[k] for k in
                                             ("marsh", "osei", "raman", "gallagher", "carter", "whitaker", "ferreira", "moreno")}, now)
    sessions = {s.title: s for s in db.session.scalars(select(ProgramSession).where(ProgramSession.event_id == phrge_next.id))}
    for day, start, end, title, kind, room, track, capacity, people in PHRGE_SESSIONS:
        for key, role in people:
            if key in speakers and title in sessions:
                assign_speaker(sessions[title], speakers[key], role, actor=admin, event=phrge_next, now=now)
    for track in db.session.scalars(select(Track).where(Track.event_id == phrge_next.id)):
        if track.name in PHRGE_TRACKS_ES:
            track.translations = {"es": {"name": PHRGE_TRACKS_ES[track.name]}}
    services.publish_programme(phrge_next, actor=admin, acknowledge_warnings=True, now=now)
    # A draft waiting for review, so organisers see both states in the timetable.
    services.create_session(phrge_next, SessionData(title="Film screening: Bringing Human Rights Home", kind=S),
                            actor=admin, now=now)
    registration = _star_for_registered(phrge_next, sessions, now)
    ctx.extra["program_speakers_next"] = speakers
    _print_links(ctx, phrge_next, speakers["raman"], registration)


def _star_for_registered(event, sessions, now) -> None:
    """If earlier demo steps registered attendees, give the first few a starred session."""
    from ..registration.models import ACTIVE_STATUSES, Registration

    registrations = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES)).order_by(Registration.id).limit(5))
    plenary = sessions.get("Global Justice Goes Local: what makes a human rights city?")
    first = None
    for registration in registrations:
        first = first or registration
        if plenary is not None:
            star_session(plenary, registration, now=now)
    return first


def _print_links(ctx: DemoContext, event, speaker, registration) -> None:
    from ..program.tokens import attendee_token, speaker_token
    from ..urls import external_url

    notes = ctx.extra.setdefault("notes", [])
    notes.append("Programme: speaker self-service link for %s (%s):\n  %s" % (
        speaker.name, event.slug, external_url("program.speaker_portal", slug=event.slug, token=speaker_token(speaker))))
    if registration is not None:
        from ..registration.links import self_service_url

        notes.append("Registration: ticket and self-service page of %s (answers, receipt, cancel):\n  %s" % (
            registration.first_name, self_service_url(registration, event)))
        notes.append("Programme: personal agenda of %s (star sessions, workshop sign-ups):\n  %s" % (
            registration.first_name, external_url("program.attendee_agenda", slug=event.slug, token=attendee_token(registration))))
    notes.append("  (later: flask program agenda-link <event> <email>, flask program speaker-link <event> <email>)")
