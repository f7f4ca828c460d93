"""`systemctl stop` then `systemctl start` of one host under a steady registration load: the web
unit's stop is SIGTERM to gunicorn (it stops listening, finishes the requests it has and exits),
the worker unit's is SIGINT (huey finishes its running jobs). nginx passes requests whose
connection the stopped host refuses to the other host, POSTs included (they were never sent).
What a visitor can still see is a request sent on one of nginx's idle keep-alive connections just
as the host closed it: not retried for a POST (it might have reached the host), so a 502 the visitor
retries with the same form token. The test counts those; every visitor ends registered exactly
once with one confirmation email, and the started host is back in the rotation."""
from __future__ import annotations

import threading
import time
from collections import Counter

import requests

from tests.multihost.test_host_failure import Visitor

CLIENTS = 6


def _event():
    from tests.factories import make_category, make_event, make_user

    # Room for the whole load: a sold-out event would turn visitors to the waitlist mid-test.
    event = make_event(organiser=make_user(), slug="stop-start-convening", title="Stop Start Convening", capacity=5000)
    return event.slug, make_category(event, name="General", capacity=5000).id


class RegistrationLoad:
    """CLIENTS visitors registering one after another (four requests each) until stopped."""

    def __init__(self, base: str, slug: str, category_id: int):
        self.base, self.slug, self.category_id = base, slug, category_id
        self.stop = threading.Event()
        self.visitors: list[Visitor] = []
        self.outcomes: Counter = Counter()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._client, args=(c,)) for c in range(CLIENTS)]

    def _client(self, client: int) -> None:
        n = 0
        while not self.stop.is_set():
            visitor = Visitor(self.base, self.slug, self.category_id, client * 10_000 + n, prefix="stopstart")
            n += 1
            try:
                outcome = visitor.register()
            except Exception as error:  # noqa: BLE001  (counted, asserted below)
                outcome = f"error {error!r}"
            with self.lock:
                self.visitors.append(visitor)
                self.outcomes[outcome] += 1
            time.sleep(0.05)

    def __enter__(self) -> "RegistrationLoad":
        for thread in self.threads:
            thread.start()
        time.sleep(1.0)
        return self

    def __exit__(self, *exc) -> None:
        time.sleep(1.0)
        self.stop.set()
        for thread in self.threads:
            thread.join(120)


def test_a_host_stopped_and_started_under_load_loses_and_doubles_no_registration(cluster, seed):
    with seed():
        slug, category_id = _event()
    cluster.reset_rate_limits()
    host = cluster.hosts[1]
    started = time.monotonic()
    with RegistrationLoad(cluster.url, slug, category_id) as load:
        stopping = time.monotonic()
        host.stop()  # SIGTERM to gunicorn, SIGINT to the consumer, as the units' stop does
        stopped_in = time.monotonic() - stopping
        assert host.web.returncode == 0 and host.worker.returncode is not None, host.log("web.log")[-2000:]
        during = len(load.visitors)
        time.sleep(2.0)
        during = len(load.visitors) - during
        restarted = time.monotonic()
        host.start()
        host.wait_ready()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if requests.get(f"{cluster.url}/readyz", timeout=10).headers.get("X-Upstream") == host.address:
                break
            time.sleep(0.3)
        else:
            raise AssertionError("the started host never got a request from the balancer again")
        rejoined = time.monotonic() - restarted
        back = len(load.visitors)
        # Some registrations with the host back in the rotation.
        while len(load.visitors) < back + 2 * CLIENTS and time.monotonic() < deadline + 30:
            time.sleep(0.1)
    elapsed = time.monotonic() - started
    visitors = list(load.visitors)
    failures = Counter(f for v in visitors for f in v.failures)
    served_by_restarted = sum(1 for v in visitors[back:] for u in v.answers if u.split(", ")[-1] == host.address)
    rows = cluster.psql(f"SELECT count(*), count(DISTINCT email), count(DISTINCT order_id) FROM registrations "
                        f"WHERE category_id = {category_id}")
    addresses = [v.email for v in visitors]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not all(cluster.smtp.to(a) for a in addresses):
        time.sleep(0.2)
    emails = Counter(len(cluster.smtp.to(a)) for a in addresses)
    print(f"\n{len(visitors)} registrations in {elapsed:.1f} s by {CLIENTS} visitors; host {host.name} stopped in "
          f"{stopped_in:.1f} s ({during} registrations while it was down), back in the rotation {rejoined:.1f} s after "
          f"its start, then served {served_by_restarted} requests; failures visitors saw and retried: {dict(failures)}; "
          f"confirmation emails per visitor: {dict(emails)}")
    assert load.outcomes == {"registered": len(visitors)}, (load.outcomes, cluster.logs())
    assert rows == f"{len(visitors)}|{len(visitors)}|{len(visitors)}"
    assert set(failures) <= {"502", "503", "504", "connection: ConnectionError"}, failures
    assert during > 0 and served_by_restarted > 0
    assert emails == {1: len(visitors)}, emails
