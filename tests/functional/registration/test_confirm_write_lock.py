"""Placing an order on a real SQLite file (not the per-test transaction), where reads run in a
deferred transaction beside the writers and writers queue for one lock (issue 16): the form's
confirm step and the API's create read the event, its categories, settings and questions and
quote the order before they take the write lock, and hold it only to decide (the twin, one per
email, capacity) and write, as the desk's redeem does."""
from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from confapp.api.tokens import create_token
from confapp.checkin.search import SearchTerm
from confapp.extensions import db
from confapp.registration.models import Order, Question, Registration, RegistrationStatus
from confapp.types import utcnow
from tests.conftest import make_app_for
from tests.factories import make_category, make_event, make_user
from tests.support.queries import count_queries, statement_step

# What the write transaction of one free order for one person sends, after BEGIN IMMEDIATE: one
# read to decide on, the places taken (registrations and waitlist offers) with the email's
# occupying registrations and the event's capacity as committed now, in one query; then the
# inserts (order, in a savepoint that a duplicate code or a twin's key would undo, registration,
# its answer, the desk's search terms with the organisation answered, history, audit, the mail
# outbox). Before issue 16 the lock was taken before all the reads, a SELECT looked the new order
# code up, another the answers just written, and the places were counted in two; until the write
# window was cut to one read, the event row was read again under the lock, the twin looked up
# (a twin is now refused by the order's unique key, or found when its order refuses ours) and the
# email looked up in a query of its own (11 statements).
FORM_WRITE_WINDOW = [
    "SELECT registrations", "INSERT orders", "INSERT registrations", "INSERT answers", "INSERT checkin_search_terms",
    "INSERT registration_history", "INSERT audit_entries", "INSERT registration_mail_outbox",
]
# The API's adds the Idempotency-Key's row with the answer, built from the rows just written (it
# read each registration back, and looked the key up once more, before issue 16; 12 statements
# until the write window was cut to one read).
API_WRITE_WINDOW = [*FORM_WRITE_WINDOW, "INSERT api_idempotency_keys"]
# Read before the lock, never under it: the event's own rows the order is quoted from.
QUOTED_FROM = {"SELECT registration_categories", "SELECT registration_settings", "SELECT questions"}


@pytest.fixture
def placed(tmp_path, smtp_server):
    app = make_app_for(f"sqlite:///{tmp_path / 'orders.db'}", smtp_server)
    with app.app_context():
        upgrade()
        organiser = make_user()
        event = make_event(organiser=organiser, capacity=50, slug="write-lock")
        category = make_category(event, name="Community member")
        question = Question(event_id=event.id, kind="short_text", label="Organisation", builtin_key="organisation",
                            required=False, position=1)
        db.session.add(question)
        _, secret = create_token(event, name="CRM sync", scopes=["events:read", "registrations:read", "registrations:write"],
                                 expires_at=None, actor=organiser, now=utcnow())
        db.session.commit()
        world = {"app": app, "slug": event.slug, "category": category.id, "question": question.id,
                 "engine": db.engine, "headers": {"Authorization": f"Bearer {secret}"}}
        db.session.remove()
    yield world
    with app.app_context():
        db.engine.dispose()


def _transactions(statements: list[str]) -> list[list[str]]:
    """The statements cut into transactions, each opening with its BEGIN (or BEGIN IMMEDIATE)."""
    found: list[list[str]] = []
    for statement in statements:
        if statement.startswith("BEGIN"):
            found.append([statement])
        elif statement.startswith("-- "):
            continue
        elif not statement.startswith(("SAVEPOINT", "RELEASE")):
            found[-1].append(statement_step(statement))
    return found


def _the_request_reads_then_writes(transactions: list[list[str]], window: list[str], *, read_first: set[str]) -> None:
    reads, write = transactions[0], transactions[1]
    assert reads[0] == "BEGIN", transactions
    assert QUOTED_FROM | read_first <= set(reads), reads
    assert not any(s.startswith(("INSERT", "UPDATE", "DELETE")) for s in reads), reads
    assert write[0] == "BEGIN IMMEDIATE", transactions
    assert write[1:] == window, write
    assert not QUOTED_FROM & set(write), write
    # What follows are the confirmation email's jobs (run at once in the tests), each its own.
    assert all(t[0] == "BEGIN IMMEDIATE" and "INSERT orders" not in t for t in transactions[2:]), transactions


