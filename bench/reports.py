"""Report generation at scale: an event with 50,000 registrations (groups, walk-ins, cancellations,
answers for city/region/country/organisation/consent), 44,000 check-ins, 200 sessions with
speakers, session check-ins and sign-ups, and 3,000 feedback responses. Measures the SQL
statements and time of `compute_figures` (the dashboard and report drafts), the same for a
5,000-registration event (the count must not change), the public report page render and the
PDF time, and the organiser's dashboard page with its cached figures against the same page
computing them afresh (reports.cache). In process, SQLite embedded mode; the /healthz-free in-process ratio is given against
a bare `select 1` round trip measured in the same run. Figures go to docs/benchmarks.md."""
from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]
FOLDER = Path(tempfile.mkdtemp(prefix="confapp-bench-reports-"))
os.environ.update(CONFAPP_INSTANCE=str(FOLDER), DATABASE_URL=f"sqlite:///{FOLDER / 'bench.db'}",
                  RATELIMIT_ENABLED="0", HUEY_SQLITE_FILE=str(FOLDER / "huey.db"), HUEY_IMMEDIATE="1")
for name in ("REDIS_URL", "CONFAPP_ENV"):
    os.environ.pop(name, None)

from sqlalchemy import event as sa_event, insert, select, text  # noqa: E402

CITIES = [f"City {i}" for i in range(120)] + ["Boston", "Chicago", "Baltimore"]
ORGS = [f"Organisation {i}" for i in range(900)]
START = datetime(2026, 12, 5, 14, 0, tzinfo=timezone.utc)


