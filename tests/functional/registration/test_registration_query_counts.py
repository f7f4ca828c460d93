"""The public registration steps send a fixed number of SQL statements however many categories,
questions and registrations an event has (issue 16: no N+1; load the event's categories, settings
and questions once per request). Counts, not timings: a regression fails `make test`."""
import re

from sqlalchemy import select

from confapp.registration.models import Question, Registration, RegistrationStatus
from tests.factories import make_category, make_registration
from tests.support.queries import count_queries

# The statement budget of each step for a free registration of one person, measured on this
# suite's SQLite (transaction control left out). A change that adds a query to a step must say why
# here; the equality across sizes below is the N+1 guard. The confirm step's figure includes the
# confirmation email's job, which the suite's queue runs at once (about 30 statements: the outbox
# claim, the message, its delivery and its bookkeeping); the request itself is about 20.
# Before issue 16's work the steps were 7, 9, 8 and 62: the settings, categories and questions
# were each loaded three times in a confirm step, and the order was quoted twice. 51 -> 48: the
# confirm step commits keeping the order loaded, so its redirect reloads neither the order, its
# registrations nor the event (test_confirm_write_lock.py checks where its write lock begins).
# 48 -> 47: the new order's code is not looked up (the unique constraint catches a duplicate);
# 47 -> 46: the desk's search terms take the new registration's answers from the session; the
# places taken are counted in one query instead of two (registrations, waitlist offers): the page
# 7 -> 6, the confirm 46 -> 45. 45 -> 42: under the write lock the event's capacity and the emails
# taken come with the places taken in one query (the event row and the emails were read on their
# own), and the twin is not looked up (the order's unique key refuses it). 42 -> 43: the
# confirmation's calendar file carries the event's iCalendar SEQUENCE, counted from the audit log's
# date changes in one query (events.queries.event_sequence), so a calendar that holds the event from
# an earlier file takes it as an update. choose 5 -> 3, details 5 -> 2, confirm 43 -> 40: the web
# process keeps the event's settings, categories and questions while the event's registration_rev
# (read with the event) is unchanged, so only the first step after a change reads them (here the
# page, after the questions are added: it stays at 6).
BUDGET = {"page": 6, "choose": 3, "details": 2, "confirm": 40}


def _add_questions(db, event, n, start):
    for i in range(n):
        db.session.add(Question(event_id=event.id, kind="single_choice", label=f"Question {start + i}?",
                                options=["Yes", "No"], required=False, position=start + i))
    db.session.commit()


def _register(client, db, event, category, email):
    """The four requests of the public form, each counted."""
    slug, counts = event.slug, {}
    with count_queries(db.engine, ignore=("BEGIN", "ROLLBACK", "COMMIT")) as counter:
        assert client.get(f"/e/{slug}/register").status_code == 200
    counts["page"] = counter.count
    with count_queries(db.engine, ignore=("BEGIN", "ROLLBACK", "COMMIT")) as counter:
        choose = client.post(f"/e/{slug}/register", data={"step": "choose", f"quantity_{category.id}": "1"})
    assert choose.status_code == 200
    counts["choose"] = counter.count
    token = re.search(r'name="form_token" value="([^"]+)"', choose.get_data(as_text=True)).group(1)
    details = {"step": "details", f"quantity_{category.id}": "1", "form_token": token,
               "attendees-0-first_name": "Cathy", "attendees-0-last_name": "Albisa", "attendees-0-email": email}
    with count_queries(db.engine, ignore=("BEGIN", "ROLLBACK", "COMMIT")) as counter:
        review = client.post(f"/e/{slug}/register", data=details)
    page = review.get_data(as_text=True)
    assert review.status_code == 200, page
    counts["details"] = counter.count
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    with count_queries(db.engine, ignore=("BEGIN", "ROLLBACK", "COMMIT")) as counter:
        done = client.post(f"/e/{slug}/register", data={**carried, "step": "confirm"})
    assert done.status_code == 302 and "/orders/" in done.headers["Location"], done.get_data(as_text=True)
    counts["confirm"] = counter.count
    reg = db.session.scalar(select(Registration).where(Registration.email == email))
    assert reg.status == RegistrationStatus.CONFIRMED
    return counts


def test_registration_steps_do_not_grow_with_categories_questions_or_registrations(client, db, event, free):
    _add_questions(db, event, 2, start=10)
    small = _register(client, db, event, free, "first@example.org")
    for n in range(6):
        make_category(event, name=f"More {n}")
    _add_questions(db, event, 10, start=20)
    for n in range(15):
        make_registration(event, category=free, email=f"p{n}@example.org")
    db.session.commit()
    large = _register(client, db, event, free, "second@example.org")
    assert large == small, (small, large)
    assert all(small[step] <= BUDGET[step] for step in BUDGET), (small, BUDGET)