def _organisations_found(world) -> list[int]:
    """Registrations the desk's search finds by the organisation answered ("cooperativa")."""
    with world["app"].app_context():
        found = db.session.scalars(select(SearchTerm.registration_id).where(SearchTerm.term == "cooperativa")).all()
        db.session.remove()
        return list(found)


def _orders(world) -> list[tuple[str, RegistrationStatus]]:
    with world["app"].app_context():
        rows = db.session.execute(select(Order.code, Registration.status).join(Registration.order)).all()
        db.session.remove()
        return [tuple(r) for r in rows]


def test_the_confirm_step_takes_the_write_lock_only_to_decide_and_write(placed):
    client, slug, category = placed["app"].test_client(), placed["slug"], placed["category"]
    data = {"step": "confirm", f"quantity_{category}": "1", "form_token": "lock-1",
            "attendees-0-first_name": "Cathy", "attendees-0-last_name": "Albisa",
            "attendees-0-email": "cathy@example.org", f"attendees-0-q_{placed['question']}": "Cooperativa"}
    with count_queries(placed["engine"], ignore_savepoints=False, transactions=True) as counter:
        response = client.post(f"/e/{slug}/register", data=data)
    assert response.status_code == 302 and "/orders/" in response.headers["Location"], response.get_data(as_text=True)
    # The form token's order looked up before the quote (a twin already committed is the answer).
    _the_request_reads_then_writes(_transactions(counter.statements), FORM_WRITE_WINDOW,
                                   read_first={"SELECT events", "SELECT orders"})
    assert [status for _, status in _orders(placed)] == [RegistrationStatus.CONFIRMED]
    assert len(_organisations_found(placed)) == 1
    # The twin (a doubled submission of the same form) finds the order in its reads: no write at all.
    with count_queries(placed["engine"], ignore_savepoints=False, transactions=True) as again:
        assert client.post(f"/e/{slug}/register", data=data).status_code == 302
    assert "BEGIN IMMEDIATE" not in again.statements, again.statements
    assert len(_orders(placed)) == 1


def test_a_refused_confirm_never_takes_the_write_lock(placed):
    client, slug, category = placed["app"].test_client(), placed["slug"], placed["category"]
    data = {"step": "confirm", f"quantity_{category}": "1", "form_token": "lock-2",
            "attendees-0-first_name": "", "attendees-0-last_name": "Albisa", "attendees-0-email": "not an address"}
    with count_queries(placed["engine"], ignore_savepoints=False) as counter:
        assert client.post(f"/e/{slug}/register", data=data).status_code == 422
    assert "BEGIN IMMEDIATE" not in counter.statements, counter.statements
    assert _orders(placed) == []


def test_the_api_create_takes_the_write_lock_only_to_decide_and_write(placed):
    client, slug, category = placed["app"].test_client(), placed["slug"], placed["category"]
    client.get(f"/api/v1/events/{slug}", headers=placed["headers"])  # the token's "last used" is written now
    body = {"attendees": [{"first_name": "Amina", "last_name": "Diallo", "email": "amina@example.org",
                           "category_id": category, "answers": {str(placed["question"]): "Cooperativa"}}]}
    headers = {**placed["headers"], "Idempotency-Key": "crm-1"}
    with count_queries(placed["engine"], ignore_savepoints=False, transactions=True) as counter:
        response = client.post(f"/api/v1/events/{slug}/orders", json=body, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    # The Idempotency-Key's row looked up; the order under the key is not (it would have had a row).
    # The event comes with the token, in its statement.
    transactions = _transactions(counter.statements)
    _the_request_reads_then_writes(transactions, API_WRITE_WINDOW,
                                   read_first={"SELECT api_tokens", "SELECT api_idempotency_keys"})
    assert "SELECT orders" not in transactions[0], transactions[0]
    assert "SELECT events" not in transactions[0], transactions[0]
    # The retry is answered from its reads.
    with count_queries(placed["engine"], ignore_savepoints=False, transactions=True) as again:
        replay = client.post(f"/api/v1/events/{slug}/orders", json=body, headers=headers)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json == response.json
    got = client.get(f"/api/v1/events/{slug}/orders/{response.json['id']}", headers=placed["headers"])
    assert got.status_code == 200 and got.json == response.json  # the answer is what the database holds
    assert len(_organisations_found(placed)) == 1
    assert "BEGIN IMMEDIATE" not in again.statements, again.statements
    with placed["app"].app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 1
        db.session.remove()

