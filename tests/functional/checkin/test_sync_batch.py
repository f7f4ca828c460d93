"""A desk that was offline sends its queue of scans in one batch (at most 500): the server reads
the batch once and writes two rows per scan (the check-in and its audit entry), however many
scans, people or earlier check-ins there are (issue 16: bench/checkin_sync.py times it; counts
here, not timings). tests/concurrency/test_checkin_sync_pg.py sends overlapping batches at once."""
from datetime import timedelta

from sqlalchemy import func, select

from confapp.checkin import services
from confapp.checkin.models import CheckIn
from confapp.types import utcnow
from tests.factories import make_event, make_user
from tests.support.checkin import attendee, category
from tests.support.queries import count_queries

JSON = {"Accept": "application/json"}
# The batch's reads, one query each for the whole batch: the volunteer link, the lists the scan ids
# were applied on, this list's earlier check-ins of those scans (none the first time), the tickets,
# their check-ins on this list, the desk's answers.
BATCH_READS = 6


def _desk(db, people: int):
    organiser = make_user()
    event = make_event(organiser=organiser, capacity=None)
    checkin_list = services.main_list(event, actor=organiser, now=utcnow())
    _, token = services.create_volunteer_link(checkin_list, name="Door", valid_from=utcnow() - timedelta(hours=1),
                                              valid_until=utcnow() + timedelta(hours=2), actor=organiser, now=utcnow())
    cat = category(event)
    codes = [attendee(event, first_name=f"P{i}", cat=cat, answers={"pronouns": "they/them"}).ticket_code for i in range(people)]
    db.session.commit()
    return f"/checkin/api/lists/{checkin_list.id}/sync", {**JSON, "X-Checkin-Link": token}, codes


def test_five_hundred_queued_scans_are_read_once_and_written_two_rows_each(client, db):
    url, headers, codes = _desk(db, 500)
    scans = [{"scan_id": f"s-{i}", "code": code} for i, code in enumerate(codes)]
    with count_queries(db.engine, ignore=("BEGIN", "COMMIT", "ROLLBACK")) as counter:
        response = client.post(url, json={"scans": scans}, headers=headers)
    body = response.get_json()
    assert response.status_code == 200, body
    assert [r["outcome"] for r in body["results"]] == ["ok"] * 500
    assert body["results"][0]["attendee"]["pronouns"] == "they/them"
    assert counter.count <= BATCH_READS + 2 * 500, counter.count
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 500

    # The same queue again (the desk never heard back): every scan is a replay; reads only.
    with count_queries(db.engine, ignore=("BEGIN", "COMMIT", "ROLLBACK")) as counter:
        again = client.post(url, json={"scans": scans}, headers=headers).get_json()
    assert all(r["outcome"] == "ok" and r["replayed"] for r in again["results"])
    assert counter.count <= BATCH_READS
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 500


def test_a_ticket_twice_in_one_queue_is_in_once_and_the_second_scan_is_a_conflict(client, db):
    url, headers, codes = _desk(db, 3)
    scans = [{"scan_id": "a", "code": codes[0]}, {"scan_id": "b", "code": codes[1]}, {"scan_id": "c", "code": codes[0]},
             {"scan_id": "d", "code": "NO-SUCH-CODE"}]
    body = client.post(url, json={"scans": scans}, headers=headers).get_json()
    assert [(r["scan_id"], r["outcome"], r["conflict"]) for r in body["results"]] == [
        ("a", "ok", False), ("b", "ok", False), ("c", "already", True), ("d", "unknown", False)]
    assert body["conflicts"] == 1
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 2


def test_the_statements_of_a_batch_do_not_grow_with_earlier_check_ins(client, db):
    url, headers, codes = _desk(db, 40)
    counts = []
    for start in (0, 20):
        scans = [{"scan_id": f"s-{i}", "code": codes[i]} for i in range(start, start + 20)]
        with count_queries(db.engine, ignore=("BEGIN", "COMMIT", "ROLLBACK")) as counter:
            assert client.post(url, json={"scans": scans}, headers=headers).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
