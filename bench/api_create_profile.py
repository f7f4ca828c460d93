"""CPU and statements per API order create, in process (issue 16): no server, no load, one core.

bench/api_orders.py measures the create beside pretix under load and needs the whole machine;
this script measures what one create costs the process, so a change to place_order or the API's
create can be judged on a busy machine: ms of CPU (time.process_time, which other processes'
work does not move) and SQL statements per create, through app.test_client() on embedded SQLite
(a migrated file database, as the shipped setup), with bench/api_orders.py's order: one attendee
in a 10.00 category, paid elsewhere, no email, an Idempotency-Key per order, 2,000 orders there.

    PYTHONPATH=$PWD .venv/bin/python bench/api_create_profile.py          # 300 creates
    ORDERS=300 PROFILE=1 PYTHONPATH=$PWD .venv/bin/python bench/api_create_profile.py   # + cProfile top 35
    (PROFILE=/tmp/x.prof also writes the profile there)
"""
from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]
FOLDER = Path(tempfile.mkdtemp(prefix="confapp-bench-api-create-"))
os.environ.update(CONFAPP_INSTANCE=str(FOLDER), DATABASE_URL=f"sqlite:///{FOLDER / 'bench.db'}", RATELIMIT_ENABLED="0",
                  HUEY_SQLITE_FILE=str(FOLDER / "huey.db"))
for name in ("REDIS_URL", "CONFAPP_ENV", "HUEY_IMMEDIATE"):
    os.environ.pop(name, None)

ORDERS = int(os.environ.get("ORDERS", 300))
WARMUP = 20
SEEDED = 2000


def build(app) -> dict:
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from confapp.accounts.services import create_user
    from confapp.api.tokens import create_token
    from confapp.events.services import EventData, create_event, publish_event
    from confapp.extensions import db
    from confapp.registration import catalogue
    from confapp.registration.models import Order, PriceKind, Registration

    with app.app_context():
        upgrade()
        admin = create_user("bench-admin@example.org", "Bench admin", "bench-password-2026", is_site_admin=True)
        now = datetime.now(timezone.utc)
        event = create_event(EventData(title="Bench Api Create", slug="bench-api-create", starts_at=now + timedelta(days=30),
                                       ends_at=now + timedelta(days=31), timezone="UTC", capacity=100_000), actor=admin)
        publish_event(event, actor=admin)
        ticket = catalogue.save_category(event, catalogue.CategoryData(name="Ticket", price_kind=PriceKind.FIXED,
                                                                       price_minor=1000), actor=admin)
        _, secret = create_token(event, name="Bench CRM", scopes=["registrations:write"], expires_at=None, actor=admin,
                                 now=now)
        db.session.commit()
        db.session.execute(insert(Order), [dict(event_id=event.id, code=f"S{i:07d}", buyer_name="x", currency="USD",
                                                buyer_email=f"seeded{i}@example.org", subtotal_minor=1000, discount_minor=0,
                                                total_minor=1000, paid_minor=1000, refunded_minor=0, payment_state="paid",
                                                payment_method="invoice", waiver_requested=False, waiver_reason="",
                                                ip_address="", created_at=now, updated_at=now) for i in range(SEEDED)])
        ids = db.session.scalars(select(Order.id).where(Order.event_id == event.id).order_by(Order.code)).all()
        db.session.execute(insert(Registration), [dict(event_id=event.id, order_id=order_id, category_id=ticket.id,
                                                       status="confirmed", ticket_code=f"seeded-ticket-{i:08d}",
                                                       first_name=f"Seeded{i}", last_name="Bench", email=f"seeded{i}@example.org",
                                                       search_text=f"seeded{i} bench", price_minor=1000, is_walk_in=False,
                                                       created_at=now, confirmed_at=now) for i, order_id in enumerate(ids)])
        db.session.commit()
        return {"slug": event.slug, "event_id": event.id, "ticket": ticket.id, "secret": secret}


def main() -> None:
    from sqlalchemy import event as sa_event
    from sqlalchemy import func, select

    from confapp import create_app
    from confapp.api.models import ApiIdempotencyKey
    from confapp.extensions import db
    from confapp.registration.models import Order, Registration

    app = create_app()
    world = build(app)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {world['secret']}"}
    url = f"/api/v1/events/{world['slug']}/orders"

    def create(n: int) -> None:
        body = {"attendees": [{"first_name": f"Api{n}", "last_name": "Client", "email": f"api{n}@example.org",
                               "category_id": world["ticket"]}], "payment_method": "paid_elsewhere", "send_email": False}
        r = client.post(url, json=body, headers={**headers, "Idempotency-Key": f"bench-{n}"})
        assert r.status_code == 201 and r.json["registrations"][0]["status"] == "confirmed", r.get_data(as_text=True)

    for n in range(WARMUP):
        create(n)
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    sa_event.listen(engine, "before_cursor_execute", listener)
    create(WARMUP)
    sa_event.remove(engine, "before_cursor_execute", listener)
    print(f"statements per create: {len(statements)}")
    for s in statements:
        print("   ", " ".join(s.split())[:110])

    profiler = cProfile.Profile() if os.environ.get("PROFILE") else None
    cpu, wall = [], []
    for n in range(WARMUP + 1, WARMUP + 1 + ORDERS):
        c0, w0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        create(n)
        if profiler:
            profiler.disable()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    # Other processes on a shared machine slow this one's CPU too (caches, the sibling thread of a
    # core): the quietest run of 50 creates, its median, is the figure to compare between versions.
    quietest = min(statistics.median(cpu[i:i + 50]) for i in range(0, max(len(cpu) - 49, 1), 50))
    cpu.sort()
    print(f"{ORDERS} creates: CPU per create mean {statistics.mean(cpu):.2f} ms, median {statistics.median(cpu):.2f}, "
          f"p90 {cpu[int(0.9 * (len(cpu) - 1))]:.2f}, quietest 50's median {quietest:.2f}; "
          f"wall median {statistics.median(wall):.2f} ms")

    # Python function calls per create (cProfile's count over 50 more): what a busy machine does
    # not move, to judge a change by beside the CPU time.
    counting = cProfile.Profile()
    start = WARMUP + 1 + ORDERS
    counting.enable()
    for n in range(start, start + 50):
        create(n)
    counting.disable()
    print(f"Python function calls per create: {pstats.Stats(counting).total_calls / 50:,.0f}")

    with app.app_context():
        made = start + 50
        orders = db.session.scalar(select(func.count()).select_from(Order)) - SEEDED
        confirmed = db.session.scalar(select(func.count()).select_from(Registration)
                                      .where(Registration.status == "confirmed")) - SEEDED
        keys = db.session.scalar(select(func.count()).select_from(ApiIdempotencyKey))
        print(f"in the database: {orders} orders, {confirmed} confirmed registrations, {keys} keys (of {made})")
        assert orders == confirmed == keys == made
    if profiler:
        if os.environ["PROFILE"].endswith(".prof"):
            profiler.dump_stats(os.environ["PROFILE"])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