def build(app, n: int, sessions: int, slug: str):
    from confapp.accounts.services import create_user
    from confapp.checkin.models import CheckIn, CheckInList, ListKind
    from confapp.events import services as events
    from confapp.events.services import EventData
    from confapp.extensions import db
    from confapp.program.models import (ProgramSession, SessionKind, SessionSignup, SessionSpeaker, SessionStatus,
                                        Speaker)
    from confapp.registration.models import (Answer, Order, PaymentState, Question, QuestionKind, Registration,
                                             RegistrationCategory, RegistrationStatus)
    from confapp.reports.models import SessionRating, SurveyResponse

    rng = random.Random(n)
    admin = create_user(f"admin-{slug}@example.org", "Bench Admin", "bench-password-123", is_site_admin=True)
    event = events.create_event(EventData(title=f"Bench {slug}", slug=slug, starts_at=START, ends_at=START + timedelta(days=2),
                                          timezone="America/New_York", venue_name="Hall", capacity=n + 1000), actor=admin)
    events.publish_event(event, actor=admin)
    cats = [RegistrationCategory(event_id=event.id, name=name, position=i) for i, name in enumerate(("General", "Student", "Community", "Speaker"))]
    db.session.add_all(cats)
    keys = {"city": QuestionKind.SHORT_TEXT, "region": QuestionKind.SHORT_TEXT, "country": QuestionKind.COUNTRY,
            "organisation": QuestionKind.SHORT_TEXT, "consent_attendee_list": QuestionKind.CHECKBOX}
    questions = {k: Question(event_id=event.id, kind=kind, label=k, builtin_key=k) for k, kind in keys.items()}
    db.session.add_all(questions.values())
    db.session.flush()
    orders, regs = [], []
    rid = db.session.scalar(text("select coalesce(max(id), 0) from registrations")) + 1
    oid = db.session.scalar(text("select coalesce(max(id), 0) from orders")) + 1
    made = 0
    while made < n:
        size = 1 if rng.random() < 0.92 else rng.randint(2, 4)
        size = min(size, n - made)
        at = START - timedelta(days=rng.uniform(0, 90))
        paid = rng.choice([0, 5000, 5000, 15000])
        orders.append(dict(id=oid, event_id=event.id, code=f"{slug[:4]}{oid:09d}", buyer_name="Buyer", buyer_email=f"b{oid}@example.org",
                           subtotal_minor=paid * size, total_minor=paid * size, paid_minor=paid * size,
                           payment_state=PaymentState.PAID if paid else PaymentState.NOT_REQUIRED, created_at=at, updated_at=at))
        for _ in range(size):
            status = RegistrationStatus.CANCELLED if rng.random() < 0.04 else RegistrationStatus.CONFIRMED
            regs.append(dict(id=rid, event_id=event.id, order_id=oid, category_id=cats[rng.randrange(4)].id, status=status,
                             ticket_code=f"{slug[:4]}{rid:012d}", first_name="First", last_name=f"Last{rid}", email=f"p{rid}@example.org",
                             is_walk_in=rng.random() < 0.02, created_at=at, confirmed_at=at))
            rid += 1
        oid += 1
        made += size
    db.session.execute(insert(Order), orders)
    db.session.execute(insert(Registration), regs)
    answers = []
    for r in regs:
        city = rng.choice(CITIES)
        answers += [dict(registration_id=r["id"], question_id=questions["city"].id, value=city),
                    dict(registration_id=r["id"], question_id=questions["region"].id, value=f"Region {hash(city) % 30}"),
                    dict(registration_id=r["id"], question_id=questions["country"].id, value=rng.choice(["US", "US", "US", "CA", "MX", "BR"])),
                    dict(registration_id=r["id"], question_id=questions["organisation"].id, value=rng.choice(ORGS)),
                    dict(registration_id=r["id"], question_id=questions["consent_attendee_list"].id, value=rng.choice(["yes", ""]))]
    db.session.execute(insert(Answer), answers)
    door = CheckInList(event_id=event.id, name="Main", kind=ListKind.MAIN, created_at=START)
    db.session.add(door)
    progs = [ProgramSession(event_id=event.id, title=f"Session {i}", kind=SessionKind.PANEL, status=SessionStatus.PUBLISHED,
                            starts_at=START + timedelta(minutes=30 * (i % 40)), ends_at=START + timedelta(minutes=30 * (i % 40) + 60))
             for i in range(sessions)]
    db.session.add_all(progs)
    speakers = [Speaker(event_id=event.id, name=f"Speaker {i}", email=f"s{i}-{slug}@example.org") for i in range(sessions)]
    db.session.add_all(speakers)
    db.session.flush()
    db.session.execute(insert(SessionSpeaker), [dict(session_id=p.id, speaker_id=speakers[(i + k) % sessions].id, position=k)
                                                for i, p in enumerate(progs) for k in range(2)])
    lists = [CheckInList(event_id=event.id, name=f"S{p.id}", kind=ListKind.SESSION, program_session_id=p.id, created_at=START)
             for p in progs[: sessions // 2]]
    db.session.add_all(lists)
    db.session.flush()
    confirmed = [r for r in regs if r["status"] == RegistrationStatus.CONFIRMED]
    came = [r for r in confirmed if rng.random() < 0.9]
    checkins = [dict(event_id=event.id, list_id=door.id, registration_id=r["id"],
                     checked_in_at=START + timedelta(minutes=rng.gammavariate(2, 30))) for r in came]
    for lst in lists:
        for r in rng.sample(came, min(60, len(came))):
            checkins.append(dict(event_id=event.id, list_id=lst.id, registration_id=r["id"], checked_in_at=START + timedelta(hours=3)))
    db.session.execute(insert(CheckIn), checkins)
    db.session.execute(insert(SessionSignup), [dict(session_id=p.id, registration_id=r["id"], created_at=START)
                                               for p in progs[sessions // 2:] for r in rng.sample(confirmed, min(30, len(confirmed)))])
    responses = [dict(event_id=event.id, respondent_key=f"{slug}-{i}", overall_rating=rng.randint(1, 5), comment="",
                      created_at=START + timedelta(days=3)) for i in range(n * 3 // 50)]
    db.session.execute(insert(SurveyResponse), responses)
    first = db.session.scalar(select(SurveyResponse.id).where(SurveyResponse.event_id == event.id).order_by(SurveyResponse.id))
    db.session.execute(insert(SessionRating), [dict(response_id=first + i, session_id=progs[(i * 7 + k) % sessions].id, rating=rng.randint(1, 5))
                                               for i in range(len(responses)) for k in range(3)])
    db.session.commit()
    return event, admin


def measure(app, event, runs: int = 5):
    from confapp.extensions import db
    from confapp.reports.queries import compute_figures

    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    compute_figures(event)
    sa_event.remove(db.engine, "before_cursor_execute", count)
    timings = []
    for _ in range(runs):
        db.session.expire_all()
        started = time.perf_counter()
        figures = compute_figures(event)
        timings.append(time.perf_counter() - started)
    return len(statements), statistics.median(timings), figures


def dashboard(app, event, admin, runs: int = 5):
    """The dashboard page through the test client: computing the figures (cached copy deleted
    first) against reading the cached copy; and the statements of a cached view."""
    from confapp.extensions import db
    from confapp.reports.models import FiguresCache

    app.config["WTF_CSRF_ENABLED"] = False  # the bench's own client logs in with a plain POST
    client = app.test_client()
    login = client.post("/account/login", data={"email": admin.email, "password": "bench-password-123"})
    assert login.status_code == 302, login.status_code
    url = f"/manage/{event.slug}/dashboard"

    def timed_get():
        started = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200 and b"Figures as of" in response.data, response.status_code
        return time.perf_counter() - started

    fresh = []
    for _ in range(3):
        db.session.execute(FiguresCache.__table__.delete())
        db.session.commit()
        fresh.append(timed_get())
    cached = [timed_get() for _ in range(runs)]
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    timed_get()
    sa_event.remove(db.engine, "before_cursor_execute", count)
    return statistics.median(fresh), statistics.median(cached), len(statements)


def main() -> None:
    from flask_migrate import upgrade

    from confapp import create_app
    from confapp.extensions import db
    from confapp.reports import services
    from confapp.reports.exports import to_pdf
    from confapp.reports.presenting import report_view

    app = create_app()
    with app.app_context():
        upgrade()
        t0 = time.perf_counter()
        big, admin = build(app, 50_000, 200, "bench-big")
        small, _ = build(app, 5_000, 200, "bench-small")
        build_s = time.perf_counter() - t0
        bare = []
        for _ in range(200):
            started = time.perf_counter()
            db.session.execute(text("select 1"))
            bare.append(time.perf_counter() - started)
        bare_ms = statistics.median(bare) * 1000
        q_big, t_big, figures = measure(app, big)
        q_small, t_small, _ = measure(app, small)
        dash_fresh, dash_cached, dash_statements = dashboard(app, big, admin)
        report = services.start_report(big, actor=admin)
        services.publish_report(report, actor=admin, now=big.ends_at + timedelta(days=1))
        db.session.commit()
        client = app.test_client()
        page_times = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(f"/e/{big.slug}/report")
            page_times.append(time.perf_counter() - started)
            assert response.status_code == 200
        with app.test_request_context():
            pdf_times = []
            for _ in range(3):
                started = time.perf_counter()
                pdf = to_pdf(report_view(big, report, public=True, published=True))
                pdf_times.append(time.perf_counter() - started)
        h = figures["headline"]
        print(f"load average before measuring: {os.getloadavg()[0]:.1f} (2 cores)")
        print(f"data built in {build_s:.1f} s: 50,000 + 5,000 registrations, 200 sessions each")
        print(f"headline (50k): registered {h['registered']:,}, attended {h['attended']:,}, cities {h['cities']}, "
              f"organisations {h['organisations']}, sessions {h['sessions']}, speakers {h['speakers']}")
        print(f"compute_figures, 50,000 registrations: {q_big} SQL statements, median {t_big * 1000:.0f} ms "
              f"(= {t_big * 1000 / bare_ms:,.0f} x a bare 'select 1' of {bare_ms:.3f} ms)")
        print(f"compute_figures,  5,000 registrations: {q_small} SQL statements, median {t_small * 1000:.0f} ms")
        print(f"dashboard page (50k), figures computed: median {dash_fresh * 1000:,.0f} ms; from the cached copy: "
              f"median {dash_cached * 1000:.0f} ms, {dash_statements} SQL statements")
        print(f"public report page (published snapshot, 50k): median {statistics.median(page_times) * 1000:.0f} ms")
        print(f"public report PDF (WeasyPrint, {len(pdf) // 1024} KB): median {statistics.median(pdf_times):.2f} s")
        assert q_big == q_small, "the number of statements must not grow with the event"


if __name__ == "__main__":
    main()
