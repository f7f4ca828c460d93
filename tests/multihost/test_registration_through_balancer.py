"""50 visitors register at once through the balancer for the last 5 places of a category, each
going through the public form's steps with its own session and CSRF token."""
from __future__ import annotations

import threading
import time
from collections import Counter

from tests.support.multihost_clients import csrf_token, form_fields, new_session

CLIENTS = 50
PLACES_LEFT = 5


def _prepare(db):
    from tests.factories import make_category, make_event, make_registration, make_user

    organiser = make_user()
    event = make_event(organiser=organiser, slug="crowd-convening", title="Crowd Convening")
    category = make_category(event, name="Member", capacity=20)
    for _ in range(20 - PLACES_LEFT):
        make_registration(event, category)
    return event.slug, category.id


def register(base: str, slug: str, category_id: int, n: int, barrier: threading.Barrier) -> dict:
    """GET the form, choose one place, fill in the details, review, then (with everyone else) confirm."""
    session = new_session()
    url = f"{base}/e/{slug}/register"
    hosts, statuses = set(), []

    def step(response):
        statuses.append(response.status_code)
        hosts.update(r.headers.get("X-Upstream") for r in [*response.history, response])
        return response

    try:
        page = step(session.get(url, timeout=60)).text
        details = step(session.post(url, timeout=60, data={
            "csrf_token": csrf_token(page), "step": "choose", f"quantity_{category_id}": "1"})).text
        fields = form_fields(details, "form_token")
        fields.update({"step": "details", "attendees-0-first_name": f"Visitor{n}", "attendees-0-last_name": "Crowd",
                       "attendees-0-email": f"visitor{n}@example.org"})
        review = step(session.post(url, timeout=60, data=fields)).text
        confirm = form_fields(review, "form_token")
        confirm["step"] = "confirm"
        barrier.wait(timeout=60)
        final = step(session.post(url, timeout=60, data=confirm))
    except Exception as error:  # noqa: BLE001  (reported by the test)
        return {"n": n, "error": repr(error), "statuses": statuses, "hosts": hosts}
    if "/orders/" in final.url and "You are registered" in final.text:
        outcome = "registered"
    elif final.url.endswith(f"/e/{slug}/register") and "Member is full" in final.text and "waitlist" in final.text.lower():
        outcome = "sold out, waitlist offered"
    else:
        outcome = f"unexpected {final.status_code} {final.url}"
    return {"n": n, "outcome": outcome, "statuses": statuses, "hosts": hosts}


def test_fifty_visitors_for_the_last_five_places_through_two_hosts(cluster, seed):
    with seed() as db:
        slug, category_id = _prepare(db)
    cluster.reset_rate_limits()
    barrier = threading.Barrier(CLIENTS)
    results: list[dict] = []
    started = time.monotonic()
    threads = [threading.Thread(target=lambda n=n: results.append(register(cluster.url, slug, category_id, n, barrier)))
               for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    elapsed = time.monotonic() - started
    outcomes = Counter(r.get("outcome", r.get("error")) for r in results)
    assert outcomes == {"registered": PLACES_LEFT, "sold out, waitlist offered": CLIENTS - PLACES_LEFT}, (outcomes, cluster.logs())
    assert not [s for r in results for s in r["statuses"] if s >= 500]
    assert {h for r in results for h in r["hosts"]} == {host.address for host in cluster.hosts}
    confirmed = cluster.psql(
        "SELECT count(*) FROM registrations r JOIN registration_categories c ON c.id = r.category_id "
        f"WHERE c.id = {category_id} AND r.status = 'confirmed'")
    assert confirmed == "20"
    visitors = cluster.psql(f"SELECT count(*) FROM registrations WHERE email LIKE 'visitor%@example.org' AND category_id = {category_id}")
    assert visitors == str(PLACES_LEFT)
    # Confirmations go out through the queue in Redis, sent by whichever host's consumer takes them: once each.
    winners = [f"visitor{r['n']}@example.org" for r in results if r["outcome"] == "registered"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not all(cluster.smtp.to(address) for address in winners):
        time.sleep(0.1)
    time.sleep(0.5)
    assert {address: len(cluster.smtp.to(address)) for address in winners} == dict.fromkeys(winners, 1), cluster.logs()
    print(f"\n{CLIENTS} visitors, {4 * CLIENTS} requests through the balancer in {elapsed:.1f} s: {dict(outcomes)}")
